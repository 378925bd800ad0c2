import { describe, expect, it } from "vitest";
import { evaluate, formatSeconds } from "../../src/scenario/expect.js";
import type { Expectation, RunRecord } from "../../src/scenario/types.js";

function run(o: Partial<RunRecord> = {}): RunRecord {
  return { diverts: [], trips: [], alarms: [], finalState: "Execute", qualityMode: "Reuse", offSpecToReuseL: 0, reuseM3: 10, divertedM3: 0, ...o };
}

const M = 60_000;

describe("formatSeconds", () => {
  it.each([
    [432, "7m12s"],
    [300, "5m"],
    [4.5, "4.5s"],
    [0, "0s"],
    [3725, "1h2m5s"],
    [7200, "2h"],
    [59.9996, "1m"],
  ])("%s s → %s", (s, text) => expect(formatSeconds(s)).toBe(text));
});

describe("expectation evaluator", () => {
  const divert: Expectation = { kind: "divert", afterMs: 5 * M, withinMs: 2 * M };

  it("passes a divert inside its window, the window's end included", () => {
    expect(evaluate([divert], run({ diverts: [{ atS: 330, cause: "CCP-1" }] }))).toEqual([]);
    expect(evaluate([divert], run({ diverts: [{ atS: 420, cause: "CCP-1" }] }))).toEqual([]);
  });

  it("says when the first divert came too late", () => {
    expect(evaluate([divert], run({ diverts: [{ atS: 432, cause: "CCP-1" }] }))).toEqual(["divert expected within 2m after 5m: first divert at 7m12s (CCP-1)"]);
  });

  it("says when there was no divert after the start of the window", () => {
    expect(evaluate([divert], run({ diverts: [{ atS: 60, cause: "CCP-2" }] }))).toEqual(["divert expected within 2m after 5m: no divert after 5m (1 before)"]);
    expect(evaluate([divert], run())).toEqual(["divert expected within 2m after 5m: no divert after 5m"]);
  });

  it("fails noDivert on a divert in [from, to)", () => {
    const x: Expectation = { kind: "noDivert", fromMs: 0, toMs: 5 * M };
    expect(evaluate([x], run({ diverts: [{ atS: 300, cause: "CCP-1" }] }))).toEqual([]);
    expect(evaluate([x], run({ diverts: [{ atS: 182, cause: "CCP-1" }, { atS: 200, cause: "CCP-3" }] }))).toEqual([
      "no divert expected from 0s to 5m: divert at 3m2s (CCP-1) and 1 more",
    ]);
  });

  it("checks trips the same way", () => {
    expect(evaluate([{ kind: "trip", afterMs: M, withinMs: 10_000 }], run({ trips: [{ atS: 75, cause: "PIT-301 > 16 bar" }] }))).toEqual([
      "trip expected within 10s after 1m: first trip at 1m15s (PIT-301 > 16 bar)",
    ]);
    expect(evaluate([{ kind: "noTrip", fromMs: 0, toMs: 30 * M }], run({ trips: [{ atS: 10, cause: "" }] }))).toEqual(["no trip expected from 0s to 30m: trip at 10s"]);
  });

  it("checks alarms by name, in a window when one is given", () => {
    const alarms = [{ name: "CCP-1", atS: 310 }];
    expect(evaluate([{ kind: "alarm", name: "CCP-1" }], run({ alarms }))).toEqual([]);
    expect(evaluate([{ kind: "alarm", name: "CCP-2" }], run({ alarms }))).toEqual(["alarm CCP-2 expected: never raised"]);
    expect(evaluate([{ kind: "alarm", name: "CCP-1", afterMs: 5 * M, withinMs: 5000 }], run({ alarms }))).toEqual([
      "alarm CCP-1 expected within 5s after 5m: raised only at 5m10s",
    ]);
    expect(evaluate([{ kind: "noAlarm", name: "CCP-1", toMs: 5 * M }], run({ alarms }))).toEqual([]);
    expect(evaluate([{ kind: "noAlarm", name: "CCP-1" }], run({ alarms }))).toEqual(["alarm CCP-1 not expected: raised at 5m10s"]);
  });

  it("checks off-spec water, reuse volume, final state and quality mode", () => {
    const xs: Expectation[] = [
      { kind: "offSpecToReuseL", max: 0 },
      { kind: "reuseM3", min: 12 },
      { kind: "finalState", state: "Execute" },
      { kind: "qualityMode", mode: "Divert" },
    ];
    expect(evaluate(xs, run({ offSpecToReuseL: 833.33, reuseM3: 11.04, finalState: "Held" }))).toEqual([
      "off-spec water to reuse: 833.3 L, expected at most 0 L",
      "water to reuse: 11 m³, expected at least 12 m³",
      "final state expected Execute: was Held",
      "quality mode at the end expected Divert: was Reuse",
    ]);
    expect(evaluate(xs, run({ reuseM3: 12, qualityMode: "Divert" }))).toEqual([]);
  });

  it("passes the reference example's run", () => {
    const xs: Expectation[] = [
      divert,
      { kind: "noDivert", fromMs: 0, toMs: 5 * M },
      { kind: "offSpecToReuseL", max: 0 },
      { kind: "alarm", name: "CCP-1" },
      { kind: "finalState", state: "Execute" },
    ];
    expect(evaluate(xs, run({ diverts: [{ atS: 372, cause: "CCP-1" }], alarms: [{ name: "CCP-1", atS: 362 }], qualityMode: "Divert" }))).toEqual([]);
  });
});
