// The store's background chores, each run in slices that fit a time budget per tick: merge
// landing rows into the clustered history, retention, the near-cap alarm, and checkpoints.
import { statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Checkpointer, type CheckpointResult } from "./checkpointer.js";
import type { StoreAlarmCode } from "./errors.js";
import { HistoryMerger } from "./history-merge.js";
import type { Db } from "./open.js";
import { Retention, usedBytes, type PruneContext, type PruneCounts } from "./retention.js";
import type { ResolvedOptions } from "./store-options.js";
import type { StoreEventInput } from "./types.js";

export interface MaintenanceHooks {
  /** Runs fn, handling a write failure the store's way; undefined when it failed. */
  attempt<T>(what: string, fn: () => T): T | undefined;
  event(ev: StoreEventInput): void;
  alarm(code: StoreAlarmCode, active: boolean, message: string): void;
  onError(err: unknown): void;
  nextId(): number;
  /** Totals since start, owned by the store (they outlive a replaced file). */
  pruned: PruneCounts;
}

export interface MaintenanceContext extends PruneContext {
  diskFull: boolean;
}

/** Alarm at 80 % of the size cap; clear below 75 % so it does not chatter at the line. */
const NEAR_CAP = 0.8;
const NEAR_CAP_CLEAR = 0.75;
/** At most one retention summary event per hour: the counts are in health() meanwhile. */
const PRUNE_EVENT_EVERY_MS = 3_600_000;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export class Maintenance {
  private readonly merger: HistoryMerger;
  private readonly retention: Retention;
  private readonly checkpointer?: Checkpointer;
  private pruneActive = false;
  private lastPruneMono: number;
  private lastPruneEventMono?: number;
  private unreported: PruneCounts = { history: 0, events: 0, audit: 0 };
  private lastCheckpointMono: number;
  private autoCheckpointFallback = false;

  constructor(
    private readonly db: Db,
    private readonly opts: ResolvedOptions,
    nowMono: number,
    private readonly hooks: MaintenanceHooks,
  ) {
    this.merger = new HistoryMerger(db, opts.merge, nowMono);
    this.retention = new Retention(db, opts.retention, opts.pruneBatchRows);
    // The first retention pass runs on the first tick: a long-stopped gateway catches up.
    this.lastPruneMono = nowMono - opts.pruneInterval;
    this.lastCheckpointMono = nowMono;
    if (opts.checkpoint === "worker") this.checkpointer = new Checkpointer(opts.path, (err) => hooks.onError(err));
  }

  afterRollback(): void {
    this.merger.reload();
  }

  /**
   * True while a checkpoint runs on a WAL past 4× its checkpoint size: writes then wait a
   * tick (the queue holds them), or under a steady stream the checkpoint would never catch
   * the last frame, and only a fully copied WAL is reset to the start.
   */
  holdWrites(): boolean {
    return this.checkpointer?.busy === true && fileSize(`${this.opts.path}-wal`) > 4 * this.opts.walCheckpointBytes;
  }

  /** One tick's slice of work; returns true when more is waiting. */
  run(ctx: MaintenanceContext): boolean {
    const deadline = performance.now() + this.opts.maintenanceBudgetMs;
    // Writes wait for the checkpoint; the next ordinary tick looks again.
    if (this.holdWrites()) return false;
    let more = false;
    // A full disk refuses the merge's inserts; retention only deletes, so it may go on.
    while (!ctx.diskFull && this.hooks.attempt("merge", () => this.merger.step(ctx.monoNow, this.hooks.nextId()))) {
      if (performance.now() >= deadline) {
        more = true;
        break;
      }
    }
    if (!this.pruneActive && ctx.monoNow - this.lastPruneMono >= this.opts.pruneInterval) {
      this.pruneActive = true;
      this.lastPruneMono = ctx.monoNow;
    }
    while (this.pruneActive && performance.now() < deadline) this.pruneStep(ctx);
    more ||= this.pruneActive;
    this.checkSize();
    this.maybeCheckpoint(ctx.monoNow);
    return more;
  }

  /** Merges everything waiting and prunes to the caps, ignoring budgets. */
  settle(ctx: MaintenanceContext): void {
    while (this.hooks.attempt("merge", () => this.merger.step(ctx.monoNow, this.hooks.nextId(), true)));
    this.pruneActive = true;
    while (this.pruneActive) this.pruneStep(ctx);
    this.checkSize();
  }

  private pruneStep(ctx: MaintenanceContext): void {
    const r = this.hooks.attempt("retention", () => this.retention.step(ctx));
    if (!r) {
      this.pruneActive = false;
      return;
    }
    for (const k of ["history", "events", "audit"] as const) {
      this.hooks.pruned[k] += r[k];
      this.unreported[k] += r[k];
    }
    if (r.more) return;
    this.pruneActive = false;
    const u = this.unreported;
    const total = u.history + u.events + u.audit;
    if (total === 0) return;
    if (this.lastPruneEventMono !== undefined && ctx.monoNow - this.lastPruneEventMono < PRUNE_EVENT_EVERY_MS) return;
    this.lastPruneEventMono = ctx.monoNow;
    this.hooks.event({
      type: "store",
      source: "store",
      message: `retention removed ${u.history} history rows, ${u.events} events and ${u.audit} audit rows`,
      data: { ...u, maxAge: this.opts.retention.maxAge, maxSize: this.opts.retention.maxSize },
      wallTs: ctx.wallNow,
      monoTs: ctx.monoNow,
    });
    this.unreported = { history: 0, events: 0, audit: 0 };
  }

  private checkSize(): void {
    const used = this.usedBytes();
    const cap = this.opts.retention.maxSize;
    const pct = Math.round((100 * used) / cap);
    if (used >= NEAR_CAP * cap) {
      this.hooks.alarm("STORE_NEAR_CAP", true, `store uses ${pct} % of its ${cap} byte cap; the oldest history is removed at the cap`);
    } else if (used < NEAR_CAP_CLEAR * cap) {
      this.hooks.alarm("STORE_NEAR_CAP", false, `store back to ${pct} % of its size cap`);
    }
  }

  private maybeCheckpoint(mono: number): void {
    const cp = this.checkpointer;
    if (!cp) return;
    if (cp.broken) {
      // Degrade, do not stop: SQLite checkpoints on this thread again (a stall now and then).
      if (!this.autoCheckpointFallback) this.db.pragma("wal_autocheckpoint = 1000");
      this.autoCheckpointFallback = true;
      return;
    }
    if (cp.busy) return;
    const wal = fileSize(`${this.opts.path}-wal`);
    if (wal === 0) return;
    if (wal < this.opts.walCheckpointBytes && mono - this.lastCheckpointMono < this.opts.checkpointInterval) return;
    this.lastCheckpointMono = mono;
    cp.checkpoint().then(
      () => undefined,
      (err: unknown) => this.hooks.onError(err),
    );
  }

  checkpointNow(): Promise<CheckpointResult> {
    if (this.checkpointer && !this.checkpointer.broken) return this.checkpointer.checkpoint();
    const r = (this.db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[])[0];
    return Promise.resolve({ busy: r?.busy === 1, walFrames: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 });
  }

  usedBytes(): number {
    return this.db.open ? usedBytes(this.db) : 0;
  }

  fileBytes(): number {
    return fileSize(this.opts.path) + fileSize(`${this.opts.path}-wal`);
  }

  terminate(): void {
    this.checkpointer?.terminate();
  }

  close(): Promise<void> {
    return this.checkpointer?.close() ?? Promise.resolve();
  }
}
