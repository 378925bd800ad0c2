// The status snapshot: what `reclaim status --json` prints and the demo summarises. Its
// top-level shape is a stable interface (issue 2): skid, state, qualityMode, tags, devices, alarms.
import type { CoreState } from "../core/scan.js";
import { verifiedVolumeM3 } from "../core/divert.js";
import type { Config } from "../config/schema.js";
import { describeQuality, type TagValue } from "../core/quality.js";
import type { DeviceHealth } from "../field/modbus/health.js";

export interface TagStatus {
  value: TagValue;
  unit: string;
  quality: "good" | "bad" | "uncertain";
  /** Why the quality is not good, in words; absent when good. */
  reason?: string;
  /** Source timestamp, ISO 8601 (null before the first read). */
  ts: string | null;
}

export interface StatusSnapshot {
  skid: string;
  state: string;
  qualityMode: string;
  divert: {
    latched: boolean;
    cause: string | null;
    firstOut: string | null;
    verificationRemainingS: number | null;
    /** Product that has passed since every CCP came back in spec, and what must pass before reuse (m³). */
    flushedM3?: number;
    flushNeededM3?: number;
  };
  ccps: Record<string, { status: string; tag: string; value: number | null; reason: string | null }>;
  tags: Record<string, TagStatus>;
  devices: Record<string, { online: boolean; status: string; responseMs: number | null; errorCount: number; lastError: string | null }>;
  alarms: unknown[];
}

export function buildStatus(config: Config, core: CoreState, devices: readonly DeviceHealth[], now: number): StatusSnapshot {
  const tags: Record<string, TagStatus> = {};
  for (const t of config.tags) {
    const s = core.tags[t.name];
    if (!s) continue;
    const entry: TagStatus = { value: s.value, unit: t.unit, quality: s.quality.code, ts: s.sourceTs > 0 ? new Date(s.sourceTs).toISOString() : null };
    if (s.quality.code !== "good") entry.reason = describeQuality(s.quality).replace(/^\w+ \((.*)\)$/, "$1");
    tags[t.name] = entry;
  }
  const ccps: StatusSnapshot["ccps"] = {};
  for (const c of config.quality.ccps) {
    const s = core.ccps[c.name];
    if (s) ccps[c.name] = { status: s.status, tag: c.tag, value: s.value, reason: s.reason };
  }
  const d = core.divert;
  const remaining = d.latched && d.inSpecSince !== null ? Math.max(0, config.quality.verification - (now - d.inSpecSince)) / 1000 : null;
  return {
    skid: config.skid.id,
    state: core.state,
    qualityMode: d.mode,
    divert: {
      latched: d.latched,
      cause: d.cause,
      firstOut: d.firstOut ? `${d.firstOut.ccp}: ${d.firstOut.reason}` : null,
      verificationRemainingS: remaining,
      ...(d.latched ? { flushedM3: Math.round(d.inSpecM3 * 1000) / 1000, flushNeededM3: verifiedVolumeM3(config.quality) } : {}),
    },
    ccps,
    tags,
    devices: Object.fromEntries(
      devices.map((h) => [h.device, { online: h.status !== "offline", status: h.status, responseMs: h.responseMs === null ? null : Math.round(h.responseMs * 10) / 10, errorCount: h.errorCount, lastError: h.lastError }]),
    ),
    alarms: [],
  };
}

/** One short human line: state, quality mode, the CCP values. */
export function statusLine(config: Config, s: StatusSnapshot): string {
  const ccps = config.quality.ccps
    .map((c) => {
      const t = s.tags[c.tag];
      const v = typeof t?.value === "number" ? Number(t.value.toPrecision(3)) : "—";
      return `${c.tag} ${v}${t?.unit ? ` ${t.unit}` : ""}${t && t.quality !== "good" ? ` (${t.quality})` : ""}`;
    })
    .join(" · ");
  const why = s.qualityMode === "Divert" && s.divert.cause ? ` [${s.divert.cause}${s.divert.verificationRemainingS !== null ? `, verifying ${Math.ceil(s.divert.verificationRemainingS)} s` : ""}]` : "";
  return `${s.state} · ${s.qualityMode}${why} · ${ccps}`;
}
