// Guards the queue against records that could never be written (a NaN timestamp against a
// NOT NULL column, data JSON cannot encode): one such record would fail its batch on every
// retry and stall everything queued behind it. Checked when recorded, not when written.
import type { TagSample } from "../core/quality.js";
import { canonicalJson } from "./audit-chain.js";
import type { AuditRecord, StoreEventInput } from "./types.js";

/** Why a sample cannot be stored, or undefined when it can. */
export function sampleProblem(s: TagSample): string | undefined {
  if (typeof s.tag !== "string" || s.tag === "") return "a sample without a tag name";
  if (!Number.isFinite(s.sourceTs)) return `tag ${s.tag}: source timestamp ${String(s.sourceTs)} is not a time`;
  return undefined;
}

function encodeOr(encode: (v: unknown) => string, data: unknown): { text: string | null; problem?: string } {
  if (data === undefined) return { text: null };
  try {
    return { text: encode(data) };
  } catch (err) {
    const problem = `data not encodable: ${err instanceof Error ? err.message : String(err)}`;
    return { text: encode({ unencodable: problem }), problem };
  }
}

/** The event with finite times and its data encoded (or replaced by a note saying why not). */
export function cleanEvent(ev: StoreEventInput, now: { wallTs: number; monoTs: number }): { ev: StoreEventInput; data: string | null } {
  const { text } = encodeOr((v) => JSON.stringify(v), ev.data);
  return {
    ev: {
      ...ev,
      message: String(ev.message),
      wallTs: Number.isFinite(ev.wallTs) ? ev.wallTs : now.wallTs,
      monoTs: Number.isFinite(ev.monoTs) ? ev.monoTs : now.monoTs,
    },
    data: text,
  };
}

/** The audit record with finite times and encodable data (or a note in place of the data). */
export function cleanAudit(rec: AuditRecord, now: { wallTs: number; monoTs: number }): AuditRecord {
  const { problem } = encodeOr(canonicalJson, rec.data);
  return {
    ...rec,
    wallTs: Number.isFinite(rec.wallTs) ? rec.wallTs : now.wallTs,
    monoTs: Number.isFinite(rec.monoTs) ? rec.monoTs : now.monoTs,
    ...(problem === undefined ? {} : { data: { unencodable: problem } }),
  };
}
