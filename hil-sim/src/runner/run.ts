// The scenario runner's library API: runs one scenario against the real controller and
// returns the result the CLI prints and the tests check. The plant's truth ledger says what
// water went where; the controller's own events say what it did and when; the scenario's
// expectations are checked against both (src/scenario/expect.ts).
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import type { Logger } from "../../../src/system/log.js";
import { evaluate } from "../scenario/expect.js";
import type { RunRecord, Scenario, ScenarioResult } from "../scenario/types.js";
import { withHardwareDiverts, type RecordedLine } from "./record.js";
import type { ControllerFaults } from "./scenario-file.js";
import { ScenarioSession, type RunMode } from "./session.js";

export type { RunMode } from "./session.js";

export const REFERENCE_CONFIG = fileURLToPath(new URL("../../../config/reference-skid.yaml", import.meta.url));

export interface RunOptions {
  mode: RunMode;
  /** The controller's config; default config/reference-skid.yaml. */
  config?: Config;
  /** Faults of the controller itself (the scenario file's `controller:` section). */
  controllerFaults?: ControllerFaults;
  log?: Logger;
  /** Live: each divert, trip, alarm and state change as the controller reports it. */
  onLine?: (line: RecordedLine) => void;
  /** Live: scenario time, about once a simulated minute. */
  onProgress?: (nowMs: number) => void;
  /** Called with the session once the run is over and before it is closed, and again after (tests). */
  inspect?: (session: ScenarioSession, phase: "ended" | "closed") => void;
}

let reference: Config | undefined;
/** The reference skid's config, loaded once per process. */
export function referenceConfig(): Config {
  reference ??= loadConfig(REFERENCE_CONFIG).config;
  return reference;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  const config = opts.config ?? referenceConfig();
  const t0 = performance.now();
  const session = await ScenarioSession.open({
    config,
    scenario,
    mode: opts.mode,
    ...(opts.controllerFaults ? { controllerFaults: opts.controllerFaults } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.onLine ? { onLine: opts.onLine } : {}),
  });
  let record: RunRecord;
  let simulatedS: number;
  try {
    await session.runTo(scenario.durationMs, opts.onProgress);
    const final = session.controllerState;
    const ledger = session.sim.plant.ledger.report();
    const r = session.recorder;
    record = {
      diverts: withHardwareDiverts(
        r.diverts,
        ledger.diverts.map((d) => d.atMs / 1000),
        r.startedAtS,
      ),
      trips: r.trips,
      alarms: r.alarms,
      finalState: final.state,
      qualityMode: final.qualityMode,
      offSpecToReuseL: ledger.offSpecToReuseL,
      reuseM3: ledger.reuseM3,
      divertedM3: ledger.divertedM3,
    };
    simulatedS = session.sim.nowMs / 1000;
    opts.inspect?.(session, "ended");
  } finally {
    await session.close();
  }
  opts.inspect?.(session, "closed");
  const failures = evaluate(scenario.expect, record);
  return {
    scenario: scenario.name,
    passed: failures.length === 0,
    failures,
    simulatedS: round(simulatedS, 3),
    wallS: round((performance.now() - t0) / 1000, 3),
    reuseM3: round(record.reuseM3, 3),
    divertedM3: round(record.divertedM3, 3),
    offSpecToReuseL: round(record.offSpecToReuseL, 1),
    diverts: record.diverts.map((d) => ({ atS: d.atS, cause: d.cause })),
    trips: record.trips.map((d) => ({ atS: d.atS, cause: d.cause })),
    finalState: record.finalState,
    qualityMode: record.qualityMode,
  };
}
