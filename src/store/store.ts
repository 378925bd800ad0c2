// The store the controller runs. Producers only append to an in-memory queue (never the
// disk); a timer on the injected clock flushes it in short transactions and then does a
// bounded slice of maintenance. Failures raise store alarms and control carries on.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Observable } from "rxjs";
import type { TagSample } from "../core/quality.js";
import type { Clock, TimerHandle } from "../time/clock.js";
import { insertAudit } from "./audit-log.js";
import { StoreAlarms } from "./alarms.js";
import type { CheckpointResult } from "./checkpointer.js";
import { ClockWatch, describeStep } from "./clock-watch.js";
import { EventWriter } from "./event-write.js";
import { errorText, isCorruption, isDiskFull, STORE_ERROR_CODES, StoreError, type StoreAlarm } from "./errors.js";
import { HistoryPolicy, policyProblems } from "./history-policy.js";
import { HistoryWriter } from "./history-write.js";
import { Maintenance, type MaintenanceContext } from "./maintenance.js";
import { closeQuietly, moveAside, openWritable, type OpenOptions, type Opened } from "./open.js";
import { WriteQueue } from "./queue.js";
import { cleanAudit, cleanEvent, sampleProblem } from "./sanitize.js";
import { StoreReader } from "./reader.js";
import { insertConfigVersion, StateWrites, type PendingState } from "./state-writes.js";
import { resolveOptions, type ResolvedOptions, type StoreOptions } from "./store-options.js";
import { writeTx, type Durability } from "./tx.js";
import type { AuditRecord, AuditRow, ConfigVersion, ConfigVersionInput, FlushResult, StoreEventInput, StoreHealth } from "./types.js";

export class Store extends StoreReader {
  /** A random UUID for this process start, on every event and audit row. */
  readonly bootId: string;
  private readonly opts: ResolvedOptions;
  private readonly clock: Clock;
  private readonly queue: WriteQueue;
  private readonly policy: HistoryPolicy;
  private readonly alarmsState = new StoreAlarms();
  private readonly clockWatch = new ClockWatch();
  private readonly states = new StateWrites();
  private writer!: HistoryWriter;
  private maint!: Maintenance;
  private eventWriter!: EventWriter;
  private clockSynced: boolean;
  private timer?: TimerHandle;
  private closed = false;
  private diskFull = false;
  private lastError?: string;
  private corruptMovedTo?: string;
  private rejected = 0;
  private readonly pruned = { history: 0, events: 0, audit: 0 };

  constructor(options: StoreOptions) {
    const opts = resolveOptions(options);
    const opened = openWritable(opts.path, openOptions(opts, opts.clock.wall()));
    super(opened.db);
    this.opts = opts;
    this.clock = opts.clock;
    this.bootId = opts.bootId ?? randomUUID();
    this.clockSynced = opts.clockSynced;
    this.queue = new WriteQueue(opts.maxQueueSamples);
    this.policy = new HistoryPolicy(opts.tags);
    for (const p of policyProblems(opts.tags)) opts.log?.warn({ part: "store" }, p);
    this.adopt(opened);
    this.recordEvent({ type: "store", source: "store", message: `store opened (boot ${this.bootId})`, ...this.stamp() });
    this.flush();
  }

  /** Takes a freshly opened file into use (at start, and after a corrupt file was replaced). */
  private adopt(opened: Opened): void {
    this.db = opened.db;
    this.writer = new HistoryWriter(this.db);
    const boot = { uuid: this.bootId, wallTs: this.clock.wall(), monoTs: this.clock.now(), clockSynced: this.clockSynced };
    this.eventWriter = new EventWriter(this.db, () => boot);
    this.maint = new Maintenance(this.db, this.opts, this.clock.now(), {
      attempt: (what, fn) => this.attempt(what, fn),
      event: (ev) => this.recordEvent(ev),
      alarm: (code, active, message) => void this.setAlarm(code, active, message),
      onError: (err) => {
        this.lastError = `checkpoint: ${errorText(err)}`;
        this.opts.log?.warn({ part: "store", err }, "store checkpoint failed");
      },
      nextId: () => this.writer.nextHistoryId,
      pruned: this.pruned,
    });
    if (opened.corruptMovedTo !== undefined) {
      this.corruptMovedTo = opened.corruptMovedTo;
      const message = `corrupt store moved to ${opened.corruptMovedTo} (${opened.corruptReason ?? "damaged"}); a fresh store was started`;
      // A second recovery finds the alarm still active: record the event all the same.
      if (!this.setAlarm("STORE_CORRUPT_RECOVERED", true, message)) {
        this.recordEvent({ type: "store", source: "store", message, data: { movedTo: opened.corruptMovedTo }, ...this.stamp() });
      }
      // The fresh file's audit chain starts again from genesis: say where the old one went.
      this.recordAudit({ kind: "store", user: "store", action: "chain-restart", data: { movedTo: opened.corruptMovedTo }, ...this.stamp() });
    }
  }

