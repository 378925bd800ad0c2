// Read queries for OPC UA history and the CLI: history by tag and time (raw, paged; and
// min/max/avg per interval), events by time and type, audit rows. Every history query reads
// both the tag-clustered table and the landing table, split by the merge progress.
import { decodeQuality, decodeValue, CODE_BAD, CODE_MASK, FLAG_STRING, FLAG_UNSYNCED } from "./codec.js";
import { loadMergeState } from "./history-write.js";
import type { Db } from "./open.js";
import { readTx } from "./tx.js";
import type { AggregateBucket, EventCursor, EventQuery, HistoryCursor, HistorySample, Page, StoredEvent } from "./types.js";

export const DEFAULT_LIMIT = 10_000;

function tagId(db: Db, tag: string): number | undefined {
  return db.prepare("SELECT id FROM tags WHERE name = ?").pluck().get(tag) as number | undefined;
}

/** Landing rows of this tag with id above this are not yet in `history`. */
function landingFloor(db: Db, id: number): number {
  const { mergedThrough, cycle } = loadMergeState(db);
  return cycle && id < cycle.tagBelow ? cycle.through : mergedThrough;
}

type RawRow = [ts: number, id: number, value: number | null, q: number, text: string | null];

interface RawQuery {
  tag: string;
  /** Time range as SQL on `ts`, and the cursor comparison on (ts, id). */
  range: string;
  cursor: string;
  order: "ASC" | "DESC";
  params: Record<string, number>;
  limit: number;
}

function rawPage(db: Db, q: RawQuery): Page<HistorySample, HistoryCursor> {
  return readTx(db, () => {
    const id = tagId(db, q.tag);
    if (id === undefined) return { rows: [] };
    const where = `tag_id = @tag AND ${q.range} AND ${q.cursor}`;
    // The cursor as a row value, so the primary key (tag_id, ts, id) serves the range.
    const rows = db
      .prepare(
        `SELECT ts, id, value, q, text FROM history WHERE ${where}
         UNION ALL
         SELECT ts, id, value, q, text FROM history_recent WHERE id > @floor AND ${where}
         ORDER BY 1 ${q.order}, 2 ${q.order} LIMIT @limit`,
      )
      .raw()
      .all({ ...q.params, tag: id, floor: landingFloor(db, id), limit: q.limit }) as RawRow[];
    const out = rows.map(([ts, rowId, value, qual, text]) => ({
      id: rowId,
      tag: q.tag,
      ts,
      value: decodeValue(value, qual, text),
      quality: decodeQuality(qual, text),
      clockUnsynced: (qual & FLAG_UNSYNCED) !== 0,
    }));
    const last = out[out.length - 1];
    return last && out.length === q.limit ? { rows: out, next: { ts: last.ts, id: last.id } } : { rows: out };
  });
}

/** Samples with from <= ts < to, ascending by (ts, id), after the cursor. */
export function historyRaw(
  db: Db,
  tag: string,
  from: number,
  to: number,
  opts: { limit?: number; after?: HistoryCursor } = {},
): Page<HistorySample, HistoryCursor> {
  const after = opts.after ?? { ts: from, id: -1 };
  return rawPage(db, {
    tag,
    range: "ts >= @from AND ts < @to",
    cursor: "(ts, id) > (@cts, @cid)",
    order: "ASC",
    params: { from, to, cts: after.ts, cid: after.id },
    limit: opts.limit ?? DEFAULT_LIMIT,
  });
}

/** Samples with from < ts <= to, descending by (ts, id), before the cursor (OPC UA reverse reads). */
export function historyRawReverse(
  db: Db,
  tag: string,
  from: number,
  to: number,
  opts: { limit?: number; before?: HistoryCursor } = {},
): Page<HistorySample, HistoryCursor> {
  const before = opts.before ?? { ts: to, id: Number.MAX_SAFE_INTEGER };
  return rawPage(db, {
    tag,
    range: "ts > @from AND ts <= @to",
    cursor: "(ts, id) < (@cts, @cid)",
    order: "DESC",
    params: { from, to, cts: before.ts, cid: before.id },
    limit: opts.limit ?? DEFAULT_LIMIT,
  });
}

/**
 * Min, max and mean per interval of `intervalMs` from `from`, over numeric samples that are
 * not bad (OPC UA aggregates leave bad values out); strings are skipped.
 */
export function historyAggregate(db: Db, tag: string, from: number, to: number, intervalMs: number): AggregateBucket[] {
  if (!(intervalMs > 0)) throw new RangeError(`aggregate interval must be > 0 ms, got ${intervalMs}`);
  if (!Number.isFinite(from)) throw new RangeError(`aggregate start must be a time, got ${from}`);
  return readTx(db, () => {
    const id = tagId(db, tag);
    if (id === undefined) return [];
    const usable = `tag_id = @tag AND ts >= @from AND ts < @to AND value IS NOT NULL
      AND (q & ${CODE_MASK}) != ${CODE_BAD} AND (q & ${FLAG_STRING}) = 0`;
    const rows = db
      .prepare(
        `SELECT CAST((ts - @from) / @interval AS INTEGER) AS b, min(value) AS min, max(value) AS max,
                avg(value) AS avg, count(*) AS count
         FROM (SELECT ts, value FROM history WHERE ${usable}
               UNION ALL SELECT ts, value FROM history_recent WHERE ${usable} AND id > @floor)
         GROUP BY b ORDER BY b`,
      )
      .all({ tag: id, from, to, interval: intervalMs, floor: landingFloor(db, id) }) as (AggregateBucket & { b: number })[];
    return rows.map(({ b, min, max, avg, count }) => ({ start: from + b * intervalMs, min, max, avg, count }));
  });
}

interface EventRowDb {
  id: number;
  wallTs: number;
  monoTs: number;
  bootId: string;
  type: string;
  source: string | null;
  message: string;
  data: string | null;
  flags: number;
}

export function events(db: Db, q: EventQuery): Page<StoredEvent, EventCursor> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const after = q.after ?? { wallTs: q.from, id: -1 };
  const types = q.types && q.types.length > 0 ? q.types : undefined;
  const typeFilter = types ? `AND e.type IN (SELECT value FROM json_each(@types))` : "";
  const rows = db
    .prepare(
      `SELECT e.id, e.wall_ts AS wallTs, e.mono_ts AS monoTs, b.uuid AS bootId, e.type, e.source,
              e.message, e.data, e.flags
       FROM events e JOIN boots b ON b.id = e.boot_id
       WHERE e.wall_ts >= @from AND e.wall_ts < @to AND (e.wall_ts, e.id) > (@ats, @aid) ${typeFilter}
       ORDER BY e.wall_ts, e.id LIMIT @limit`,
    )
    .all({ from: q.from, to: q.to, ats: after.wallTs, aid: after.id, limit, ...(types ? { types: JSON.stringify(types) } : {}) }) as EventRowDb[];
  const out = rows.map((r): StoredEvent => {
    const ev: StoredEvent = {
      id: r.id,
      type: r.type,
      message: r.message,
      wallTs: r.wallTs,
      monoTs: r.monoTs,
      bootId: r.bootId,
      clockUnsynced: (r.flags & FLAG_UNSYNCED) !== 0,
    };
    if (r.source !== null) ev.source = r.source;
    if (r.data !== null) ev.data = JSON.parse(r.data) as Record<string, unknown>;
    return ev;
  });
  const last = out[out.length - 1];
  return last && out.length === limit ? { rows: out, next: { wallTs: last.wallTs, id: last.id } } : { rows: out };
}
