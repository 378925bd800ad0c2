// A tag's history as held segments over a period: each logged sample holds until the next
// one (the store logs on change beyond a deadband, and at least every maxInterval), but not
// beyond `holdMs`: a longer silence means the controller or the store was not running, and
// that time is reported as "no data" instead of being guessed.
import type { HistoryCursor, HistorySample, StoreReader } from "../store/index.js";
import type { TagValue } from "../core/quality.js";

export interface Segment {
  start: number;
  end: number;
  /** null: no data for this stretch. */
  value: TagValue | null;
  good: boolean;
}

const PAGE = 5000;

function* samples(reader: StoreReader, tag: string, from: number, to: number): Generator<HistorySample> {
  let after: HistoryCursor | undefined;
  do {
    const page = reader.historyRaw(tag, from, to, { limit: PAGE, ...(after ? { after } : {}) });
    yield* page.rows;
    after = page.next;
  } while (after);
}

/** The held segments of a tag that cover [from, to) exactly, in time order. */
export function* segments(reader: StoreReader, tag: string, from: number, to: number, holdMs: number): Generator<Segment> {
  // The value in force at `from` is the last sample at or before it (within the hold).
  let cur: HistorySample | undefined = reader.historyRawReverse(tag, from - holdMs, from, { limit: 1 }).rows[0];
  let t = from;
  const emit = function* (until: number): Generator<Segment> {
    if (until <= t) return;
    const heldTo = cur ? Math.min(until, cur.ts + holdMs) : t;
    if (cur && heldTo > t) {
      yield { start: t, end: heldTo, value: cur.value, good: cur.quality.code === "good" };
      t = heldTo;
    }
    if (until > t) yield { start: t, end: until, value: null, good: false };
    t = until;
  };
  for (const s of samples(reader, tag, from, to)) {
    if (cur && s.id === cur.id) continue;
    yield* emit(s.ts);
    cur = s;
  }
  yield* emit(to);
}

/** Numeric value of a good segment, else null. */
export function goodNumber(s: Segment): number | null {
  return s.good && typeof s.value === "number" && Number.isFinite(s.value) ? s.value : null;
}

export interface Integral {
  /** ∫ value dt, in value·ms. */
  sum: number;
  /** ms with a good value. */
  measuredMs: number;
  /** ms without one (bad quality or no data). */
  unmeasuredMs: number;
}

/** ∫ of a rate over the period (zero-order hold), in value·ms; an m³/h flow gives m³ × 3.6e6. */
export function integrate(segs: Iterable<Segment>): Integral {
  const r: Integral = { sum: 0, measuredMs: 0, unmeasuredMs: 0 };
  for (const s of segs) {
    const v = goodNumber(s);
    const dt = s.end - s.start;
    if (v === null) r.unmeasuredMs += dt;
    else {
      r.sum += v * dt;
      r.measuredMs += dt;
    }
  }
  return r;
}

export const MS_PER_HOUR = 3_600_000;

export interface Bucket {
  start: number;
  min: number;
  max: number;
  /** Time-weighted mean over the part of the bucket with a good value. */
  avg: number;
  /** ms of the bucket with a good value. */
  count: number;
}

/**
 * Chart points from held segments: min, max and time-weighted mean per interval. A tag
 * logged on change holds its value between samples, so a bucket without a sample is not a
 * gap; only time without data (or without a good value) is.
 */
export function bucketize(segs: Iterable<Segment>, from: number, intervalMs: number): Bucket[] {
  const out = new Map<number, Bucket & { sum: number }>();
  for (const s of segs) {
    const v = goodNumber(s);
    if (v === null) continue;
    for (let t = s.start; t < s.end; ) {
      const k = Math.floor((t - from) / intervalMs);
      const end = Math.min(s.end, from + (k + 1) * intervalMs);
      const b = out.get(k) ?? { start: from + k * intervalMs, min: v, max: v, avg: 0, count: 0, sum: 0 };
      b.min = Math.min(b.min, v);
      b.max = Math.max(b.max, v);
      b.sum += v * (end - t);
      b.count += end - t;
      out.set(k, b);
      t = end;
    }
  }
  return [...out.values()].sort((a, b) => a.start - b.start).map(({ sum, ...b }) => ({ ...b, avg: sum / b.count }));
}