  private stamp(): { wallTs: number; monoTs: number } {
    return { wallTs: this.clock.wall(), monoTs: this.clock.now() };
  }

  get alarms$(): Observable<StoreAlarm> {
    return this.alarmsState.alarms$;
  }

  // ---- producers: memory only ------------------------------------------------------------

  /** Offers samples to the logging policy; those it keeps are queued. Never touches the disk. */
  recordSamples(samples: readonly TagSample[]): void {
    if (this.closed) return;
    const keep: TagSample[] = [];
    for (const s of samples) {
      const problem = sampleProblem(s);
      if (problem !== undefined) {
        this.rejected++;
        this.lastError = `rejected sample: ${problem}`;
        continue;
      }
      const logged = this.policy.offer(s);
      if (logged) keep.push(logged);
    }
    this.queue.pushSamples(keep, !this.clockSynced);
  }

  recordEvent(ev: StoreEventInput): void {
    if (!this.closed) this.queue.events.push({ ...cleanEvent(ev, this.stamp()), unsynced: !this.clockSynced });
  }

  /** Queues an audit record, written (at FULL durability) on the next flush. */
  recordAudit(rec: AuditRecord): void {
    if (!this.closed) this.queue.audit.push({ rec: cleanAudit(rec, this.stamp()), unsynced: !this.clockSynced });
  }

  /**
   * Writes an audit record now, at FULL durability (fsynced before this returns), after any
   * queued ones. For commands, whose acknowledgement must wait for the record; it blocks for
   * an fsync, so keep it to such rare calls. Throws StoreError (DISK_FULL or WRITE_FAILED)
   * when the record could not be written: nothing is then kept; queue it with recordAudit
   * if you go ahead anyway.
   */
  appendAuditNow(rec: AuditRecord): AuditRow {
    this.assertOpen();
    const queued = this.queue.audit.length;
    const row = this.write("audit", "full", () => {
      for (const q of this.queue.audit) insertAudit(this.db, q.rec, this.bootId, q.unsynced);
      return insertAudit(this.db, cleanAudit(rec, this.stamp()), this.bootId, !this.clockSynced);
    });
    this.queue.audit.splice(0, queued);
    return row;
  }

  setClockSynced(synced: boolean): void {
    if (synced === this.clockSynced) return;
    this.clockSynced = synced;
    const message = synced ? "wall clock synchronized" : "wall clock no longer synchronized";
    this.recordEvent({ type: "clock", source: "store", message, data: { synced }, ...this.stamp() });
  }

  // ---- state and config versions ----------------------------------------------------------

  /** Persists a small JSON value (totals, KPIs); kept and retried if the disk is full. */
  saveState(key: string, value: unknown): void {
    this.saveStateRow({ table: "state", key, json: JSON.stringify(value), wallTs: Math.round(this.clock.wall()) });
  }

  /** Persists an alarm's acknowledged/shelved state, at FULL durability (an operator's act). */
  saveAlarmState(alarm: string, value: unknown): void {
    this.saveStateRow({ table: "alarm_state", key: alarm, json: JSON.stringify(value), wallTs: Math.round(this.clock.wall()) });
  }

  override loadState<T = unknown>(key: string): T | undefined {
    const json = this.states.pendingState(key);
    return json !== undefined ? (JSON.parse(json) as T) : super.loadState<T>(key);
  }

  override loadAlarmStates(): Record<string, unknown> {
    return this.states.overlayAlarms(super.loadAlarmStates());
  }

  private saveStateRow(p: PendingState): void {
    this.assertOpen();
    this.states.add(p);
    this.writeStates();
  }

  private writeStates(): boolean {
    return this.states.flush(
      (durability, fn) => this.guard("state", durability, fn),
      () => this.db,
    );
  }

  /** Adds a config version (FULL durability); throws StoreError when it cannot be written. */
  addConfigVersion(input: ConfigVersionInput): ConfigVersion {
    this.assertOpen();
    return this.write("config", "full", () => insertConfigVersion(this.db, input, this.clock.wall()));
  }

  // ---- writing ----------------------------------------------------------------------------

