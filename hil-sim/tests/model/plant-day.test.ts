import { describe, expect, it } from "vitest";
import { Plant } from "../../src/model/plant.js";
import { DERIVED_TAGS, SENSOR_TAGS } from "../../src/model/tags.js";
import { TestOperator } from "./operator.js";

const DAY_MS = 86_400_000;
const DT_MS = 100;

describe("a simulated day", () => {
  it("in steady operation stays physical, ships no off-spec water, and steps fast", () => {
    const pl = new Plant({ initialRunning: true }, 42);
    const op = new TestOperator(pl);
    const tags = [...SENSOR_TAGS, ...DERIVED_TAGS];
    let worst = "";
    const t0 = performance.now();
    for (let i = 0; i < DAY_MS / DT_MS; i++) {
      op.tick();
      pl.step(DT_MS);
      // Check every simulated minute: checking every step would time the test, not the model.
      if (i % 600 === 0) {
        for (const t of tags) if (!Number.isFinite(pl.measure(t))) worst ||= `${t} at ${pl.nowMs} ms`;
        for (const t of ["LIT-101", "LIT-202", "LIT-601"]) {
          const v = pl.measure(t);
          if (v < 0 || v > 100) worst ||= `${t} = ${v} at ${pl.nowMs} ms`;
        }
      }
    }
    const wallMs = performance.now() - t0;
    expect(worst).toBe("");
    expect(pl.nowMs).toBe(DAY_MS);
    expect(pl.ledger.offSpecToReuseL).toBe(0);
    expect(pl.ledger.reuseM3).toBeGreaterThan(700);
    expect(pl.measure("FQ-501")).toBeCloseTo(pl.ledger.reuseM3 + pl.ledger.divertedM3, 6);
    expect(pl.contactPipe.parcels).toBeLessThan(2000);
    // ≥ 1000× real time for controller + sim leaves the model well under 20 µs a step.
    const perStepUs = (wallMs * 1000) / (DAY_MS / DT_MS);
    console.log(`simulated day (864000 steps of 100 ms, with test operator): ${wallMs.toFixed(0)} ms wall, ${perStepUs.toFixed(2)} µs/step, ${(DAY_MS / wallMs).toFixed(0)}× real time`);
    expect(perStepUs).toBeLessThan(20);
  });

  it("costs well under 20 µs for a bare step", () => {
    const pl = new Plant({ initialRunning: true }, 1);
    pl.setGpio("WD-001", true); // the relay drops later; no matter for timing
    for (let i = 0; i < 10_000; i++) pl.step(DT_MS); // warm up the JIT
    const n = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) pl.step(DT_MS);
    const us = ((performance.now() - t0) * 1000) / n;
    console.log(`Plant.step: ${us.toFixed(3)} µs`);
    expect(us).toBeLessThan(20);
  });

  it("is deterministic: the same seed gives the same plant, another seed another", () => {
    const run = (seed: number) => {
      const pl = new Plant({ initialRunning: true }, seed);
      new TestOperator(pl).run(2 * 3_600_000);
      return SENSOR_TAGS.map((t) => pl.measure(t));
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });
});
