// The divert latch's return to reuse: the verification period AND the pipes flushed. Water
// measured off-spec is still between the analyzers and the valve until the largest CCP
// transport volume (1.5 m³ in the reference skid) has passed since every CCP came back in
// spec; at design flow the 300 s cover that, at low flow they do not.
import { describe, expect, it } from "vitest";
import { ccpStep, initialCcp, type CcpState } from "../../src/core/ccp.js";
import { divertStep, initialDivert, verifiedVolumeM3, type DivertState } from "../../src/core/divert.js";
import { bad, GOOD } from "../../src/core/quality.js";
import { CoreHarness } from "../helpers/core-harness.js";
import { referenceConfig } from "../helpers/config.js";

const cfg = referenceConfig().quality;
const IN_SPEC: Record<string, number> = { "CCP-1": 0.08, "CCP-2": 40, "CCP-3": 1.0, "CCP-4": 7.4, "CCP-5": 98 };

/** Steps the latch every 100 ms for `ms` with every CCP in spec and the given product flow; returns when reuse came back. */
function run(flowM3h: number | null | ((t: number) => number | null), ms: number): { s: DivertState; reuseAt: number | null } {
  let s = initialDivert();
  const ccps: Record<string, CcpState> = {};
  let reuseAt: number | null = null;
  for (let t = 0; t <= ms; t += 100) {
    for (const c of cfg.ccps) ccps[c.name] = ccpStep(c, ccps[c.name] ?? initialCcp(), { value: IN_SPEC[c.name] as number, quality: GOOD }, t);
    s = divertStep(cfg, s, { ccps, demands: [], trips: [], flowM3h: typeof flowM3h === "function" ? flowM3h(t) : flowM3h }, t);
    if (s.mode === "Reuse" && reuseAt === null) reuseAt = t;
  }
  return { s, reuseAt };
}

describe("return to reuse", () => {
  it("needs the largest CCP transport volume of the reference skid: 1.5 m³", () => {
    expect(verifiedVolumeM3(cfg)).toBe(1.5);
  });

  it("at design flow (30 m³/h): after the 300 s verification (1.5 m³ pass in 180 s)", () => {
    const { reuseAt } = run(30, 400_000);
    expect(reuseAt).toBeGreaterThanOrEqual(300_000);
    expect(reuseAt).toBeLessThan(301_000);
  });

  it("at low flow (9 m³/h): only once 1.5 m³ have passed, 600 s, not at 300 s", () => {
    const { reuseAt } = run(9, 700_000);
    expect(reuseAt).toBeGreaterThanOrEqual(599_000);
    expect(reuseAt).toBeLessThan(601_000);
  });

  it("standing water (no flow, as while Held) does not count", () => {
    const { reuseAt, s } = run((t) => (t < 500_000 ? 0 : 30), 800_000);
    expect(s.inSpecM3).toBeGreaterThanOrEqual(1.5);
    // 500 s standing, then 180 s of design flow.
    expect(reuseAt).toBeGreaterThanOrEqual(679_000);
    expect(reuseAt).toBeLessThan(681_000);
  });

  it("with the product flow unknown (meter bad) it stays diverted: fail safe", () => {
    const { reuseAt, s } = run(null, 1_200_000);
    expect(reuseAt).toBeNull();
    expect(s).toMatchObject({ mode: "Divert", latched: true, inSpecM3: 0 });
  });

  it("a CCP off-spec again starts the volume from zero", () => {
    let s = initialDivert();
    const ccps: Record<string, CcpState> = {};
    for (let t = 0; t <= 200_000; t += 100) {
      const off = t >= 100_000 && t < 120_000;
      for (const c of cfg.ccps) {
        const v = c.name === "CCP-1" && off ? 0.9 : (IN_SPEC[c.name] as number);
        ccps[c.name] = ccpStep(c, ccps[c.name] ?? initialCcp(), { value: v, quality: GOOD }, t);
      }
      s = divertStep(cfg, s, { ccps, demands: [], trips: [], flowM3h: 30 }, t);
    }
    // In spec again since ~120 s: 80 s at 30 m³/h is 0.67 m³.
    expect(s.inSpecM3).toBeGreaterThan(0.6);
    expect(s.inSpecM3).toBeLessThan(0.7);
  });
});

describe("return to reuse through the scan: which flow counts", () => {
  // CoreHarness feeds HEALTHY values: FIT-501 30 and FIT-301 30 m³/h, all CCPs in spec.
  const diverted = (): CoreHarness => {
    const h = new CoreHarness();
    h.run(1000);
    h.values["AIT-402"] = 9; // CCP-4 off-spec: divert, latched
    h.run(15_000);
    expect(h.mode).toBe("Divert");
    h.values["AIT-402"] = 7.4;
    return h;
  };

  it("the product flowmeter (FIT-501) bad: the RO permeate flow (flowBackup FIT-301) counts", () => {
    const h = diverted();
    h.quality["FIT-501"] = bad("no-comm", "flow-501 offline");
    h.run(310_000);
    expect(h.mode).toBe("Reuse");
  });

  it("both bad: nothing counts, the product stays diverted (fail safe)", () => {
    const h = diverted();
    h.quality["FIT-501"] = bad("no-comm", "flow-501 offline");
    h.quality["FIT-301"] = bad("no-comm", "flow-301 offline");
    h.run(600_000);
    expect(h.mode).toBe("Divert");
    expect(h.state.divert.inSpecM3).toBe(0);
    delete h.quality["FIT-301"];
    h.run(310_000);
    expect(h.mode).toBe("Reuse");
  });
});

describe("return to reuse through the scan: a meter reading high", () => {
  it("with both flows good the lower counts: FIT-501 reading 35 while 15 m³/h flow (FIT-301) waits 360 s", () => {
    const h = new CoreHarness();
    h.values["FIT-501"] = 35;
    h.values["FIT-301"] = 15;
    h.run(1000);
    h.values["AIT-402"] = 9;
    h.run(15_000);
    h.values["AIT-402"] = 7.4;
    const back = h.now;
    h.run(330_000);
    expect(h.mode).toBe("Divert");
    h.run(40_000);
    expect(h.mode).toBe("Reuse");
    expect(h.now - back).toBeGreaterThan(360_000);
  });
});