  /**
   * Writes the queue in transactions of at most batchSize rows; `all` ignores the time
   * budget. A failed audit or state write does not hold history back: each goes on its own.
   */
  flush(opts: { all?: boolean } = {}): FlushResult {
    const r: FlushResult = { ok: true, transactions: 0, samples: 0, events: 0, audit: 0 };
    if (this.closed) return { ...r, ok: false, error: "store is stopped" };
    if (!opts.all && this.maint.holdWrites()) return r;
    const deadline = opts.all ? Infinity : performance.now() + this.opts.flushBudgetMs;
    const audit = this.queue.audit.slice();
    if (audit.length > 0 && this.guard("audit", "full", () => audit.forEach((q) => insertAudit(this.db, q.rec, this.bootId, q.unsynced)))) {
      this.queue.audit.splice(0, audit.length);
      r.audit += audit.length;
      r.transactions++;
    }
    const statesOk = this.writeStates();
    let ok = this.queue.audit.length === 0 && statesOk;
    while (this.queue.sampleCount + this.queue.events.length > 0 && performance.now() < deadline) {
      const chunks = this.queue.peekSamples(this.opts.batchSize);
      const evs = this.queue.events.slice(0, this.opts.batchSize);
      let samples = 0;
      const written = this.guard("history", "normal", () => {
        this.eventWriter.write(evs);
        samples = this.writer.write(chunks);
      });
      if (!written) {
        ok = false;
        break;
      }
      this.queue.consumeSamples(samples);
      this.queue.events.splice(0, evs.length);
      r.samples += samples;
      r.events += evs.length;
      r.transactions++;
    }
    return ok ? r : { ...r, ok: false, error: this.lastError ?? "write failed" };
  }

  /** A write whose failure is the caller's (throws StoreError after raising the alarm). */
  private write<T>(what: string, durability: Durability, fn: () => T): T {
    try {
      const value = writeTx(this.db, durability, fn);
      this.onWriteOk(what);
      return value;
    } catch (err) {
      this.onWriteError(err, what);
      const code = isDiskFull(err) ? STORE_ERROR_CODES.DISK_FULL : STORE_ERROR_CODES.WRITE_FAILED;
      throw new StoreError(code, `${what} record not written: ${errorText(err)}`, { cause: err });
    }
  }

  /** A write whose failure is the store's to handle: alarm, keep the data queued, go on. */
  private guard(what: string, durability: Durability, fn: () => void): boolean {
    return this.attempt(what, () => (writeTx(this.db, durability, fn), true)) === true;
  }

  /** Runs fn (which writes); on failure handles it and returns undefined. */
  private attempt<T>(what: string, fn: () => T): T | undefined {
    try {
      const value = fn();
      this.onWriteOk(what);
      return value;
    } catch (err) {
      this.onWriteError(err, what);
      return undefined;
    }
  }

  private onWriteOk(what: string): void {
    // Only a queue batch proves space is back: a small write may fit a page with room left,
    // and clearing on it would make the alarm chatter.
    if (this.diskFull && what === "history") {
      this.diskFull = false;
      this.setAlarm("STORE_DISK_FULL", false, `disk space is back; writes resumed (${this.queue.dropped} samples dropped since start)`);
    }
    this.setAlarm("STORE_WRITE_FAILED", false, "store writes succeed again");
  }

  private onWriteError(err: unknown, what: string): void {
    // Whatever the transaction did is rolled back: forget ids and progress taken from it.
    this.eventWriter.afterRollback();
    this.writer.afterRollback();
    this.maint.afterRollback();
    this.lastError = `${what}: ${errorText(err)}`;
    if (isDiskFull(err)) {
      this.diskFull = true;
      this.setAlarm("STORE_DISK_FULL", true, `store disk full: ${what} not written; control continues, writes resume when space returns`);
    } else if (isCorruption(err)) {
      this.recoverCorrupt(errorText(err));
    } else {
      this.setAlarm("STORE_WRITE_FAILED", true, `store write failed (${this.lastError})`);
    }
  }

  /** Found damaged while running: replace the file as at start (the queue survives). */
  private recoverCorrupt(reason: string): void {
    let movedTo: string;
    try {
      // Rename while still open: closing may delete the WAL, which belongs with the file.
      movedTo = moveAside(this.opts.path, this.clock.wall());
    } catch (err) {
      this.setAlarm("STORE_WRITE_FAILED", true, `store corrupt (${reason}) and cannot be moved aside: ${errorText(err)}`);
      return;
    }
    this.maint.terminate();
    closeQuietly(this.db);
    try {
      this.adopt({ ...openWritable(this.opts.path, openOptions(this.opts, this.clock.wall())), corruptMovedTo: movedTo, corruptReason: reason });
    } catch (err) {
      this.lastError = `reopen after corruption: ${errorText(err)}`;
      this.setAlarm("STORE_WRITE_FAILED", true, `store unusable: ${this.lastError}`);
    }
  }

