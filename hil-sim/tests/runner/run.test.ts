// runScenario itself: the same seed gives the same run, and a run leaves nothing behind (no
// virtual timers, no sockets), in virtual mode and over real sockets at N× real time.
import { describe, expect, it } from "vitest";
import { parseScenarioFile } from "../../src/runner/scenario-file.js";
import { runScenario } from "../../src/runner/run.js";
import type { ScenarioSession } from "../../src/runner/session.js";
import type { ScenarioResult } from "../../src/scenario/types.js";

// Noise, a feed variation, a CCP trip, verification and the return to reuse: enough moving
// parts that any non-determinism would show.
const UPSET = parseScenarioFile(
  `name: upset
duration: 9m
seed: 9
events:
  - { at: 1m, fault: feed-conductivity, value: 9000, for: 1m }
  - { at: 3m, fault: offline, device: analyzer-1, for: 5s }
expect:
  - divert: { after: 70s, within: 5s }
  - offSpecToReuseL: { max: 0 }
`,
  "upset.yaml",
);

const withoutWall = (r: ScenarioResult): Omit<ScenarioResult, "wallS"> => {
  const { wallS: _wall, ...rest } = r;
  return rest;
};

describe("runScenario", () => {
  it("is deterministic in virtual mode: the same scenario and seed give the same result", async () => {
    const a = await runScenario(UPSET.scenario, { mode: "virtual" });
    const b = await runScenario(UPSET.scenario, { mode: "virtual" });
    expect(a.passed, a.failures.join("\n")).toBe(true);
    expect(a.diverts.length).toBeGreaterThan(0);
    expect(withoutWall(b)).toEqual(withoutWall(a));
  }, 60_000);

  it("leaves no virtual timer behind", async () => {
    let pending: number | null = -1;
    await runScenario(UPSET.scenario, {
      mode: "virtual",
      inspect: (s: ScenarioSession, phase) => {
        if (phase === "closed") pending = s.pendingTimers;
      },
    });
    expect(pending).toBe(0);
  }, 60_000);

  it("runs over real Modbus TCP sockets at N× real time, and closes every socket", async () => {
    const tcp = (): number => process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP")).length;
    const before = tcp();
    const quick = parseScenarioFile(`name: quick\nduration: 20s\nseed: 2\nexpect:\n  - finalState: Execute\n`, "quick.yaml");
    let during = 0;
    const r = await runScenario(quick.scenario, {
      mode: { speed: 10 },
      inspect: (_s, phase) => {
        if (phase === "ended") during = tcp();
      },
    });
    // Only the mechanics: whether a loaded machine keeps up at 10× (device timeouts become
    // 15–30 ms of wall time) is the benchmark's question (tests/bench/sim.bench.ts), not this test's.
    expect(r.simulatedS).toBeGreaterThanOrEqual(20);
    expect(r.wallS).toBeGreaterThan(1.9);
    expect(r.wallS).toBeLessThan(15);
    expect(during).toBeGreaterThan(before);
    // A closed handle leaves the list once its close callback has run: give it a moment.
    for (let i = 0; i < 20 && tcp() !== before; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(tcp()).toBe(before);
  }, 60_000);
});
