// Focused reproductions of the controller bugs the reliability suite met (helpers/known-bugs.ts).
// Each states the correct behaviour and runs as `it.fails` while the bug stands: the day it is
// fixed the test reports "expected to fail", and the bug comes off the list (and the matrix
// cells it explained must then recover by themselves).
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { FileProblemsError } from "../../src/system/errors.js";
import { REFERENCE_TEXT } from "./helpers/config-fuzz.js";
import { describeCase, runFaultCase } from "./helpers/fault-matrix.js";
import { K1_START_NEVER_RUNS, K2_PIT301_ABORT, K3_ALIAS_ESCAPES, K4_QUADRATIC_PARSE } from "./helpers/known-bugs.js";
import { TestSkid } from "./helpers/skid.js";

describe(`known bug ${K1_START_NEVER_RUNS.id}`, () => {
  // Fixed (src/core/sequences-run.ts): now a regression test.
  it("an operator's Start from Idle runs the start-up flush and reaches Execute", async () => {
    const skid = await TestSkid.open({
      mode: "virtual",
      initial: { state: "Idle", qualityMode: "Divert" },
      configure: (c) => ({ ...c, skid: { ...c.skid, autoStart: false } }),
    });
    try {
      await skid.run(2_000);
      const r = skid.ctl.controller.submit({ command: { kind: "packml", command: "Start" }, role: "operator", user: "test", source: "cli" });
      expect(r.ok).toBe(true);
      // The flush is 60 s; five minutes is plenty.
      await skid.run(300_000, () => skid.state.state === "Execute");
      expect(skid.ctl.controller.state.sequences["start-flush"]?.runs ?? 0, K1_START_NEVER_RUNS.reason).toBeGreaterThan(0);
      expect(skid.state.state, K1_START_NEVER_RUNS.reason).toBe("Execute");
    } finally {
      await skid.close();
    }
  });
});

describe(`known bug ${K2_PIT301_ABORT.id}`, () => {
  // Fixed (src/field/modbus/health.ts, engine.ts): now a regression test.
  it("rio-1 answering only exceptions for 30 s: the skid diverts and holds (as for a lost coupler), it does not abort, and recovers", async () => {
    // Back to Reuse after Unhold, the verification and the pipe flush (1.5 m³: 180 s at 30 m³/h).
    const r = await runFaultCase({ device: "rio-1", fault: "exception", mode: "virtual", recoveryLimitMs: 300_000 });
    const what = `${K2_PIT301_ABORT.reason}: ${describeCase(r)}`;
    expect(r.aborts, what).toEqual([]);
    expect(r.duringFault, what).toMatchObject({ state: "Held", qualityMode: "Divert", deviceStatus: "offline" });
    expect(r.duringFault.protection, what).toContain("RIO-OFFLINE");
    expect(r.offSpecToReuseL, what).toBe(0);
    expect(r.recoveredAfterMs, what).not.toBeNull();
    expect(r.operator, what).toEqual(["Unhold"]);
  });
});

describe(`known bug ${K3_ALIAS_ESCAPES.id}`, () => {
  // Fixed (src/config/load.ts): now regression tests.
  it("a config with an alias to an undefined anchor is rejected with FileProblemsError naming the line", () => {
    const text = REFERENCE_TEXT.replace("scanPeriod: 100ms", "scanPeriod: *nope");
    const line = text.split("\n").findIndex((l) => l.includes("*nope")) + 1;
    expect(() => parseConfig(text, "typo.yaml"), K3_ALIAS_ESCAPES.reason).toThrow(FileProblemsError);
    expect(() => parseConfig(text, "typo.yaml")).toThrow(`typo.yaml:${line}:`);
  });

  it("an alias bomb is rejected with FileProblemsError, quickly", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    expect(() => parseConfig(bomb, "bomb.yaml"), K3_ALIAS_ESCAPES.reason).toThrow(FileProblemsError);
  });
});

describe(`known bug ${K4_QUADRATIC_PARSE.id}`, () => {
  // Fixed (src/config/yaml-locate.ts, src/config/load.ts): now a regression test.
  it("a 20,000-key file (250 KB) is rejected within 2 s (the reference config parses in ~25 ms)", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join("\n");
    const t0 = performance.now();
    expect(() => parseConfig(text, "keys.yaml")).toThrow(FileProblemsError);
    expect(performance.now() - t0, K4_QUADRATIC_PARSE.reason).toBeLessThan(2000);
  }, 120_000);
});
