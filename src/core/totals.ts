// Totals and KPIs, the report a plant judges the skid by (REFERENCE-SKID.md "KPIs"):
// volumes of feed, product, RO permeate and concentrate, reuse and diverted volume,
// energy, time in spec per CCP, number and duration of diverts — per day and in total,
// as plain data that is persisted and continued after a restart.
//
// Integration: trapezoidal between consecutive scans (exact for flows that change
// linearly between scans). An interval counts only when the reading at both ends is
// usable (quality not bad, value finite); otherwise it is added to that flow's
// "unmeasured" time instead of guessing. Booleans (valve in reuse, divert, CCP in spec)
// seen at a scan hold until the next scan (zero-order hold).
import type { Quality } from "./quality.js";

export const FLOW_ROLES = ["feed", "product", "permeate", "concentrate"] as const;
export type FlowRole = (typeof FLOW_ROLES)[number];

export interface Reading {
  value: number | null;
  quality: Quality;
}

export interface TotalsInputs {
  /** Flows in m³/h: feed (FIT-201), product (FIT-501), permeate (FIT-301), concentrate (FIT-302). */
  flows: Partial<Record<FlowRole, Reading>>;
  /** Power of each drive in kW (VFD power readings); all must be usable for the energy to count. */
  power?: readonly Reading[];
  /** The divert valve is confirmed in the reuse position (commanded and ZSO made). */
  reuse: boolean;
  /** A divert is in progress (quality mode Divert while producing). */
  divert: boolean;
  /** CCP in spec (false also when its input is not good); pass only while the time should count. */
  ccps?: Readonly<Record<string, boolean>>;
}

export interface TotalsBucket {
  /** m³ per flow. */
  volume: Record<FlowRole, number>;
  /** m³ of product while confirmed in reuse / while not. */
  reuse: number;
  diverted: number;
  /** kWh. */
  energy: number;
  /** ms during which a flow (or the power) could not be measured. */
  unmeasured: Record<FlowRole | "power", number>;
  /** ms in spec and ms observed, per CCP. */
  ccp: Record<string, { inSpec: number; observed: number }>;
  diverts: { count: number; duration: number };
  /** ms covered by the controller's scans, and ms it was not running (from the wall clock across a restart). */
  elapsed: number;
  offline: number;
}

export interface TotalsState {
  total: TotalsBucket;
  day: { date: string; bucket: TotalsBucket } | null;
  previousDay: { date: string; bucket: TotalsBucket } | null;
  /** The previous scan; null after a restart (monotonic times of another process mean nothing). */
  last: {
    now: number;
    wall: number;
    flows: Partial<Record<FlowRole, number | null>>;
    power: number | null;
    reuse: boolean;
    divert: boolean;
    ccps: Record<string, boolean>;
  } | null;
  lastWall: number | null;
  divertActive: boolean;
}

/** Day boundaries: UTC, the process's local time (with its DST), or a fixed offset. */
export type DayBoundary = "utc" | "local" | { offsetMinutes: number };

export interface TotalsOptions {
  dayBoundary?: DayBoundary;
}

export interface TotalsKpis {
  /** RO recovery: permeate / (permeate + concentrate), in %. */
  recoveryPercent: number | null;
  /** kWh per m³ of product. */
  specificEnergy: number | null;
  timeInSpecPercent: Record<string, number | null>;
}

export type TotalsEvent = { kind: "dayClosed"; date: string; bucket: TotalsBucket; kpis: TotalsKpis };

const MS_PER_HOUR = 3_600_000;
const UNMEASURED_KEYS = [...FLOW_ROLES, "power"] as const;

export function emptyBucket(): TotalsBucket {
  return {
    volume: { feed: 0, product: 0, permeate: 0, concentrate: 0 },
    reuse: 0,
    diverted: 0,
    energy: 0,
    unmeasured: { feed: 0, product: 0, permeate: 0, concentrate: 0, power: 0 },
    ccp: {},
    diverts: { count: 0, duration: 0 },
    elapsed: 0,
    offline: 0,
  };
}

export function initialTotalsState(): TotalsState {
  return { total: emptyBucket(), day: null, previousDay: null, last: null, lastWall: null, divertActive: false };
}

/** A persisted state, ready to continue in a new process: the next scan starts a new baseline. */
export function restoreTotals(persisted: TotalsState): TotalsState {
  return { ...persisted, last: null };
}

function usable(r: Reading | undefined): number | null {
  return r !== undefined && r.quality.code !== "bad" && r.value !== null && Number.isFinite(r.value) ? r.value : null;
}

function computeDayKey(wall: number, b: DayBoundary): string {
  if (b === "local") {
    const d = new Date(wall);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }
  const offset = b === "utc" ? 0 : b.offsetMinutes * 60_000;
  return new Date(wall + offset).toISOString().slice(0, 10);
}

/** Wall time at which the day `date` starts (dayOffset 0) or ends (dayOffset 1). */
function dayEdge(date: string, b: DayBoundary, dayOffset: 0 | 1): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  if (b === "local") return new Date(y, m - 1, d + dayOffset).getTime();
  return Date.UTC(y, m - 1, d + dayOffset) - (b === "utc" ? 0 : b.offsetMinutes * 60_000);
}

const dayEnd = (date: string, b: DayBoundary): number => dayEdge(date, b, 1);

// The date changes once a day but is asked every scan: remember the last day's bounds.
let lastDay: { b: DayBoundary; key: string; start: number; end: number } | null = null;

