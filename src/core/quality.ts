// Quality of a value, as OPC UA and the interlocks need it: good, uncertain or bad, with
// the reason. A CCP treats anything that is not good as off-spec (REFERENCE-SKID.md).

export type QualityCode = "good" | "uncertain" | "bad";

export type QualityReason =
  | "no-comm" // device offline, timed out, connection lost
  | "device-failure" // Modbus exception, device status fault bit
  | "sensor-failure" // 4–20 mA wire fault (NE 43), analyzer sensor fault bit
  | "hold" // analyzer in calibration or hold
  | "out-of-range" // outside the instrument range
  | "stale" // not refreshed for 3 poll periods
  | "flatline" // a noisy analyzer that has not changed for too long
  | "last-usable" // last good value kept while the source is unavailable
  | "warning" // instrument warning bit
  | "not-yet-read" // no value since start-up
  | "config" // a derived tag whose expression cannot be evaluated
  | "forced"; // forced by a technician in maintenance mode

export interface Quality {
  code: QualityCode;
  reason?: QualityReason;
  detail?: string;
}

export const GOOD: Quality = Object.freeze({ code: "good" });

export function bad(reason: QualityReason, detail?: string): Quality {
  return detail === undefined ? { code: "bad", reason } : { code: "bad", reason, detail };
}

export function uncertain(reason: QualityReason, detail?: string): Quality {
  return detail === undefined ? { code: "uncertain", reason } : { code: "uncertain", reason, detail };
}

const RANK: Record<QualityCode, number> = { good: 0, uncertain: 1, bad: 2 };

/** The worse of two qualities (a derived tag is as good as its worst input). */
export function worst(a: Quality, b: Quality): Quality {
  return RANK[b.code] > RANK[a.code] ? b : a;
}

export function isGood(q: Quality): boolean {
  return q.code === "good";
}

/** "bad (no-comm: analyzer-1 offline)" — the form used in logs, the CLI and alarm texts. */
export function describeQuality(q: Quality): string {
  if (q.code === "good") return "good";
  const why = [q.reason, q.detail].filter(Boolean).join(": ");
  return why ? `${q.code} (${why})` : q.code;
}

export type TagValue = number | boolean | string | null;

/** One value of one tag, as the field layer reports it and the core keeps it. */
export interface TagSample {
  tag: string;
  value: TagValue;
  quality: Quality;
  /** Wall-clock time the value was read from the field (epoch ms): OPC UA SourceTimestamp. */
  sourceTs: number;
  /** Monotonic time of the read (ms), for staleness and delays. */
  mono: number;
}
