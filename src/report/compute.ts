// A period's compliance report, computed from the database file and the config: feed,
// product, reuse and diverted volumes, RO recovery, energy per m³, time in spec per CCP,
// every divert with its cause and duration, and every forced output. Pure reading: it works
// whether or not the controller runs.
import type { CcpConfig, Config } from "../config/schema.js";
import type { StoreReader } from "../store/index.js";
import { bucketize, goodNumber, integrate, MS_PER_HOUR, segments, type Bucket, type Segment } from "./series.js";
import { forcedTimeline, modeTimeline, type ModeInterval } from "./timeline.js";

export interface Volume {
  tag: string;
  m3: number;
  /** ms of the period without a usable flow reading. */
  unmeasuredMs: number;
}

export interface CcpCompliance {
  name: string;
  description: string;
  tag: string;
  unit: string;
  critical: CcpConfig["critical"];
  alert: CcpConfig["alert"];
  /** ms inside the critical limits with good quality (alertMs is the part past an alert limit). */
  inSpecMs: number;
  alertMs: number;
  /** ms past a critical limit. */
  offSpecMs: number;
  /** ms with a value that was not good (a CCP counts that as off-spec). */
  badMs: number;
  noDataMs: number;
  /** In spec as a share of the time with data (%); null without data. */
  inSpecPercent: number | null;
  min: number | null;
  max: number | null;
  /** Time-weighted mean of the good values. */
  mean: number | null;
}

export interface DivertRecord {
  start: number;
  /** null: still diverted at the end of the period. */
  end: number | null;
  durationMs: number;
  cause: string;
  firstOut: string | null;
  /** It had begun before the period started (start is the period's start). */
  fromBefore: boolean;
}

export interface ForcedRecord {
  tag: string;
  value: unknown;
  by: string;
  start: number;
  end: number | null;
  durationMs: number;
  endedBy: string | null;
}

export interface ComplianceReport {
  skid: { id: string; name: string };
  from: number;
  to: number;
  generatedAt: number;
  volumes: { feed: Volume | null; product: Volume | null; permeate: Volume | null; concentrate: Volume | null; reuseM3: number | null; divertedM3: number | null };
  recoveryPercent: number | null;
  energy: { kwh: number; perM3: number | null; unmeasuredMs: number } | null;
  ccps: CcpCompliance[];
  diverts: DivertRecord[];
  forced: ForcedRecord[];
  /** Min/max/mean per interval, for the HTML charts. */
  charts: { intervalMs: number; ccps: Record<string, Bucket[]>; product: Bucket[] };
}

/** How long a logged sample may stand for the value: twice the tag's longest logging interval. */
function holdOf(config: Config, tag: string): number {
  const t = config.tags.find((x) => x.name === tag);
  return 2 * (t?.history?.maxInterval ?? 60_000);
}

function segs(reader: StoreReader, config: Config, tag: string, from: number, to: number): Generator<Segment> {
  return segments(reader, tag, from, to, holdOf(config, tag));
}

function volume(reader: StoreReader, config: Config, tag: string | undefined, from: number, to: number): Volume | null {
  if (!tag) return null;
  const i = integrate(segs(reader, config, tag, from, to));
  return { tag, m3: i.sum / MS_PER_HOUR, unmeasuredMs: i.unmeasuredMs };
}

/** Product volume split by quality mode: Reuse and Divert (two pointers over sorted intervals). */
function splitProduct(reader: StoreReader, config: Config, tag: string, from: number, to: number, modes: readonly ModeInterval[]): { reuse: number; diverted: number } {
  let reuse = 0;
  let diverted = 0;
  let i = 0;
  for (const s of segs(reader, config, tag, from, to)) {
    const v = goodNumber(s);
    if (v === null) continue;
    while (i < modes.length && (modes[i]?.end ?? Infinity) <= s.start) i++;
    let t = s.start;
    for (let j = i; j < modes.length && t < s.end; j++) {
      const m = modes[j] as ModeInterval;
      if (m.start >= s.end) break;
      const a = Math.max(t, m.start);
      const b = Math.min(s.end, m.end);
      if (b <= a) continue;
      // Before the first mode change ever recorded the mode is unknown: counted as diverted.
      if (a > t) diverted += (v * (a - t)) / MS_PER_HOUR;
      if (m.mode === "Reuse") reuse += (v * (b - a)) / MS_PER_HOUR;
      else diverted += (v * (b - a)) / MS_PER_HOUR;
      t = b;
    }
    if (t < s.end) diverted += (v * (s.end - t)) / MS_PER_HOUR;
  }
  return { reuse, diverted };
}

function beyond(l: { high?: number | undefined; low?: number | undefined }, v: number): boolean {
  return (l.high !== undefined && v > l.high) || (l.low !== undefined && v < l.low);
}

