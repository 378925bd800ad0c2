// How a sample's value and quality fit in three compact columns (value REAL, q INTEGER,
// text TEXT). A good numeric sample stores q = 0, which SQLite writes in zero bytes.
import type { Quality, QualityCode, QualityReason, TagSample, TagValue } from "../core/quality.js";

const CODES: readonly QualityCode[] = ["good", "uncertain", "bad"];

// Stored numbers: append new reasons, never renumber. The Record makes the compiler ask for
// a number when core adds a reason.
const REASON_NUMBER: Record<QualityReason, number> = {
  "no-comm": 1,
  "device-failure": 2,
  "sensor-failure": 3,
  hold: 4,
  "out-of-range": 5,
  stale: 6,
  flatline: 7,
  "last-usable": 8,
  warning: 9,
  "not-yet-read": 10,
  config: 11,
  forced: 12,
};
const REASON_BY_NUMBER = new Map<number, QualityReason>(
  Object.entries(REASON_NUMBER).map(([reason, n]) => [n, reason as QualityReason]),
);

const REASON_SHIFT = 2;
const REASON_MASK = 0x1f;
export const FLAG_BOOL = 1 << 8;
export const FLAG_STRING = 1 << 9;
/** Timestamp taken before the wall clock was synchronized. */
export const FLAG_UNSYNCED = 1 << 10;
/** q & CODE_MASK: 0 good, 1 uncertain, 2 bad. */
export const CODE_MASK = 0x3;
export const CODE_BAD = 2;

export interface EncodedSample {
  ts: number;
  value: number | null;
  q: number;
  /** A string value, or else the quality's detail (a string value's detail is not kept). */
  text: string | null;
}

export function encodeSample(s: TagSample, unsynced: boolean): EncodedSample {
  let q = CODES.indexOf(s.quality.code);
  if (s.quality.reason !== undefined) q |= REASON_NUMBER[s.quality.reason] << REASON_SHIFT;
  if (unsynced) q |= FLAG_UNSYNCED;
  let value: number | null = null;
  let text: string | null = s.quality.detail ?? null;
  const v = s.value;
  if (typeof v === "number") value = v;
  else if (typeof v === "boolean") {
    value = v ? 1 : 0;
    q |= FLAG_BOOL;
  } else if (typeof v === "string") {
    text = v;
    q |= FLAG_STRING;
  }
  // Integral milliseconds: SQLite keeps them as 6-byte integers instead of 8-byte reals.
  return { ts: Math.round(s.sourceTs), value, q, text };
}

export function decodeValue(value: number | null, q: number, text: string | null): TagValue {
  if (q & FLAG_STRING) return text;
  if (value === null) return null;
  return q & FLAG_BOOL ? value !== 0 : value;
}

/** Qualities without detail are few: shared, frozen, so a day's read allocates none. */
const SHARED = new Map<number, Quality>();

export function decodeQuality(q: number, text: string | null): Quality {
  if (text === null || q & FLAG_STRING) {
    const key = q & ~(FLAG_BOOL | FLAG_STRING | FLAG_UNSYNCED);
    let shared = SHARED.get(key);
    if (!shared) {
      shared = Object.freeze(buildQuality(key, null));
      SHARED.set(key, shared);
    }
    return shared;
  }
  return buildQuality(q, text);
}

function buildQuality(q: number, text: string | null): Quality {
  const code = CODES[q & CODE_MASK] ?? "bad";
  const quality: Quality = { code };
  const reason = REASON_BY_NUMBER.get((q >> REASON_SHIFT) & REASON_MASK);
  if (reason !== undefined) quality.reason = reason;
  if (text !== null) quality.detail = text;
  return quality;
}