  /** Raises or clears a store alarm, with an event; returns whether it changed. */
  private setAlarm(code: StoreAlarm["code"], active: boolean, message: string): boolean {
    if (!this.alarmsState.set(code, active, message)) return false;
    this.recordEvent({ type: "store", source: "store", message, data: { alarm: code, active }, ...this.stamp() });
    this.opts.log?.[active ? "warn" : "info"]({ part: "store", alarm: code }, message);
    return true;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Starts the flush timer on the injected clock. */
  start(): void {
    if (!this.closed && !this.timer) this.schedule(this.opts.flushInterval);
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimer(() => this.tick(), ms);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.closed) return;
    let more = false;
    try {
      const step = this.clockWatch.observe(this.clock.wall(), this.clock.now());
      if (step) this.recordEvent({ type: "clock", source: "store", message: describeStep(step), data: { ...step }, ...this.stamp() });
      const due = this.policy.due(this.clock.now(), this.clock.wall());
      this.queue.pushSamples(due, !this.clockSynced);
      const r = this.flush();
      more = r.ok && this.queue.depth > 0;
      more = this.maint.run(this.context()) || more;
    } catch (err) {
      this.lastError = `tick: ${errorText(err)}`;
      this.opts.log?.error({ part: "store", err }, "store tick failed");
    }
    // Unfinished work continues soon, after other timers (the scan) have had their turn.
    this.schedule(more ? 10 : this.opts.flushInterval);
  }

  /** Stops the timer, writes everything queued, closes the file. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    const r = this.flush({ all: true });
    if (!r.ok) this.opts.log?.error({ part: "store", queued: this.queue.depth }, `store stopped with unwritten records: ${r.error}`);
    this.closed = true;
    await this.maint.close();
    super.close();
    this.alarmsState.complete();
  }

  /** The same as stop() (without waiting): the running store has more to close than a reader. */
  override close(): void {
    void this.stop();
  }

  /**
   * Caps the file at `pages` pages (SQLite never goes below the current size; returns the
   * cap in force). A hard ceiling under the partition, and how tests fill the "disk".
   */
  setMaxPageCount(pages: number): number {
    this.assertOpen();
    this.opts.maxPageCount = pages;
    return this.db.pragma(`max_page_count = ${Math.floor(pages)}`, { simple: true }) as number;
  }

  /** Runs a checkpoint now (tests, and before a backup). */
  checkpointNow(): Promise<CheckpointResult> {
    return this.maint.checkpointNow();
  }

  /** Runs merge and retention until nothing is left to do (tests, benchmarks, the CLI). */
  settle(): void {
    this.maint.settle(this.context());
  }

  private context(): MaintenanceContext {
    return { wallNow: this.clock.wall(), monoNow: this.clock.now(), clockSynced: this.clockSynced, boot: this.bootId, diskFull: this.diskFull };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(STORE_ERROR_CODES.CLOSED, "the store is stopped");
  }

  health(): StoreHealth {
    const h: StoreHealth = {
      ok: !this.closed && !this.diskFull && !this.alarmsState.isActive("STORE_WRITE_FAILED"),
      queueDepth: this.queue.depth,
      dropped: this.queue.dropped,
      rejected: this.rejected,
      diskFull: this.diskFull,
      sizeBytes: this.closed ? 0 : this.maint.usedBytes(),
      fileBytes: this.maint.fileBytes(),
      pruned: { ...this.pruned },
    };
    if (this.lastError !== undefined) h.lastError = this.lastError;
    if (this.corruptMovedTo !== undefined) h.corruptMovedTo = this.corruptMovedTo;
    return h;
  }
}

function openOptions(o: ResolvedOptions, wallNow: number): OpenOptions {
  return { wallNow, autoCheckpoint: o.checkpoint === "inline", maxPageCount: o.maxPageCount, cacheKiB: o.cacheKiB };
}

/** Opens (creating, migrating or replacing a corrupt file as needed); throws RECLAIM_E_STORE_UNUSABLE. */
export function openStore(options: StoreOptions): Store {
  return new Store(options);
}
