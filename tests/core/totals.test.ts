// Totals and KPIs: known flows over known times give known volumes, bad quality becomes
// unmeasured time, days close at the chosen boundary, and a restart from the persisted
// state continues the totals.
import { describe, expect, it } from "vitest";
import { GOOD, bad } from "../../src/core/quality.js";
import {
  type TotalsEvent,
  type TotalsInputs,
  type TotalsOptions,
  type TotalsState,
  initialTotalsState,
  restoreTotals,
  totalsKpis,
  totalsStep,
} from "../../src/core/totals.js";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const MIDNIGHT = Date.UTC(2025, 5, 2); // 2025-06-02T00:00:00Z
const good = (value: number) => ({ value, quality: GOOD });
const offline = { value: null, quality: bad("no-comm", "flow-501 offline") };

const NOMINAL: TotalsInputs = {
  flows: { feed: good(40), product: good(30), permeate: good(30), concentrate: good(10) },
  power: [good(15), good(45)],
  reuse: true,
  divert: false,
  ccps: { "CCP-1": true },
};

/** Runs scans every `period` ms over [from, to] (monotonic), wall = wall0 + (now − from). */
function drive(
  state: TotalsState,
  from: number,
  to: number,
  inputs: (now: number) => TotalsInputs,
  opts: { wall0?: number; period?: number; options?: TotalsOptions } = {},
): { state: TotalsState; events: TotalsEvent[] } {
  const period = opts.period ?? S;
  const wall0 = opts.wall0 ?? MIDNIGHT + H;
  const events: TotalsEvent[] = [];
  for (let now = from; now <= to; now += period) {
    const r = totalsStep(state, inputs(now), now, wall0 + (now - from), opts.options);
    state = r.state;
    events.push(...r.events);
  }
  return { state, events };
}

describe("volumes from known flows", () => {
  it("integrates constant flows over an hour of 100 ms scans", () => {
    const { state } = drive(initialTotalsState(), 0, H, () => NOMINAL, { period: 100 });
    const t = state.total;
    expect(t.volume.feed).toBeCloseTo(40, 9);
    expect(t.volume.product).toBeCloseTo(30, 9);
    expect(t.volume.permeate).toBeCloseTo(30, 9);
    expect(t.volume.concentrate).toBeCloseTo(10, 9);
    expect(t.reuse).toBeCloseTo(30, 9);
    expect(t.diverted).toBe(0);
    expect(t.energy).toBeCloseTo(60, 9);
    expect(t.elapsed).toBe(H);
    const k = totalsKpis(t);
    expect(k.recoveryPercent).toBeCloseTo(75, 9);
    expect(k.specificEnergy).toBeCloseTo(2, 9);
    expect(k.timeInSpecPercent).toEqual({ "CCP-1": 100 });
  });

  it("is exact for a linear ramp (trapezoidal rule)", () => {
    const ramp = (now: number): TotalsInputs => ({ ...NOMINAL, flows: { product: good((60 * now) / H) } });
    const { state } = drive(initialTotalsState(), 0, H, ramp, { period: 7 * S + 13 });
    // The last scan falls short of the hour; the ramp's integral up to it is (60/H)·t²/2.
    const last = Math.floor(H / (7 * S + 13)) * (7 * S + 13);
    expect(state.total.volume.product).toBeCloseTo(((60 / H) * last * last) / 2 / H, 9);
  });

  it("splits product into reuse and diverted by the confirmed valve position", () => {
    const { state } = drive(initialTotalsState(), 0, H, (now) => ({ ...NOMINAL, reuse: now < 30 * MIN }));
    expect(state.total.reuse).toBeCloseTo(15, 9);
    expect(state.total.diverted).toBeCloseTo(15, 9);
  });
});

describe("unmeasured time", () => {
  it("skips every interval that touches a bad reading and counts it", () => {
    // Product flow bad for the samples in [10 min, 20 min): 600 samples, 601 intervals.
    const inputs = (now: number): TotalsInputs => ({ ...NOMINAL, flows: { ...NOMINAL.flows, product: now >= 10 * MIN && now < 20 * MIN ? offline : good(30) } });
    const { state } = drive(initialTotalsState(), 0, H, inputs);
    expect(state.total.unmeasured.product).toBe(601 * S);
    expect(state.total.volume.product).toBeCloseTo((30 * (H - 601 * S)) / H, 9);
    expect(state.total.reuse).toBeCloseTo(state.total.volume.product, 9);
    expect(state.total.volume.feed).toBeCloseTo(40, 9);
    expect(state.total.unmeasured.feed).toBe(0);
  });

  it("needs every power reading for the energy", () => {
    const inputs = (now: number): TotalsInputs => ({ ...NOMINAL, power: [good(15), now < 30 * MIN ? good(45) : offline] });
    const { state } = drive(initialTotalsState(), 0, H, inputs, { period: MIN });
    // The interval that ends on the first bad reading (29 → 30 min) is unmeasured too.
    expect(state.total.energy).toBeCloseTo(29, 9);
    expect(state.total.unmeasured.power).toBe(31 * MIN);
  });

  it("counts an uncertain reading as measured", () => {
    const inputs = (): TotalsInputs => ({ ...NOMINAL, flows: { product: { value: 30, quality: { code: "uncertain", reason: "warning" } } } });
    expect(drive(initialTotalsState(), 0, H, inputs, { period: MIN }).state.total.volume.product).toBeCloseTo(30, 9);
  });
});

