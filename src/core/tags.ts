// The tag table: the latest value of every tag with its quality and timestamps, and the
// checks the core owns on top of what the field reports: instrument range, staleness,
// flat-line. Pure: the table is plain data, time is passed in.
import type { TagConfig } from "../config/schema.js";
import { bad, GOOD, uncertain, type Quality, type TagSample, type TagValue } from "./quality.js";

export interface TagState {
  value: TagValue;
  quality: Quality;
  /** Wall-clock time the value was read from the field (OPC UA SourceTimestamp). */
  sourceTs: number;
  /** Monotonic time of the last sample from the source. */
  updatedMono: number;
  /** Monotonic time the raw value last changed (for flat-line detection). */
  changedMono: number;
  /** The quality as the source reported it, before the core's own checks. */
  sourceQuality: Quality;
}

export type TagTable = Record<string, TagState>;

/** A value is stale after this many poll periods without a fresh sample (REFERENCE-SKID.md). */
export const STALE_POLL_PERIODS = 3;

export function initialTags(tags: readonly TagConfig[], nowMono: number): TagTable {
  const table: TagTable = {};
  for (const t of tags) {
    table[t.name] = {
      value: null,
      quality: bad("not-yet-read"),
      sourceQuality: bad("not-yet-read"),
      sourceTs: 0,
      updatedMono: nowMono,
      changedMono: nowMono,
    };
  }
  return table;
}

/**
 * How far past its range a 4–20 mA reading is still a measurement: NAMUR NE 43 gives a
 * transmitter 3.8–20.5 mA of valid signal, i.e. up to 3.125 % of span beyond 20 mA. Noise
 * around an empty tank or a stopped pump (−0.1 bar, 100.2 %) is a measurement, not a failed
 * instrument. A digital reading (an analyzer's float) has no such band: its instrument clamps
 * to its range, so a value outside it is a failed instrument, bad at once.
 */
export const RANGE_MARGIN = 0.03125;

function rangeQuality(cfg: TagConfig, value: TagValue): Quality | undefined {
  if (cfg.range === undefined || typeof value !== "number") return undefined;
  const [lo, hi] = cfg.range;
  const margin = cfg.modbus?.ne43 !== undefined ? (hi - lo) * RANGE_MARGIN : 0;
  if (value < lo - margin || value > hi + margin) return bad("out-of-range", `${value} outside ${lo}..${hi} ${cfg.unit}`.trim());
  return undefined;
}

/** Takes a sample from the field into the table (returns a new entry; the caller owns the table). */
export function applySample(cfg: TagConfig, prev: TagState, s: TagSample): TagState {
  const changed = s.value !== prev.value;
  return {
    value: s.value,
    sourceQuality: s.quality,
    quality: s.quality,
    sourceTs: s.sourceTs,
    updatedMono: s.mono,
    changedMono: changed || prev.quality.code !== "good" ? s.mono : prev.changedMono,
  };
}

/**
 * The quality the core gives a tag now: the source's, then out of range, stale and
 * flat-line in that order of precedence (a bad source quality is never improved).
 */
export function effectiveQuality(cfg: TagConfig, t: TagState, now: number): Quality {
  if (t.sourceQuality.code === "bad") return t.sourceQuality;
  const range = rangeQuality(cfg, t.value);
  if (range) return range;
  const poll = cfg.modbus?.poll;
  if (poll !== undefined && now - t.updatedMono > STALE_POLL_PERIODS * poll) {
    return uncertain("stale", `no fresh value for ${Math.round((now - t.updatedMono) / 1000)} s`);
  }
  if (cfg.flatline !== undefined && now - t.changedMono >= cfg.flatline) {
    return bad("flatline", `unchanged for ${Math.round((now - t.changedMono) / 1000)} s`);
  }
  return t.sourceQuality.code === "good" ? GOOD : t.sourceQuality;
}
