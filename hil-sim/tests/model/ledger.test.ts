import { describe, expect, it } from "vitest";
import { DEFAULT_CCP_LIMITS, TruthLedger, isOffSpec } from "../../src/model/ledger.js";
import { PlugFlowPipe } from "../../src/model/plugflow.js";
import { NQ, Q } from "../../src/model/tags.js";

/** Water of good quality, with overrides. */
function water(o: Partial<Record<keyof typeof Q, number>> = {}): Float64Array {
  const q = new Float64Array(NQ);
  q[Q.TURB] = o.TURB ?? 0.06;
  q[Q.COND] = o.COND ?? 40;
  q[Q.FEED_COND] = o.FEED_COND ?? 2000;
  q[Q.CL] = o.CL ?? 1;
  q[Q.PH] = o.PH ?? 7.4;
  q[Q.TEMP] = o.TEMP ?? 22;
  return q;
}

const DT = 100;
const stepM3 = (30 * DT) / 3_600_000;

/** Books `ms` of water at 30 m³/h. */
function flow(ledger: TruthLedger, q: Float64Array, ms: number, inDivert: boolean, t0 = 0): void {
  for (let t = t0; t < t0 + ms; t += DT) ledger.record(stepM3, q, 0, inDivert, t);
}

describe("truth ledger", () => {
  it("counts 10 min of off-spec water at 30 m³/h into reuse as 5000 L", () => {
    const l = new TruthLedger();
    flow(l, water({ TURB: 1 }), 600_000, false);
    expect(l.offSpecToReuseL).toBeCloseTo(5000, 6);
    expect(l.reuseM3).toBeCloseTo(5, 9);
    expect(l.divertedM3).toBe(0);
  });

  it("counts the same water with the valve in divert as 0 L to reuse", () => {
    const l = new TruthLedger();
    flow(l, water({ TURB: 1 }), 600_000, true);
    expect(l.offSpecToReuseL).toBe(0);
    expect(l.divertedM3).toBeCloseTo(5, 9);
    expect(l.report().offSpecDivertedL).toBeCloseTo(5000, 6);
  });

  it("counts good water as reuse and nothing as off-spec", () => {
    const l = new TruthLedger();
    flow(l, water(), 600_000, false);
    expect(l.offSpecToReuseL).toBe(0);
    expect(l.report().firstOffSpecToReuseMs).toBeNull();
  });

  it.each([
    ["turbidity above 0.5 NTU", { TURB: 0.51 }, true],
    ["turbidity at 0.5 NTU", { TURB: 0.5 }, false],
    ["conductivity above 150 µS/cm", { COND: 151, FEED_COND: 10_000 }, true],
    ["chlorine below 0.2 mg/L", { CL: 0.19 }, true],
    ["chlorine above 2.0 mg/L", { CL: 2.01 }, true],
    ["pH below 6.5", { PH: 6.49 }, true],
    ["pH above 8.5", { PH: 8.51 }, true],
    ["rejection below 95 %", { COND: 120, FEED_COND: 2000 }, true],
    ["rejection at 96 %", { COND: 80, FEED_COND: 2000 }, false],
    ["NaN quality", { TURB: Number.NaN }, true],
  ])("judges %s", (_what, o, off) => {
    expect(isOffSpec(DEFAULT_CCP_LIMITS, water(o))).toBe(off);
  });

  it("takes its limits as a parameter", () => {
    const l = new TruthLedger({ turbidityMaxNtu: 0.1 });
    flow(l, water({ TURB: 0.2 }), 60_000, false);
    expect(l.offSpecToReuseL).toBeCloseTo(500, 6);
    expect(l.limits.phMin).toBe(6.5);
  });

  it("records each divert when the valve leaves reuse, with its time", () => {
    const l = new TruthLedger();
    l.observeValve(false, 0);
    l.observeValve(true, 1000);
    l.observeValve(true, 2000);
    l.observeValve(false, 3000);
    l.observeValve(false, 4000);
    l.observeValve(true, 5000);
    l.observeValve(false, 6000);
    expect(l.diverts).toEqual([{ atMs: 3000 }, { atMs: 6000 }]);
  });

  describe("through the 1 m³ contact pipe at 30 m³/h", () => {
    /** Off-spec water reaches the analyzers at 60 s; the valve goes to divert at divertAtMs. */
    function run(divertAtMs: number): TruthLedger {
      const l = new TruthLedger();
      const pipe = new PlugFlowPipe(1, NQ, water());
      const good = water();
      const bad = water({ TURB: 2 });
      let t = 0;
      const sink = { chunk: (v: number, q: Float64Array, off: number) => l.record(v, q, off, t >= divertAtMs, t) };
      for (; t < 600_000; t += DT) pipe.advance(stepM3, t >= 60_000 ? bad : good, 0, sink);
      return l;
    }

    it("sees a step change arrive at the valve exactly the transport time later", () => {
      const l = run(Number.POSITIVE_INFINITY);
      expect(l.report().firstOffSpecToReuseMs).toBe(60_000 + 120_000);
      expect(l.offSpecToReuseL).toBeCloseTo(((600_000 - 180_000) / 3_600_000) * 30 * 1000, 6);
    });

    it("counts nothing when the valve is in divert as the water arrives, and one step's worth when a step late", () => {
      expect(run(180_000).offSpecToReuseL).toBe(0);
      expect(run(180_000 + DT).offSpecToReuseL).toBeCloseTo(stepM3 * 1000, 9);
    });
  });
});