describe("CCP time in spec and diverts", () => {
  it("gives time in spec per CCP in %", () => {
    const inputs = (now: number): TotalsInputs => ({ ...NOMINAL, ccps: { "CCP-1": now < 54 * MIN, "CCP-4": true } });
    const k = totalsKpis(drive(initialTotalsState(), 0, H, inputs).state.total);
    expect(k.timeInSpecPercent["CCP-1"]).toBeCloseTo(90, 9);
    expect(k.timeInSpecPercent["CCP-4"]).toBe(100);
  });

  it("counts diverts and their duration", () => {
    const diverting = (now: number) => (now >= 10 * MIN && now < 15 * MIN) || (now >= 30 * MIN && now < 40 * MIN);
    const { state } = drive(initialTotalsState(), 0, H, (now) => ({ ...NOMINAL, divert: diverting(now), reuse: !diverting(now) }));
    expect(state.total.diverts).toEqual({ count: 2, duration: 15 * MIN });
    expect(state.total.diverted).toBeCloseTo(7.5, 9);
  });
});

describe("days", () => {
  it("closes the day at midnight UTC, splitting the interval that crosses it", () => {
    // 30 m³/h from 23:30 to 00:30, scans every 7 min: the 23:58 → 00:05 scan crosses midnight.
    const { state, events } = drive(initialTotalsState(), 0, 63 * MIN, () => NOMINAL, { wall0: MIDNIGHT - 30 * MIN, period: 7 * MIN });
    expect(events).toHaveLength(1);
    const closed = events[0] as TotalsEvent;
    expect(closed.date).toBe("2025-06-01");
    expect(closed.bucket.volume.product).toBeCloseTo(15, 9);
    expect(closed.bucket.elapsed).toBeCloseTo(30 * MIN, 6);
    expect(closed.kpis.recoveryPercent).toBeCloseTo(75, 9);
    expect(state.day?.date).toBe("2025-06-02");
    expect(state.day?.bucket.volume.product).toBeCloseTo(15 + 30 * (3 / 60), 9);
    expect(state.previousDay?.date).toBe("2025-06-01");
    expect(state.total.volume.product).toBeCloseTo(state.day!.bucket.volume.product + closed.bucket.volume.product, 9);
  });

  it("uses a fixed offset when asked (UTC+2: the day ends at 22:00 UTC)", () => {
    const { events } = drive(initialTotalsState(), 0, H, () => NOMINAL, {
      wall0: MIDNIGHT - 2 * H - 30 * MIN,
      period: MIN,
      options: { dayBoundary: { offsetMinutes: 120 } },
    });
    expect(events.map((e) => e.date)).toEqual(["2025-06-01"]);
    expect(events[0]?.bucket.volume.product).toBeCloseTo(15, 9);
  });

  it("puts a divert's count on the day it began", () => {
    const { events, state } = drive(initialTotalsState(), 0, 20 * MIN, (now) => ({ ...NOMINAL, divert: now >= 10 * MIN }), {
      wall0: MIDNIGHT - 10 * MIN,
      period: MIN,
    });
    expect(events[0]?.bucket.diverts.count).toBe(0);
    expect(state.day?.bucket.diverts).toEqual({ count: 1, duration: 10 * MIN });
  });

  it("does not reopen a day when the wall clock steps back", () => {
    let s = drive(initialTotalsState(), 0, 10 * MIN, () => NOMINAL, { wall0: MIDNIGHT + 5 * MIN, period: MIN }).state;
    const r = totalsStep(s, NOMINAL, 11 * MIN, MIDNIGHT - MIN);
    s = r.state;
    expect(r.events).toEqual([]);
    expect(s.day?.date).toBe("2025-06-02");
  });
});

describe("restart", () => {
  it("continues from the persisted state with a new monotonic base, counting the time offline", () => {
    const before = drive(initialTotalsState(), 0, 30 * MIN, (now) => ({ ...NOMINAL, divert: now >= 20 * MIN }), { wall0: MIDNIGHT + H }).state;
    const persisted = JSON.parse(JSON.stringify(before)) as TotalsState;
    // The new process's monotonic clock starts near zero; the wall clock is 2 min later.
    const after = drive(restoreTotals(persisted), 5, 30 * MIN + 5, () => ({ ...NOMINAL, divert: true }), { wall0: MIDNIGHT + H + 32 * MIN }).state;
    expect(after.total.volume.product).toBeCloseTo(30, 9);
    expect(after.total.offline).toBe(2 * MIN);
    expect(after.total.elapsed).toBe(H);
    // The divert that was going on at the restart is still one divert.
    expect(after.total.diverts).toEqual({ count: 1, duration: 40 * MIN });
    expect(after.day?.bucket.volume.product).toBeCloseTo(30, 9);
  });

  it("starts from nothing", () => {
    const r = totalsStep(initialTotalsState(), NOMINAL, 0, MIDNIGHT);
    expect(r.state.total.volume.product).toBe(0);
    expect(r.state.day?.date).toBe("2025-06-02");
    expect(totalsKpis(r.state.total)).toEqual({ recoveryPercent: null, specificEnergy: null, timeInSpecPercent: {} });
  });
});
