import { describe, expect, it } from "vitest";
import { FaultRegistry, type FaultEvent } from "../../src/model/faults.js";
import { STEADY } from "../../src/model/params.js";
import { Plant } from "../../src/model/plant.js";
import { TestOperator } from "./operator.js";

/** A plant producing at design flow with no random disturbances, and its operator. */
function producing(events: FaultEvent[] = [], opts: { backwashEveryMs?: number } = {}) {
  const pl = new Plant({ ...STEADY, initialRunning: true }, 1);
  const faults = new FaultRegistry(events);
  const op = new TestOperator(pl, { faults, backwashEveryMs: opts.backwashEveryMs ?? Number.POSITIVE_INFINITY });
  return { pl, op, faults };
}

describe("UF", () => {
  it("TMP grows with filtered volume and a backwash restores it, but for a slow creep", () => {
    const { pl, op } = producing();
    // TMP is resistance × flux; compare it per unit of flow, since the level loop moves the flow.
    const specific = () => pl.measure("DPIT-201") / pl.measure("FIT-201");
    op.run(60_000);
    const r0 = specific();
    op.run(25 * 60_000);
    expect(pl.measure("DPIT-201") - r0 * pl.measure("FIT-201")).toBeGreaterThan(0.2);
    op.backwashNow();
    op.run(30_000);
    expect(pl.flows.backwash).toBeCloseTo(60, 9);
    expect(pl.measure("DPIT-201")).toBeLessThan(0); // backwash pressure on the filtrate side
    op.run(90_000);
    expect(pl.uf.reversibleBar).toBeLessThan(0.02);
    expect(specific()).toBeLessThan(r0 * 1.1);
    expect(specific()).toBeGreaterThan(r0);
    expect(pl.uf.irreversibleBar).toBeCloseTo(pl.params.ufCreepBarPerM3 * pl.measure("FQ-201"), 9);
  });

  it("shows a filtrate turbidity spike when filtration resumes after a backwash", () => {
    const { pl, op } = producing();
    op.run(60_000);
    const base = pl.measure("AIT-201");
    op.backwashNow();
    op.run(61_000);
    op.run(2000);
    expect(pl.measure("AIT-201")).toBeGreaterThan(base + 0.5);
    op.run(180_000);
    expect(pl.measure("AIT-201")).toBeLessThan(base + 0.01);
  });

  it("uf-fouling adds TMP no backwash removes, growing at its rate, and is gone when it ends", () => {
    const { pl, op } = producing([{ atMs: 60_000, fault: "uf-fouling", value: 0.5, rate: 1, forMs: 40 * 60_000 }]);
    const extra = () => pl.measure("DPIT-201") * (pl.params.ufNominalFlowM3h / pl.measure("FIT-201")) - pl.params.ufCleanTmpBar - pl.uf.reversibleBar - pl.uf.irreversibleBar;
    op.run(59_000);
    expect(extra()).toBeCloseTo(0, 9);
    op.run(30 * 60_000);
    op.backwashNow();
    op.run(120_000);
    // 0.5 bar + 1 bar/h since 60 s, at nominal flux
    expect(extra()).toBeCloseTo(0.5 + (pl.nowMs - 100 - 60_000) / 3_600_000, 3);
    op.run(10 * 60_000);
    expect(extra()).toBeCloseTo(0, 9);
  });

  it("lets turbidity through during a feed-turbidity upset, reaching AIT-403 after the permeate line", () => {
    const { pl, op } = producing([{ atMs: 60_000, fault: "feed-turbidity", value: 40, forMs: 600_000 }]);
    op.run(61_000);
    expect(pl.measure("AIT-201")).toBeGreaterThan(19);
    expect(pl.measure("AIT-403")).toBeLessThan(0.1);
    op.run(60_000); // 0.5 m³ permeate line at 30 m³/h
    expect(pl.measure("AIT-403")).toBeGreaterThan(0.5);
  });
});

