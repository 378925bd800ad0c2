// Checks a run against a scenario's expectations. Pure: a list of expectations and a run
// record in, one sentence per failure out, written for the person reading a red CI job
// ("divert expected within 2m after 5m: first divert at 7m12s").
import type { Expectation, RunRecord, TimedCause } from "./types.js";

/** 432 s → "7m12s", 300 s → "5m", 4.5 s → "4.5s", 0 → "0s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  const sign = s < 0 ? "-" : "";
  let rest = Math.round(Math.abs(s) * 1000) / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest = Math.round((rest - m * 60) * 1000) / 1000;
  const parts = [h ? `${h}h` : "", m ? `${m}m` : "", rest ? `${rest}s` : ""].join("");
  return sign + (parts || "0s");
}

const fmtMs = (ms: number): string => formatSeconds(ms / 1000);

function firstIn(items: readonly TimedCause[], fromS: number): TimedCause | undefined {
  return items.filter((d) => d.atS >= fromS).sort((a, b) => a.atS - b.atS)[0];
}

function describe(d: TimedCause): string {
  return d.cause ? `${formatSeconds(d.atS)} (${d.cause})` : formatSeconds(d.atS);
}

function within(what: string, items: readonly TimedCause[], afterMs: number, withinMs: number): string | null {
  const head = `${what} expected within ${fmtMs(withinMs)} after ${fmtMs(afterMs)}`;
  const first = firstIn(items, afterMs / 1000);
  if (!first) return `${head}: no ${what} after ${fmtMs(afterMs)}${items.length > 0 ? ` (${items.length} before)` : ""}`;
  if (first.atS > (afterMs + withinMs) / 1000) return `${head}: first ${what} at ${describe(first)}`;
  return null;
}

function none(what: string, items: readonly TimedCause[], fromMs: number, toMs: number): string | null {
  const hits = items.filter((d) => d.atS >= fromMs / 1000 && d.atS < toMs / 1000).sort((a, b) => a.atS - b.atS);
  if (hits.length === 0) return null;
  const more = hits.length > 1 ? ` and ${hits.length - 1} more` : "";
  return `no ${what} expected from ${fmtMs(fromMs)} to ${fmtMs(toMs)}: ${what} at ${describe(hits[0] as TimedCause)}${more}`;
}

function check(x: Expectation, run: RunRecord): string | null {
  switch (x.kind) {
    case "divert":
      return within("divert", run.diverts, x.afterMs, x.withinMs);
    case "noDivert":
      return none("divert", run.diverts, x.fromMs, x.toMs);
    case "trip":
      return within("trip", run.trips, x.afterMs, x.withinMs);
    case "noTrip":
      return none("trip", run.trips, x.fromMs, x.toMs);
    case "alarm": {
      const fromS = (x.afterMs ?? 0) / 1000;
      const toS = x.withinMs !== undefined ? fromS + x.withinMs / 1000 : Number.POSITIVE_INFINITY;
      const raised = run.alarms.filter((a) => a.name === x.name).sort((a, b) => a.atS - b.atS);
      if (raised.some((a) => a.atS >= fromS && a.atS <= toS)) return null;
      const window = x.withinMs !== undefined ? ` within ${fmtMs(x.withinMs)} after ${fmtMs(x.afterMs ?? 0)}` : x.afterMs ? ` after ${fmtMs(x.afterMs)}` : "";
      const seen = raised.length > 0 ? `raised only at ${raised.map((a) => formatSeconds(a.atS)).join(", ")}` : "never raised";
      return `alarm ${x.name} expected${window}: ${seen}`;
    }
    case "noAlarm": {
      const fromS = (x.fromMs ?? 0) / 1000;
      const toS = x.toMs !== undefined ? x.toMs / 1000 : Number.POSITIVE_INFINITY;
      const hit = run.alarms.filter((a) => a.name === x.name && a.atS >= fromS && a.atS < toS).sort((a, b) => a.atS - b.atS)[0];
      if (!hit) return null;
      const window = x.fromMs !== undefined || x.toMs !== undefined ? ` from ${fmtMs(x.fromMs ?? 0)}${x.toMs !== undefined ? ` to ${fmtMs(x.toMs)}` : ""}` : "";
      return `alarm ${x.name} not expected${window}: raised at ${formatSeconds(hit.atS)}`;
    }
    case "offSpecToReuseL":
      return run.offSpecToReuseL <= x.max ? null : `off-spec water to reuse: ${round(run.offSpecToReuseL)} L, expected at most ${x.max} L`;
    case "reuseM3": {
      if (x.min !== undefined && run.reuseM3 < x.min) return `water to reuse: ${round(run.reuseM3)} m³, expected at least ${x.min} m³`;
      if (x.max !== undefined && run.reuseM3 > x.max) return `water to reuse: ${round(run.reuseM3)} m³, expected at most ${x.max} m³`;
      return null;
    }
    case "finalState":
      return run.finalState === x.state ? null : `final state expected ${x.state}: was ${run.finalState}`;
    case "qualityMode":
      return run.qualityMode === x.mode ? null : `quality mode at the end expected ${x.mode}: was ${run.qualityMode}`;
    default:
      return null;
  }
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Every expectation that the run does not meet, in the scenario's order; empty = passed. */
export function evaluate(expectations: readonly Expectation[], run: RunRecord): string[] {
  const out: string[] = [];
  for (const x of expectations) {
    const f = check(x, run);
    if (f !== null) out.push(f);
  }
  return out;
}
