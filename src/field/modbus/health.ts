// Per-device health: online, degraded or offline, with auto-demotion so that a dead device
// is polled only once per demotion period and cannot starve the others on its line; and the
// health as system tags (`<device>.online`, …) for the core, OPC UA and the CLI.
import type { DeviceConfig } from "../../config/schema.js";
import { bad, GOOD, type TagSample } from "../../core/quality.js";

export type DeviceStatus = "online" | "degraded" | "offline";

export interface DeviceHealth {
  device: string;
  /**
   * online: the last requests were answered; degraded: answered, but some request failed
   * (exception, undecodable data, a write that does not read back, or a no-answer below
   * demoteAfter); offline: demoted, or never answered yet.
   */
  status: DeviceStatus;
  /** Requests in a row without a usable answer (timeout, garbled answer, connection). */
  consecutiveFailures: number;
  errorCount: number;
  requestCount: number;
  /** Smoothed response time of successful requests (ms). */
  responseMs: number | null;
  lastError: string | null;
  /** Wall-clock time of lastError (epoch ms). */
  lastErrorAt: number | null;
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
    lastErrorAt: null,
    demotedUntil: null,
  };
}

/** A request answered with good data. `degraded`: another request of the device is still failing. */
export function recordSuccess(h: DeviceHealth, elapsedMs: number, degraded = false): DeviceHealth {
  // Exponential smoothing: one slow answer shows, but does not swamp the figure.
  const responseMs = h.responseMs === null ? elapsedMs : h.responseMs * 0.8 + elapsedMs * 0.2;
  const lastError = h.lastError === "not yet polled" ? null : h.lastError;
  return { ...h, status: degraded ? "degraded" : "online", consecutiveFailures: 0, requestCount: h.requestCount + 1, responseMs, demotedUntil: null, lastError };
}

/**
 * The device answered, but not with what was asked for (an exception, data that cannot be
 * decoded, a write that does not read back). It is alive, so this does not count towards
 * demotion; it is degraded.
 */
export function recordAnswerError(h: DeviceHealth, message: string, wall: number, isRequest = true): DeviceHealth {
  return {
    ...h,
    status: "degraded",
    consecutiveFailures: 0,
    demotedUntil: null,
    errorCount: h.errorCount + 1,
    requestCount: h.requestCount + (isRequest ? 1 : 0),
    lastError: message,
    lastErrorAt: wall,
  };
}

/** No usable answer: after cfg.demoteAfter in a row the device is demoted (offline). */
export function recordFailure(h: DeviceHealth, cfg: DeviceConfig, message: string, now: number, wall: number = Date.now()): DeviceHealth {
  const consecutiveFailures = h.consecutiveFailures + 1;
  const demoted = consecutiveFailures >= cfg.demoteAfter;
  return {
    ...h,
    // A device that has not answered since start-up or since its demotion stays offline.
    status: demoted || h.status === "offline" ? "offline" : "degraded",
    consecutiveFailures,
    errorCount: h.errorCount + 1,
    requestCount: h.requestCount + 1,
    lastError: message,
    lastErrorAt: wall,
    demotedUntil: demoted ? now + cfg.demotionPeriod : null,
  };
}

/** A demoted device is skipped until its demotion period has passed; then one probe goes out. */
export function mayPoll(h: DeviceHealth, now: number): boolean {
  return h.demotedUntil === null || now >= h.demotedUntil;
}

/** The system tags of a device's health, in the order healthTags() returns them. */
export const HEALTH_TAGS = ["online", "status", "responseMs", "errorCount", "lastError"] as const;

/**
 * A device's health as tag samples, e.g. `analyzer-1.online`, `analyzer-1.responseMs`,
 * `analyzer-1.errorCount`, `analyzer-1.lastError` (and `.status`). The controller measures
 * these itself, so they are good; a response time not yet measured is bad (not yet read).
 */
export function healthTags(h: DeviceHealth, at: { wall: number; mono: number }): TagSample[] {
  const sample = (suffix: (typeof HEALTH_TAGS)[number], value: TagSample["value"], quality = GOOD): TagSample => ({
    tag: `${h.device}.${suffix}`,
    value,
    quality,
    sourceTs: at.wall,
    mono: at.mono,
  });
  return [
    sample("online", h.status !== "offline"),
    sample("status", h.status),
    h.responseMs === null ? sample("responseMs", null, bad("not-yet-read")) : sample("responseMs", Math.round(h.responseMs * 10) / 10),
    sample("errorCount", h.errorCount),
    sample("lastError", h.lastError ?? ""),
  ];
}
