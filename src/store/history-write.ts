// Appends history samples to the landing table (history_recent) inside the caller's
// transaction: one prepared insert per sample, ids handed out here in arrival order.
import type { Statement } from "better-sqlite3";
import { encodeSample } from "./codec.js";
import { getMeta } from "./meta.js";
import type { Db } from "./open.js";
import type { SampleChunk } from "./queue.js";

export const MERGE_KEY = "history_merge";

/** Progress of moving landing rows into the tag-clustered table (history-merge.ts). */
export interface MergeState {
  /** Every landing row with id <= this is in `history` (and may still await deletion). */
  mergedThrough: number;
  /** A merge in progress: rows up to `through`, done for tag ids below `tagBelow`. */
  cycle?: { through: number; tagBelow: number; tagMax: number; tagsPerStep: number };
}

export function loadMergeState(db: Db): MergeState {
  return getMeta<MergeState>(db, MERGE_KEY) ?? { mergedThrough: 0 };
}

/** Rows per multi-row INSERT: one statement call per 64 samples instead of 64 calls. */
const ROWS_PER_INSERT = 64;
const ROW = "(?, ?, ?, ?, ?, ?)";

export class HistoryWriter {
  private readonly tagIds = new Map<string, number>();
  private readonly insert: Statement;
  private readonly insertMany: Statement;
  private readonly insertTag: Statement;
  private readonly findTag: Statement;
  private nextId: number;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(`INSERT INTO history_recent (id, tag_id, ts, value, q, text) VALUES ${ROW}`);
    this.insertMany = db.prepare(`INSERT INTO history_recent (id, tag_id, ts, value, q, text) VALUES ${Array(ROWS_PER_INSERT).fill(ROW).join(",")}`);
    this.insertTag = db.prepare("INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING");
    this.findTag = db.prepare("SELECT id FROM tags WHERE name = ?").pluck();
    const maxRecent = (db.prepare("SELECT max(id) FROM history_recent").pluck().get() as number | null) ?? 0;
    this.nextId = Math.max(maxRecent, loadMergeState(db).mergedThrough) + 1;
  }

  /** Tag id, created on first use (inside the caller's transaction). */
  tagId(name: string): number {
    let id = this.tagIds.get(name);
    if (id === undefined) {
      this.insertTag.run(name);
      id = this.findTag.get(name) as number;
      this.tagIds.set(name, id);
    }
    return id;
  }

  /** Must run inside a write transaction; returns the number of rows written. */
  write(chunks: readonly SampleChunk[]): number {
    const params: unknown[] = [];
    let n = 0;
    for (const c of chunks) {
      for (const s of c.samples) {
        const e = encodeSample(s, c.unsynced);
        params.push(this.nextId++, this.tagId(s.tag), e.ts, e.value, e.q, e.text);
        if (++n % ROWS_PER_INSERT === 0) this.insertMany.run(params.splice(0));
      }
    }
    for (let i = 0; i < params.length; i += 6) this.insert.run(params.slice(i, i + 6));
    return n;
  }

  /**
   * After a rolled-back transaction, tag ids created in it are void and must not be reused
   * from the cache. (Row ids handed out in it are simply skipped: gaps are harmless.)
   */
  afterRollback(): void {
    this.tagIds.clear();
  }

  /** The id the next landing row will get. */
  get nextHistoryId(): number {
    return this.nextId;
  }
}