function ccpCompliance(reader: StoreReader, config: Config, c: CcpConfig, from: number, to: number): CcpCompliance {
  const r = { inSpecMs: 0, alertMs: 0, offSpecMs: 0, badMs: 0, noDataMs: 0 };
  let min: number | null = null;
  let max: number | null = null;
  let weighted = 0;
  for (const s of segs(reader, config, c.tag, from, to)) {
    const dt = s.end - s.start;
    const v = goodNumber(s);
    if (s.value === null) r.noDataMs += dt;
    else if (v === null) r.badMs += dt;
    else {
      min = min === null ? v : Math.min(min, v);
      max = max === null ? v : Math.max(max, v);
      weighted += v * dt;
      if (beyond(c.critical, v)) r.offSpecMs += dt;
      else {
        r.inSpecMs += dt;
        if (beyond(c.alert, v)) r.alertMs += dt;
      }
    }
  }
  const withData = to - from - r.noDataMs;
  const good = r.inSpecMs + r.offSpecMs;
  return {
    name: c.name,
    description: c.description,
    tag: c.tag,
    unit: config.tags.find((t) => t.name === c.tag)?.unit ?? "",
    critical: c.critical,
    alert: c.alert,
    ...r,
    inSpecPercent: withData > 0 ? (100 * r.inSpecMs) / withData : null,
    min,
    max,
    mean: good > 0 ? weighted / good : null,
  };
}

function diverts(modes: readonly ModeInterval[], from: number, to: number, now: number): DivertRecord[] {
  return modes
    .filter((m) => m.mode === "Divert" && m.end > from && m.start < to)
    .map((m) => {
      const start = Math.max(m.start, from);
      const ongoing = m.end === Infinity && to >= now;
      const end = Math.min(m.end, to);
      return { start, end: ongoing ? null : end, durationMs: end - start, cause: m.cause ?? "unknown", firstOut: m.firstOut, fromBefore: m.start < from };
    });
}

function energy(reader: StoreReader, config: Config, from: number, to: number, productM3: number | null): ComplianceReport["energy"] {
  const tags = config.totals.power;
  if (tags.length === 0) return null;
  let kwh = 0;
  let unmeasuredMs = 0;
  for (const tag of tags) {
    const i = integrate(segs(reader, config, tag, from, to));
    kwh += i.sum / MS_PER_HOUR;
    unmeasuredMs = Math.max(unmeasuredMs, i.unmeasuredMs);
  }
  return { kwh, perM3: productM3 && productM3 > 0 ? kwh / productM3 : null, unmeasuredMs };
}

/** Chart resolution: about 240 points across the period, never finer than a second. */
export function chartInterval(from: number, to: number): number {
  return Math.max(1000, Math.ceil((to - from) / 240));
}

export function computeReport(reader: StoreReader, config: Config, from: number, to: number, now = Date.now()): ComplianceReport {
  const t = config.totals;
  const modes = modeTimeline(reader, to);
  const product = volume(reader, config, t.product, from, to);
  const split = t.product ? splitProduct(reader, config, t.product, from, to, modes) : null;
  const permeate = volume(reader, config, t.permeate, from, to);
  const concentrate = volume(reader, config, t.concentrate, from, to);
  const ro = permeate && concentrate ? permeate.m3 + concentrate.m3 : 0;
  const intervalMs = chartInterval(from, to);
  const forced = forcedTimeline(reader, to)
    .filter((f) => f.end > from && f.start < to)
    .map((f) => {
      const start = Math.max(f.start, from);
      const end = f.end === Infinity ? null : Math.min(f.end, to);
      return { tag: f.tag, value: f.value, by: f.by, start, end, durationMs: (end ?? Math.min(to, now)) - start, endedBy: f.endedBy };
    });
  return {
    skid: { id: config.skid.id, name: config.skid.name },
    from,
    to,
    generatedAt: now,
    volumes: {
      feed: volume(reader, config, t.feed, from, to),
      product,
      permeate,
      concentrate,
      reuseM3: split?.reuse ?? null,
      divertedM3: split?.diverted ?? null,
    },
    recoveryPercent: permeate && concentrate && ro > 0 ? (100 * permeate.m3) / ro : null,
    energy: energy(reader, config, from, to, product?.m3 ?? null),
    ccps: config.quality.ccps.map((c) => ccpCompliance(reader, config, c, from, to)),
    diverts: diverts(modes, from, to, now),
    forced,
    charts: {
      intervalMs,
      ccps: Object.fromEntries(config.quality.ccps.map((c) => [c.name, bucketize(segs(reader, config, c.tag, from, to), from, intervalMs)])),
      product: t.product ? bucketize(segs(reader, config, t.product, from, to), from, intervalMs) : [],
    },
  };
}