function dayKey(wall: number, b: DayBoundary): string {
  if (lastDay !== null && lastDay.b === b && wall >= lastDay.start && wall < lastDay.end) return lastDay.key;
  const key = computeDayKey(wall, b);
  lastDay = { b, key, start: dayEdge(key, b, 0), end: dayEdge(key, b, 1) };
  return key;
}

/** a + f·b, field by field (f splits an interval that crosses midnight; counts are not split). */
function addInto(a: TotalsBucket, b: TotalsBucket, f = 1): TotalsBucket {
  const ccp = { ...a.ccp };
  for (const name in b.ccp) {
    const c = b.ccp[name] as { inSpec: number; observed: number };
    const prev = ccp[name] ?? { inSpec: 0, observed: 0 };
    ccp[name] = { inSpec: prev.inSpec + f * c.inSpec, observed: prev.observed + f * c.observed };
  }
  const volume = { ...a.volume };
  for (const k of FLOW_ROLES) volume[k] += f * b.volume[k];
  const unmeasured = { ...a.unmeasured };
  for (const k of UNMEASURED_KEYS) unmeasured[k] += f * b.unmeasured[k];
  return {
    volume,
    reuse: a.reuse + f * b.reuse,
    diverted: a.diverted + f * b.diverted,
    energy: a.energy + f * b.energy,
    unmeasured,
    ccp,
    diverts: { count: a.diverts.count + b.diverts.count, duration: a.diverts.duration + f * b.diverts.duration },
    elapsed: a.elapsed + f * b.elapsed,
    offline: a.offline + f * b.offline,
  };
}

/** What one interval between two scans adds. */
type Scan = NonNullable<TotalsState["last"]>;

function interval(last: Scan, cur: Scan, dt: number): TotalsBucket {
  const d = emptyBucket();
  d.elapsed = dt;
  for (const k of FLOW_ROLES) {
    const q0 = last.flows[k];
    const q1 = cur.flows[k];
    if (q0 === null || q0 === undefined || q1 === null || q1 === undefined) d.unmeasured[k] = dt;
    else d.volume[k] = (((q0 + q1) / 2) * dt) / MS_PER_HOUR;
  }
  if (d.unmeasured.product === 0) d[last.reuse ? "reuse" : "diverted"] = d.volume.product;
  if (last.power === null || cur.power === null) d.unmeasured.power = dt;
  else d.energy = (((last.power + cur.power) / 2) * dt) / MS_PER_HOUR;
  for (const name in last.ccps) d.ccp[name] = { inSpec: last.ccps[name] === true ? dt : 0, observed: dt };
  if (last.divert) d.diverts.duration = dt;
  return d;
}

export function totalsKpis(b: TotalsBucket): TotalsKpis {
  const ro = b.volume.permeate + b.volume.concentrate;
  const timeInSpecPercent: Record<string, number | null> = {};
  for (const [name, c] of Object.entries(b.ccp)) timeInSpecPercent[name] = c.observed > 0 ? (100 * c.inSpec) / c.observed : null;
  return {
    recoveryPercent: ro > 0 ? (100 * b.volume.permeate) / ro : null,
    specificEnergy: b.volume.product > 0 ? b.energy / b.volume.product : null,
    timeInSpecPercent,
  };
}

/**
 * One scan: integrates since the previous scan (monotonic `now`, ms) and files the result
 * under the day of `wall` (epoch ms), closing the previous day when the date changes.
 */
export function totalsStep(
  state: TotalsState,
  inputs: TotalsInputs,
  now: number,
  wall: number,
  options: TotalsOptions = {},
): { state: TotalsState; events: TotalsEvent[] } {
  const boundary = options.dayBoundary ?? "utc";
  const events: TotalsEvent[] = [];
  const power = inputs.power === undefined ? null : inputs.power.map(usable).reduce<number | null>((s, p) => (s === null || p === null ? null : s + p), 0);
  const flows: Partial<Record<FlowRole, number | null>> = {};
  for (const k of FLOW_ROLES) flows[k] = usable(inputs.flows[k]);
  const current: Scan = { now, wall, flows, power, reuse: inputs.reuse, divert: inputs.divert, ccps: { ...inputs.ccps } };

  let delta = emptyBucket();
  if (state.last !== null) delta = interval(state.last, current, Math.max(0, now - state.last.now));
  else if (state.lastWall !== null) delta.offline = Math.max(0, wall - state.lastWall);
  // A divert that goes on across a restart is still one divert.
  if (inputs.divert && !state.divertActive) delta.diverts.count = 1;

  const total = addInto(state.total, delta);
  let day = state.day;
  let previousDay = state.previousDay;
  const today = dayKey(wall, boundary);
  if (day === null) {
    day = { date: today, bucket: addInto(emptyBucket(), delta) };
  } else if (today > day.date) {
    // Split the interval at midnight in proportion to wall time; the divert edge, seen now, is today's.
    const lastWall = state.last?.wall ?? wall;
    const end = dayEnd(day.date, boundary);
    const f = wall > lastWall ? Math.min(1, Math.max(0, (end - lastWall) / (wall - lastWall))) : 0;
    const before = addInto(day.bucket, { ...delta, diverts: { count: 0, duration: delta.diverts.duration } }, f);
    events.push({ kind: "dayClosed", date: day.date, bucket: before, kpis: totalsKpis(before) });
    previousDay = { date: day.date, bucket: before };
    day = { date: today, bucket: addInto(emptyBucket(), delta, 1 - f) };
  } else {
    day = { date: day.date, bucket: addInto(day.bucket, delta) };
  }
  return { state: { total, day, previousDay, last: current, lastWall: wall, divertActive: inputs.divert }, events };
}
