// Appends audit rows to the hash chain inside the caller's transaction. The chain's head is
// read from `meta` in that same transaction, so a rolled-back write leaves nothing behind,
// and rows cut from the end of the table cannot be papered over by the next append.
import type { Database } from "better-sqlite3";
import { canonicalJson, GENESIS_HASH, rowHash, type ChainContent, type ChainRow } from "./audit-chain.js";
import { FLAG_UNSYNCED } from "./codec.js";
import { getMeta, setMeta } from "./meta.js";
import type { AuditRecord, AuditRow } from "./types.js";

export const AUDIT_HEAD_KEY = "audit_head";

export interface AuditHead {
  seq: number;
  hash: string;
}

export function auditHead(db: Database): AuditHead {
  return getMeta<AuditHead>(db, AUDIT_HEAD_KEY) ?? { seq: 0, hash: GENESIS_HASH };
}

/** Must run inside a write transaction. */
export function insertAudit(db: Database, rec: AuditRecord, boot: string, unsynced: boolean): AuditRow {
  const head = auditHead(db);
  const content: ChainContent = {
    seq: head.seq + 1,
    wallTs: Math.round(rec.wallTs),
    monoTs: rec.monoTs,
    boot,
    kind: rec.kind,
    user: rec.user,
    action: rec.action,
    target: rec.target ?? null,
    data: rec.data === undefined ? null : canonicalJson(rec.data),
    flags: unsynced ? FLAG_UNSYNCED : 0,
  };
  const hash = rowHash(head.hash, content);
  // The row id is the seq when written; verification walks row ids and checks seqs.
  db.prepare(
    `INSERT INTO audit (id, seq, wall_ts, mono_ts, boot, kind, user, action, target, data, flags, prev_hash, hash)
     VALUES (@seq, @seq, @wallTs, @monoTs, @boot, @kind, @user, @action, @target, @data, @flags, @prevHash, @hash)`,
  ).run({ ...content, prevHash: head.hash, hash });
  setMeta(db, AUDIT_HEAD_KEY, { seq: content.seq, hash });
  return toAuditRow({ ...content, id: content.seq, prevHash: head.hash, hash });
}

export const AUDIT_COLUMNS =
  "id, seq, wall_ts AS wallTs, mono_ts AS monoTs, boot, kind, user, action, target, data, flags, prev_hash AS prevHash, hash";

export function toAuditRow(r: ChainRow): AuditRow {
  const row: AuditRow = {
    id: r.id,
    seq: r.seq,
    kind: r.kind,
    user: r.user,
    action: r.action,
    wallTs: r.wallTs,
    monoTs: r.monoTs,
    bootId: r.boot,
    clockUnsynced: (r.flags & FLAG_UNSYNCED) !== 0,
    prevHash: r.prevHash,
    hash: r.hash,
  };
  if (r.target !== null) row.target = r.target;
  if (r.data !== null) row.data = JSON.parse(r.data) as unknown;
  return row;
}
