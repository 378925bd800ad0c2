// Moves landing rows (history_recent, arrival order) into the tag-clustered `history` table
// in large sorted steps, then deletes them. Each step is one short transaction over a range
// of tag ids, and progress is saved in the same transaction, so a crash resumes the cycle
// and a query (which reads the progress) sees every row exactly once.
import { setMeta } from "./meta.js";
import { loadMergeState, MERGE_KEY, type MergeState } from "./history-write.js";
import type { Db } from "./open.js";
import { writeTx } from "./tx.js";

export interface MergeOptions {
  /** Start a cycle at least this often when landing rows wait (monotonic ms). */
  intervalMs: number;
  /** Start a cycle as soon as this many landing rows wait. */
  minRows: number;
  /** Rows moved per step (per transaction), roughly. */
  stepRows: number;
  /** Landing rows deleted per step. */
  deleteRows: number;
}

export const DEFAULT_MERGE: MergeOptions = { intervalMs: 300_000, minRows: 200_000, stepRows: 20_000, deleteRows: 20_000 };

export class HistoryMerger {
  private state: MergeState;
  private lastCycleMono: number;

  constructor(
    private readonly db: Db,
    private readonly opts: MergeOptions,
    nowMono: number,
  ) {
    this.state = loadMergeState(db);
    this.lastCycleMono = nowMono;
  }

  /** Reloads progress after a rolled-back transaction. */
  reload(): void {
    this.state = loadMergeState(this.db);
  }

  /** Landing rows not yet merged, by id span (an upper bound: ids may have gaps). */
  pending(nextId: number): number {
    return Math.max(0, nextId - 1 - (this.state.cycle?.through ?? this.state.mergedThrough));
  }

  /** Does one bounded step; returns true when it did something (more may follow). */
  step(nowMono: number, nextId: number, force = false): boolean {
    if (this.state.cycle) return this.mergeStep();
    if (this.deleteStep()) return true;
    const waiting = this.pending(nextId);
    if (waiting === 0) return false;
    if (!force && waiting < this.opts.minRows && nowMono - this.lastCycleMono < this.opts.intervalMs) return false;
    this.lastCycleMono = nowMono;
    return this.startCycle() && this.mergeStep();
  }

  private startCycle(): boolean {
    const through = this.db.prepare("SELECT max(id) FROM history_recent").pluck().get() as number | null;
    if (through === null || through <= this.state.mergedThrough) return false;
    const tagMax = (this.db.prepare("SELECT max(id) FROM tags").pluck().get() as number | null) ?? 0;
    const rows = through - this.state.mergedThrough;
    const tagsPerStep = Math.max(1, Math.floor((this.opts.stepRows * tagMax) / rows));
    this.state = { mergedThrough: this.state.mergedThrough, cycle: { through, tagBelow: 0, tagMax, tagsPerStep } };
    return true;
  }

  private mergeStep(): boolean {
    const { mergedThrough, cycle } = this.state;
    if (!cycle) return false;
    const hi = cycle.tagBelow + cycle.tagsPerStep;
    const next: MergeState = hi > cycle.tagMax ? { mergedThrough: cycle.through } : { mergedThrough, cycle: { ...cycle, tagBelow: hi } };
    writeTx(this.db, "normal", () => {
      this.db
        .prepare(
          `INSERT OR IGNORE INTO history (tag_id, ts, id, value, q, text)
           SELECT tag_id, ts, id, value, q, text FROM history_recent
           WHERE id > ? AND id <= ? AND tag_id >= ? AND tag_id < ? ORDER BY tag_id, ts, id`,
        )
        .run(mergedThrough, cycle.through, cycle.tagBelow, hi);
      setMeta(this.db, MERGE_KEY, next);
    });
    this.state = next;
    return true;
  }

  private deleteStep(): boolean {
    const min = this.db.prepare("SELECT min(id) FROM history_recent").pluck().get() as number | null;
    if (min === null || min > this.state.mergedThrough) return false;
    const bound = Math.min(this.state.mergedThrough, min + this.opts.deleteRows - 1);
    writeTx(this.db, "normal", () => this.db.prepare("DELETE FROM history_recent WHERE id <= ?").run(bound));
    return true;
  }
}
