// Per-device health: online, degraded or offline, with auto-demotion so that a dead device
// is polled only once per demotion period and cannot starve the others on its line; and the
// health as system tags (`<device>.online`, …) for the core, OPC UA and the CLI.
//
// The offline rule: a device is offline when `demoteAfter` requests in a row have brought no
// good data, whatever the reason (no answer, a garbled answer, a lost connection, or a Modbus
// exception), and none of its poll blocks is answering (the engine says so); it is online again
// at its first good answer. Only a run of no-answers (timeouts, garbled frames, connection)
// demotes it to one probe per demotion period: a device that answers with exceptions is
// reported offline but keeps being polled at its rate (see recordAnswerError).
import type { DeviceConfig } from "../../config/schema.js";
import { bad, GOOD, type TagSample } from "../../core/quality.js";

export type DeviceStatus = "online" | "degraded" | "offline";

export interface DeviceHealth {
  device: string;
  /**
   * online: the last requests were answered; degraded: answered, but some request failed
   * (exception, undecodable data, a write that does not read back, or a no-answer below
   * demoteAfter); offline: demoted, no good data for demoteAfter requests in a row from any
   * of its poll blocks (exceptions included), or no good answer yet since start-up.
   */
  status: DeviceStatus;
  /** Requests in a row without a usable answer (timeout, garbled answer, connection): demotion. */
  consecutiveFailures: number;
  /** Requests in a row that brought no good data, for whatever reason (exceptions too): offline. */
  withoutData: number;
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
    withoutData: 0,
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
  // Every field spelled out (no spread): this runs for every answered poll.
  return {
    device: h.device,
    status: degraded ? "degraded" : "online",
    consecutiveFailures: 0,
    withoutData: 0,
    errorCount: h.errorCount,
    requestCount: h.requestCount + 1,
    responseMs,
    lastError,
    lastErrorAt: h.lastErrorAt,
    demotedUntil: null,
  };
}

/**
 * Whether a failed request leaves the device offline. `everyReadFailing`: no poll block of the
 * device gave good data at its last read (the engine knows); without it, a device with one
 * block that always fails and another that answers would count its way to offline between
 * the good block's reads, and that is a degraded device, not a lost one (its failing block's
 * tags are bad on their own).
 */
function offlineAfter(h: DeviceHealth, cfg: DeviceConfig, withoutData: number, everyReadFailing: boolean): boolean {
  // A device that has not given good data since start-up or since it went offline stays offline.
  return h.status === "offline" || (everyReadFailing && withoutData >= cfg.demoteAfter);
}

export interface AnswerErrorOptions {
  /** false for a finding that is not a request of its own (a write that does not read back). Default true. */
  request?: boolean;
  /** No poll block of the device gave good data at its last read. Default true. */
  everyReadFailing?: boolean;
}

/**
 * The device answered, but not with what was asked for (an exception, data that cannot be
 * decoded, a write that does not read back). It is alive on the wire, so this ends a demotion
 * and a run of no-answers: it keeps being polled at its normal rate, which costs the line no
 * more than a healthy device does (an exception comes back as fast as data, and is not
 * retried), and finds out at once when the device has data again. But an answer without data
 * is no data: after demoteAfter such requests in a row, with no poll block answering, the
 * device is offline all the same (`<device>.online` false), so the row that covers its loss
 * acts, as for a device that is silent. A coupler whose backplane has failed answers every
 * request with exception 4 and has no I/O to give.
 */
export function recordAnswerError(h: DeviceHealth, cfg: DeviceConfig, message: string, wall: number, opts: AnswerErrorOptions = {}): DeviceHealth {
  const request = opts.request ?? true;
  const withoutData = h.withoutData + (request ? 1 : 0);
  const offline = request ? offlineAfter(h, cfg, withoutData, opts.everyReadFailing ?? true) : h.status === "offline";
  return {
    ...h,
    status: offline ? "offline" : "degraded",
    consecutiveFailures: 0,
    withoutData,
    demotedUntil: null,
    errorCount: h.errorCount + 1,
    requestCount: h.requestCount + (request ? 1 : 0),
    lastError: message,
    lastErrorAt: wall,
  };
}

/**
 * No usable answer: after cfg.demoteAfter in a row the device is demoted (offline, one probe
 * per demotion period). It is offline sooner when answer errors came before (see offlineAfter).
 */
export function recordFailure(h: DeviceHealth, cfg: DeviceConfig, message: string, now: number, wall: number = Date.now(), everyReadFailing = true): DeviceHealth {
  const consecutiveFailures = h.consecutiveFailures + 1;
  const withoutData = h.withoutData + 1;
  const demoted = consecutiveFailures >= cfg.demoteAfter;
  return {
    ...h,
    status: demoted || offlineAfter(h, cfg, withoutData, everyReadFailing) ? "offline" : "degraded",
    consecutiveFailures,
    withoutData,
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
