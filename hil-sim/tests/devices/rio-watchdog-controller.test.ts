// The real controller against the reference simulation with rio-1's fieldbus watchdog on by
// default: while it scans it keeps the coupler fed; when its loop hangs (no polls, no writes)
// the coupler drops its coils and XV-501 falls to divert, even with the watchdog relay on
// WD-001 taken out, so that only the coupler can act.
import { describe, expect, it } from "vitest";
import type { RioDevice } from "../../src/devices/rio.js";
import { referenceConfig } from "../../src/runner/run.js";
import { parseScenarioFile } from "../../src/runner/scenario-file.js";
import { ScenarioSession } from "../../src/runner/session.js";

const SCENARIO = `
name: rio-watchdog-hang
description: the controller's loop hangs for a minute; no watchdog relay, so only rio-1's own watchdog can divert
duration: 3m
seed: 7
plant: { watchdogEnabled: false }
controller:
  hang:
    - { at: 60s, for: 60s }
`;

describe("rio-1 fieldbus watchdog with the real controller", () => {
  it("a hung controller: rio-1 de-energizes its coils about 3 s after the last poll and XV-501 goes to divert", async () => {
    const { scenario, controller } = parseScenarioFile(SCENARIO, "rio-watchdog-hang.yaml");
    const s = await ScenarioSession.open({ config: referenceConfig(), scenario, mode: "virtual", controllerFaults: controller });
    try {
      const rio = s.sim.devices["rio-1"] as RioDevice;
      // Scanning normally, in reuse: the polls keep the watchdog from firing.
      await s.runTo(59_000);
      expect(s.controllerState).toEqual({ state: "Execute", qualityMode: "Reuse" });
      expect(rio.watchdog?.trips).toBe(0);
      expect(s.sim.image.coils.get("XV-501")).toBe(true);
      // Hung at 60 s: nothing yet at 62 s, the coils dropped by 63.5 s, the valve in divert after its 3 s travel.
      await s.runTo(62_000);
      expect(rio.watchdog?.trips).toBe(0);
      await s.runTo(63_500);
      expect(rio.watchdog?.trips).toBe(1);
      expect(s.sim.image.coils.get("XV-501")).toBe(false);
      expect(s.sim.image.coils.get("P-401")).toBe(false);
      await s.runTo(67_000);
      expect(s.sim.plant.valve.inDivert).toBe(true);
    } finally {
      await s.close();
    }
    expect(s.pendingTimers).toBe(0);
  }, 60_000);
});
