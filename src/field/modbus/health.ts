// Per-device health: online, degraded or offline, with auto-demotion so that a dead device
// is polled only once per demotion period and cannot starve the others on its line.
import type { DeviceConfig } from "../../config/schema.js";

export type DeviceStatus = "online" | "degraded" | "offline";

export interface DeviceHealth {
  device: string;
  status: DeviceStatus;
  consecutiveFailures: number;
  errorCount: number;
  requestCount: number;
  /** Smoothed response time of successful requests (ms). */
  responseMs: number | null;
  lastError: string | null;
  /** Monotonic time before which a demoted device is not polled again. */
  demotedUntil: number | null;
}

export function initialHealth(device: string): DeviceHealth {
  return {
    device,
    status: "offline",
    consecutiveFailures: 0,
    errorCount: 0,
    requestCount: 0,
    responseMs: null,
    lastError: "not yet polled",
    demotedUntil: null,
  };
}

export function recordSuccess(h: DeviceHealth, elapsedMs: number): DeviceHealth {
  const responseMs = h.responseMs === null ? elapsedMs : h.responseMs * 0.8 + elapsedMs * 0.2;
  return { ...h, status: "online", consecutiveFailures: 0, requestCount: h.requestCount + 1, responseMs, demotedUntil: null, lastError: h.status === "online" ? h.lastError : null };
}

export function recordFailure(h: DeviceHealth, cfg: DeviceConfig, message: string, now: number): DeviceHealth {
  const consecutiveFailures = h.consecutiveFailures + 1;
  const demoted = consecutiveFailures >= cfg.demoteAfter;
  return {
    ...h,
    status: demoted ? "offline" : "degraded",
    consecutiveFailures,
    errorCount: h.errorCount + 1,
    requestCount: h.requestCount + 1,
    lastError: message,
    demotedUntil: demoted ? now + cfg.demotionPeriod : null,
  };
}

/** A demoted device is skipped until its demotion period has passed; then one probe goes out. */
export function mayPoll(h: DeviceHealth, now: number): boolean {
  return h.demotedUntil === null || now >= h.demotedUntil;
}
