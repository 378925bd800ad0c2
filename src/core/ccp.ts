// One reuse-quality critical control point (CCP): alert limit → critical limit → corrective
// action, after the Australian Guidelines for Water Recycling. Pure: (config, state, input, now).
import type { CcpConfig } from "../config/schema.js";
import { describeQuality, type Quality, type TagValue } from "./quality.js";

export type CcpStatus =
  | "in-spec" // inside the alert limits
  | "alert" // past an alert limit, inside the critical limits
  | "pending" // past a critical limit, for less than the delay
  | "off-spec"; // past a critical limit for the delay, or the input is not good

export interface CcpState {
  status: CcpStatus;
  /** Monotonic time the value first went past a critical limit (null while inside). */
  criticalSince: number | null;
  value: number | null;
  quality: Quality;
  /** Why the CCP is off-spec, in words for the operator ("AIT-403 0.62 NTU > 0.5 for 10 s"). */
  reason: string | null;
}

export function initialCcp(): CcpState {
  return { status: "off-spec", criticalSince: null, value: null, quality: { code: "bad", reason: "not-yet-read" }, reason: "not yet read" };
}

/** True where the value is past the limit; exactly at a limit is still inside (critical is "> 0.5 NTU"). */
function beyond(limit: { high?: number | undefined; low?: number | undefined }, v: number): "high" | "low" | null {
  if (limit.high !== undefined && v > limit.high) return "high";
  if (limit.low !== undefined && v < limit.low) return "low";
  return null;
}

export function ccpStep(cfg: CcpConfig, prev: CcpState, input: { value: TagValue; quality: Quality }, now: number): CcpState {
  const { quality } = input;
  const value = typeof input.value === "number" ? input.value : null;
  // Fail safe: a CCP whose input is not good is off-spec at once, whatever its value says.
  if (quality.code !== "good" || value === null || !Number.isFinite(value)) {
    // The critical timer keeps running through a bad reading: an input that flickers bad/good
    // while past its limit must not restart the delay (nor re-raise the alarm each time).
    return { status: "off-spec", criticalSince: prev.criticalSince, value, quality, reason: `${cfg.tag} ${describeQuality(quality)}` };
  }
  const critical = beyond(cfg.critical, value);
  if (critical) {
    const since = prev.criticalSince ?? now;
    const limit = critical === "high" ? cfg.critical.high : cfg.critical.low;
    const over = now - since >= cfg.delay;
    const reason = `${cfg.tag} ${value} ${critical === "high" ? ">" : "<"} ${limit} for ${Math.round((now - since) / 1000)} s`;
    return { status: over ? "off-spec" : "pending", criticalSince: since, value, quality, reason: over ? reason : null };
  }
  const status = beyond(cfg.alert, value) ? "alert" : "in-spec";
  return { status, criticalSince: null, value, quality, reason: null };
}

/** In spec for the purpose of verification: good and inside the critical limits. */
export function ccpVerifiable(s: CcpState): boolean {
  return s.status === "in-spec" || s.status === "alert";
}
