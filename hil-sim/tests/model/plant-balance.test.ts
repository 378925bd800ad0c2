import { describe, expect, it } from "vitest";
import { FaultRegistry } from "../../src/model/faults.js";
import { Plant, type PlantBalance } from "../../src/model/plant.js";
import { TestOperator } from "./operator.js";

function imbalance(pl: Plant, start: PlantBalance): number {
  const b = pl.balance();
  const inflow = b.inflowM3 - start.inflowM3;
  const outflow = b.concentrateM3 - start.concentrateM3 + (b.backwashM3 - start.backwashM3) + (b.demandM3 - start.demandM3);
  const overflow = b.overflowM3 - start.overflowM3;
  return inflow - outflow - overflow - (b.storageM3 - start.storageM3);
}

function expectTanksBalanced(pl: Plant, initial: number[]): void {
  [pl.eq, pl.breakTank, pl.reuseTank].forEach((t, i) => {
    expect(Math.abs(t.inM3 - t.outM3 - t.overflowM3 - (t.volume - (initial[i] as number)))).toBeLessThan(1e-6);
    expect(t.levelPct).toBeGreaterThanOrEqual(0);
    expect(t.levelPct).toBeLessThanOrEqual(100);
  });
}

const volumes = (pl: Plant) => [pl.eq.volume, pl.breakTank.volume, pl.reuseTank.volume];

describe("mass balance (inflow − outflow − overflow = Δstorage)", () => {
  it("holds over 2 h of production with backwashes and random feed", () => {
    const pl = new Plant({}, 3);
    const start = pl.balance();
    const v0 = volumes(pl);
    new TestOperator(pl).run(2 * 3_600_000);
    expect(pl.balance().backwashM3).toBeGreaterThan(1.9);
    expect(Math.abs(imbalance(pl, start))).toBeLessThan(1e-6);
    expectTanksBalanced(pl, v0);
  });

  it("holds while the EQ tank overflows", () => {
    const pl = new Plant({ eqInitialPct: 95 }, 1);
    const faults = new FaultRegistry([{ atMs: 0, fault: "eq-inflow", value: 300 }]);
    const start = pl.balance();
    const v0 = volumes(pl);
    for (let i = 0; i < 6000; i++) {
      faults.applyTo(pl, pl.nowMs);
      pl.step(100);
    }
    expect(pl.eq.overflowM3).toBeGreaterThan(40);
    expect(pl.measure("LIT-101")).toBe(100);
    expect(Math.abs(imbalance(pl, start))).toBeLessThan(1e-6);
    expectTanksBalanced(pl, v0);
  });

  it("holds while pumps starve on empty tanks and the reuse tank runs dry", () => {
    const pl = new Plant({ eqInitialPct: 3, reuseInitialPct: 2 }, 1);
    const faults = new FaultRegistry([
      { atMs: 0, fault: "eq-inflow", value: 0 },
      { atMs: 0, fault: "reuse-demand", value: 60 },
    ]);
    const op = new TestOperator(pl, { faults });
    const start = pl.balance();
    const v0 = volumes(pl);
    op.run(1_800_000);
    expect(pl.measure("LIT-101")).toBeLessThan(1e-9);
    expect(pl.measure("FIT-201")).toBeLessThan(1e-9);
    expect(pl.measure("LSL-101")).toBe(1);
    expect(pl.measure("LIT-601")).toBeLessThan(1e-9);
    expect(Math.abs(imbalance(pl, start))).toBeLessThan(1e-6);
    expectTanksBalanced(pl, v0);
  });

  it("returns diverted product to the EQ tank", () => {
    const pl = new Plant({ initialRunning: true }, 1);
    const op = new TestOperator(pl);
    pl.setCoil("XV-501", false);
    const start = pl.balance();
    op.run(600_000);
    expect(pl.flows.toDivert).toBeCloseTo(30, 6);
    expect(pl.flows.toReuse).toBe(0);
    expect(pl.ledger.divertedM3).toBeGreaterThan(4.5);
    expect(Math.abs(imbalance(pl, start))).toBeLessThan(1e-6);
  });
});
