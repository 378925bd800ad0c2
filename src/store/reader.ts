// The read side of the store, shared by the running controller (Store extends it) and the
// offline CLI (openStoreReadOnly): history, events, audit and its verification, config
// versions and persisted state.
import { AUDIT_COLUMNS, auditHead, toAuditRow } from "./audit-log.js";
import { verifyChain, type ChainRow } from "./audit-chain.js";
import { openReadOnly, type Db } from "./open.js";
import { DEFAULT_LIMIT, events, historyAggregate, historyRaw, historyRawReverse } from "./queries.js";
import { readTx } from "./tx.js";
import type {
  AggregateBucket,
  AuditQuery,
  AuditRow,
  AuditVerdict,
  BootRow,
  ConfigVersion,
  ConfigVersionSummary,
  EventCursor,
  EventQuery,
  HistoryCursor,
  HistorySample,
  Page,
  StoredEvent,
} from "./types.js";

export class StoreReader {
  constructor(protected db: Db) {}

  /** Raw samples of one tag, from <= ts < to, in (ts, id) order; page with `next`. */
  historyRaw(tag: string, from: number, to: number, opts: { limit?: number; after?: HistoryCursor } = {}): Page<HistorySample, HistoryCursor> {
    return historyRaw(this.db, tag, from, to, opts);
  }

  /** Raw samples with from < ts <= to, newest first by (ts, id); page with `next` as `before`. */
  historyRawReverse(tag: string, from: number, to: number, opts: { limit?: number; before?: HistoryCursor } = {}): Page<HistorySample, HistoryCursor> {
    return historyRawReverse(this.db, tag, from, to, opts);
  }

  /** Min, max, mean and count per interval; intervals without usable samples are left out. */
  historyAggregate(tag: string, from: number, to: number, intervalMs: number): AggregateBucket[] {
    return historyAggregate(this.db, tag, from, to, intervalMs);
  }

  /** Events with from <= wallTs < to, optionally of some types, in (wallTs, id) order. */
  events(q: EventQuery): Page<StoredEvent, EventCursor> {
    return events(this.db, q);
  }

  /** Audit rows in chain order (row id), optionally within a wall-clock range. */
  auditList(q: AuditQuery = {}): Page<AuditRow, number> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = this.db
      .prepare(
        `SELECT ${AUDIT_COLUMNS} FROM audit WHERE id > @after AND wall_ts >= @from AND wall_ts < @to ORDER BY id LIMIT @limit`,
      )
      .all({ after: q.afterId ?? 0, from: q.from ?? Number.MIN_SAFE_INTEGER, to: q.to ?? Number.MAX_SAFE_INTEGER, limit }) as ChainRow[];
    const out = rows.map(toAuditRow);
    const last = out[out.length - 1];
    return last && out.length === limit ? { rows: out, next: last.id } : { rows: out };
  }

  /** Walks the whole chain; reports the first row where it breaks. */
  verifyAudit(): AuditVerdict {
    return readTx(this.db, () => {
      const rows = this.db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id`).all() as ChainRow[];
      return verifyChain(rows, auditHead(this.db));
    });
  }

  listConfigVersions(): ConfigVersionSummary[] {
    return this.db
      .prepare("SELECT id, wall_ts AS wallTs, user, sha256, note FROM config_versions ORDER BY id")
      .all() as ConfigVersionSummary[];
  }

  getConfigVersion(id: number): ConfigVersion | undefined {
    return this.db
      .prepare("SELECT id, wall_ts AS wallTs, user, sha256, note, text FROM config_versions WHERE id = ?")
      .get(id) as ConfigVersion | undefined;
  }

  loadState<T = unknown>(key: string): T | undefined {
    const json = this.db.prepare("SELECT json FROM state WHERE key = ?").pluck().get(key) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  /** Acknowledged and shelved alarm state, by alarm name. */
  loadAlarmStates(): Record<string, unknown> {
    const rows = this.db.prepare("SELECT name, json FROM alarm_state ORDER BY name").all() as { name: string; json: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.json) as unknown]));
  }

  /** Tag names that have history. */
  tags(): string[] {
    return this.db.prepare("SELECT name FROM tags ORDER BY name").pluck().all() as string[];
  }

  boots(): BootRow[] {
    const rows = this.db.prepare("SELECT id, uuid, wall_ts AS wallTs, clock_synced AS synced FROM boots ORDER BY id").all() as {
      id: number;
      uuid: string;
      wallTs: number;
      synced: number;
    }[];
    return rows.map((r) => ({ id: r.id, bootId: r.uuid, wallTs: r.wallTs, clockSynced: r.synced === 1 }));
  }

  /** SQLite's integrity_check ("ok" when sound); slow on a large file, for the CLI. */
  integrityCheck(): string[] {
    return (this.db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** For `reclaim audit verify` and `history export` while the controller is not running. */
export function openStoreReadOnly(path: string): StoreReader {
  return new StoreReader(openReadOnly(path));
}
