// Retention: removes the oldest rows when they pass the age cap, or while the file's used
// size is over the size cap, in small transactions so the control loop never waits long.
// Audit rows are removed only as a prefix of the chain, and each removal appends a
// checkpoint row that attests the last removed hash, so the chain stays verifiable.
import { CHECKPOINT_KIND, type CheckpointData } from "./audit-chain.js";
import { insertAudit } from "./audit-log.js";
import type { Db } from "./open.js";
import { writeTx } from "./tx.js";

export interface RetentionPolicy {
  /** Rows older than this (by their wall timestamp) are removed. */
  maxAge: number;
  /** Used bytes in the file above which the oldest history and events are removed. */
  maxSize: number;
}

export interface PruneCounts {
  history: number;
  events: number;
  audit: number;
}

export interface PruneContext {
  wallNow: number;
  monoNow: number;
  /** Age pruning trusts the wall clock only once it is synchronized. */
  clockSynced: boolean;
  boot: string;
}

/** Bytes in use: pages minus free pages (a deleted row frees space for new rows, not the disk). */
export function usedBytes(db: Db): number {
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const pages = db.pragma("page_count", { simple: true }) as number;
  const free = db.pragma("freelist_count", { simple: true }) as number;
  return (pages - free) * pageSize;
}

/** How far past the oldest row each size-driven step reaches. */
const SIZE_STEP_MS = 3_600_000;

export class Retention {
  constructor(
    private readonly db: Db,
    private readonly policy: RetentionPolicy,
    private readonly batchRows: number,
  ) {}

  /** One bounded step; `more` says whether the caps still call for pruning. */
  step(ctx: PruneContext): PruneCounts & { more: boolean } {
    const counts: PruneCounts = { history: 0, events: 0, audit: 0 };
    if (usedBytes(this.db) > this.policy.maxSize) {
      const oldest = this.oldestTs();
      if (oldest !== undefined) this.pruneBefore(oldest + SIZE_STEP_MS, counts);
    }
    // Until the clock is synchronized "now" may be 1970 or years ahead: age out nothing.
    if (ctx.clockSynced && counts.history + counts.events === 0) {
      const cutoff = ctx.wallNow - this.policy.maxAge;
      this.pruneBefore(cutoff, counts);
      counts.audit += this.pruneAudit(cutoff, ctx);
    }
    const more = counts.history + counts.events + counts.audit > 0;
    return { ...counts, more };
  }

  private tagIds(): number[] {
    return this.db.prepare("SELECT id FROM tags ORDER BY id").pluck().all() as number[];
  }

  /** The oldest history or event timestamp (a seek per tag on the clustered key). */
  private oldestTs(): number | undefined {
    const first = this.db.prepare("SELECT ts FROM history WHERE tag_id = ? ORDER BY ts LIMIT 1").pluck();
    let oldest: number | undefined;
    for (const id of this.tagIds()) {
      const ts = first.get(id) as number | undefined;
      if (ts !== undefined && (oldest === undefined || ts < oldest)) oldest = ts;
    }
    const ev = this.db.prepare("SELECT min(wall_ts) FROM events").pluck().get() as number | null;
    if (ev !== null && (oldest === undefined || ev < oldest)) oldest = ev;
    return oldest;
  }

  /** Deletes up to batchRows history rows and batchRows events older than `cutoff`. */
  private pruneBefore(cutoff: number, counts: PruneCounts): void {
    let budget = this.batchRows;
    // Per tag: rows older than cutoff but no further than the budget's worth of rows.
    const del = this.db.prepare(
      `DELETE FROM history WHERE tag_id = @tag AND ts < @cutoff
         AND ts <= coalesce((SELECT ts FROM history WHERE tag_id = @tag AND ts < @cutoff ORDER BY ts LIMIT 1 OFFSET @skip), @cutoff)`,
    );
    writeTx(this.db, "normal", () => {
      for (const id of this.tagIds()) {
        if (budget <= 0) break;
        const n = del.run({ tag: id, cutoff, skip: budget - 1 }).changes;
        counts.history += n;
        budget -= n;
      }
      counts.events += this.db
        .prepare("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE wall_ts < ? ORDER BY wall_ts LIMIT ?)")
        .run(cutoff, this.batchRows).changes;
    });
  }

  /** Removes the oldest audit rows older than cutoff, as a prefix, then appends a checkpoint. */
  private pruneAudit(cutoff: number, ctx: PruneContext): number {
    const firstKept = this.db.prepare("SELECT min(id) FROM audit WHERE wall_ts >= ?").pluck().get(cutoff) as number | null;
    const firstId = this.db.prepare("SELECT min(id) FROM audit").pluck().get() as number | null;
    if (firstId === null) return 0;
    const maxId = this.db.prepare("SELECT max(id) FROM audit").pluck().get() as number;
    let through = firstKept === null ? maxId : firstKept - 1;
    through = Math.min(through, firstId + this.batchRows - 1);
    if (through < firstId) return 0;
    const last = this.db.prepare("SELECT seq, hash FROM audit WHERE id = ?").get(through) as { seq: number; hash: string } | undefined;
    if (!last) return 0;
    return writeTx(this.db, "full", () => {
      const n = this.db.prepare("DELETE FROM audit WHERE id <= ?").run(through).changes;
      const data: CheckpointData = { throughSeq: last.seq, throughHash: last.hash, count: n };
      insertAudit(
        this.db,
        { kind: CHECKPOINT_KIND, user: "store", action: "prune", data, wallTs: ctx.wallNow, monoTs: ctx.monoNow },
        ctx.boot,
        !ctx.clockSynced,
      );
      return n;
    });
  }
}
