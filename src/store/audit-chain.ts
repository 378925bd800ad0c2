// The audit hash chain, pure: canonical encoding, row hashes and verification. Each row's
// hash is SHA-256 over the previous row's hash and the row's canonical encoding, so an edit,
// a deletion or a reordering anywhere shows at the first row where the links stop matching.
import { createHash } from "node:crypto";
import type { AuditVerdict } from "./types.js";

export const GENESIS_HASH = "0".repeat(64);
export const CHECKPOINT_KIND = "checkpoint";
/** Bumped if the canonical encoding ever changes; part of every hashed row. */
const FORMAT = 1;

/** JSON with object keys sorted at every level and no spaces: the same value, the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** An audit row as stored: what is hashed, and the links. */
export interface ChainRow {
  id: number;
  seq: number;
  wallTs: number;
  monoTs: number;
  boot: string;
  kind: string;
  user: string;
  action: string;
  target: string | null;
  /** Canonical JSON text, stored verbatim so verification never re-encodes. */
  data: string | null;
  flags: number;
  prevHash: string;
  hash: string;
}

export type ChainContent = Omit<ChainRow, "id" | "prevHash" | "hash">;

/** The row id is not hashed (it is only where the row sits); the seq is. */
export function encodeRow(r: ChainContent): string {
  return JSON.stringify([FORMAT, r.seq, r.wallTs, r.monoTs, r.boot, r.kind, r.user, r.action, r.target, r.data, r.flags]);
}

export function rowHash(prevHash: string, r: ChainContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(encodeRow(r)).digest("hex");
}

/** What a checkpoint row attests about the rows pruned before it. */
export interface CheckpointData {
  throughSeq: number;
  throughHash: string;
  count: number;
}

function checkpointData(r: ChainRow): CheckpointData | undefined {
  if (r.kind !== CHECKPOINT_KIND || r.data === null) return undefined;
  try {
    const d = JSON.parse(r.data) as Partial<CheckpointData>;
    return typeof d.throughSeq === "number" && typeof d.throughHash === "string" ? (d as CheckpointData) : undefined;
  } catch {
    return undefined;
  }
}

type Bad = Extract<AuditVerdict, { ok: false }>;

function bad(rows: number, firstBadId: number, reason: Bad["reason"], detail: string): Bad {
  return { ok: false, rows, firstBadId, reason, detail };
}

/** Whether the first remaining row links to genesis or to a checkpoint's attestation. */
function checkFront(first: ChainRow, all: readonly ChainRow[]): Bad | undefined {
  if (first.seq === 1) {
    return first.prevHash === GENESIS_HASH
      ? undefined
      : bad(all.length, first.id, "edited", `row ${first.id} (seq 1) does not start from the genesis hash`);
  }
  const attested = all.some((r) => {
    const cp = checkpointData(r);
    return cp !== undefined && cp.throughSeq === first.seq - 1 && cp.throughHash === first.prevHash;
  });
  return attested
    ? undefined
    : bad(all.length, first.id, "deleted", `seq 1..${first.seq - 1} are missing and no checkpoint row accounts for them`);
}

/**
 * Verifies rows given in row-id order. `head` is the last row the store wrote (kept apart
 * from the rows) so that rows cut from the end are noticed too.
 */
export function verifyChain(rows: readonly ChainRow[], head?: { seq: number; hash: string }): AuditVerdict {
  const n = rows.length;
  const first = rows[0];
  if (!first) {
    return head && head.seq > 0 ? bad(0, head.seq, "deleted", `the audit table is empty but ${head.seq} rows were written`) : { ok: true, rows: 0 };
  }
  const seqs = new Set(rows.map((r) => r.seq));
  let prev: ChainRow | undefined;
  for (const r of rows) {
    if (rowHash(r.prevHash, r) !== r.hash) return bad(n, r.id, "edited", `row ${r.id} (seq ${r.seq}) does not match its hash`);
    if (!prev) {
      const front = checkFront(r, rows);
      if (front) return front;
    } else if (r.seq !== prev.seq + 1) {
      const missing = `seq ${prev.seq + 1}${r.seq - 1 > prev.seq + 1 ? `..${r.seq - 1}` : ""}`;
      if (r.seq <= prev.seq || seqs.has(prev.seq + 1)) {
        return bad(n, r.id, "reordered", `row ${r.id} holds seq ${r.seq} right after seq ${prev.seq}`);
      }
      return bad(n, r.id, "deleted", `${missing} missing before row ${r.id}`);
    } else if (r.prevHash !== prev.hash) {
      // Both rows hash correctly, so one was rewritten whole, with a recomputed hash.
      return bad(n, prev.id, "edited", `row ${r.id} does not link to row ${prev.id}: one of them was rewritten`);
    }
    prev = r;
  }
  const last = prev as ChainRow;
  if (head && (head.seq !== last.seq || head.hash !== last.hash)) {
    if (head.seq > last.seq) return bad(n, last.id + 1, "deleted", `seq ${last.seq + 1}..${head.seq} cut from the end`);
    if (head.seq === last.seq) return bad(n, last.id, "edited", `the last row (seq ${last.seq}) was rewritten`);
    const firstExtra = rows.find((r) => r.seq === head.seq + 1) ?? last;
    return bad(n, firstExtra.id, "inserted", `rows after seq ${head.seq} were not written by the store`);
  }
  return { ok: true, rows: n };
}