describe("RO", () => {
  it("runs at 75 % recovery with 98 % rejection at design flow", () => {
    const { pl, op } = producing();
    op.run(30_000);
    expect(pl.measure("FIT-301")).toBeCloseTo(30, 9);
    expect(pl.measure("FIT-302")).toBeCloseTo(10, 9);
    expect(pl.measure("AIT-302")).toBeCloseTo(40, 9);
    expect(pl.measure("RJ-301")).toBeCloseTo(98, 9);
    expect(pl.measure("PIT-301")).toBeCloseTo(12.8, 9);
  });

  it("permeate conductivity follows the feed conductivity", () => {
    const { pl, op } = producing([{ atMs: 30_000, fault: "feed-conductivity", value: 5000, forMs: 60_000 }]);
    op.run(40_000);
    expect(pl.measure("AIT-301")).toBe(5000);
    expect(pl.measure("AIT-302")).toBeCloseTo(100, 9);
    op.run(60_000);
    expect(pl.measure("AIT-302")).toBeCloseTo(40, 9);
  });

  it("permeate conductivity follows the membrane state (membrane-breach)", () => {
    const { pl, op } = producing([{ atMs: 30_000, fault: "membrane-breach", value: 80 }]);
    op.run(31_000);
    expect(pl.measure("RJ-301")).toBeCloseTo(80, 9);
    expect(pl.measure("AIT-302")).toBeCloseTo(400, 9);
  });

  it("lets more salt through at low flux", () => {
    const { pl, op } = producing();
    pl.setDriveSpeedRef("vfd-p301", 8000); // 40 %: half the permeate flow
    op.run(30_000);
    pl.setDriveSpeedRef("vfd-p301", 8000);
    op.run(30_000);
    expect(pl.measure("FIT-301")).toBeLessThan(30);
    expect(pl.measure("AIT-302")).toBeGreaterThan(40);
  });
});

describe("disinfection", () => {
  it("holds about 1 mg/L while dosing and loses it once dosing stops", () => {
    const { pl, op } = producing();
    op.run(60_000);
    expect(pl.measure("AIT-401")).toBeCloseTo(1, 2);
    pl.setCoil("P-401", false);
    op.run(60_000);
    expect(pl.measure("AIT-401")).toBeLessThan(0.01);
  });

  it("dosing-failure: the pump shows running but doses nothing", () => {
    const { pl, op } = producing([{ atMs: 10_000, fault: "dosing-failure" }]);
    op.run(70_000);
    expect(pl.measure("P-401-RUN")).toBe(1);
    expect(pl.measure("AIT-401")).toBeLessThan(0.01);
  });

  it("decays first-order in standing water", () => {
    const { pl, op } = producing();
    pl.setDriveControlWord("vfd-p301", 0);
    op.run(30_000);
    pl.setCoil("P-401", false);
    op.run(1000);
    expect(pl.measure("FIT-301")).toBe(0);
    const c0 = pl.measure("AIT-401");
    op.run(3_600_000);
    expect(pl.measure("AIT-401") / c0).toBeCloseTo(Math.exp(-pl.params.chlorineDecayPerH), 9);
  });

  it("product-ph sets AIT-402", () => {
    const { pl, op } = producing([{ atMs: 0, fault: "product-ph", value: 9 }]);
    op.run(1000);
    expect(pl.measure("AIT-402")).toBe(9);
  });
});

describe("transport to the valve", () => {
  it("books a permeate change at the valve after the permeate line and the contact pipe (1.5 m³ = 180 s at 30 m³/h)", () => {
    const { pl, op } = producing([{ atMs: 60_000, fault: "membrane-breach", value: 80 }]);
    op.run(600_000);
    expect(pl.ledger.report().firstOffSpecToReuseMs).toBe(60_000 + 180_000);
  });

  it("books a change at the analyzers at the valve after the contact pipe (1 m³ = 120 s at 30 m³/h)", () => {
    const { pl, op } = producing([{ atMs: 60_000, fault: "product-ph", value: 9 }]);
    op.run(600_000);
    expect(pl.ledger.report().firstOffSpecToReuseMs).toBe(60_000 + 120_000);
    expect(pl.ledger.offSpecToReuseL).toBeCloseTo(((600_000 - 180_000) / 3_600_000) * 30_000, 6);
  });
});
