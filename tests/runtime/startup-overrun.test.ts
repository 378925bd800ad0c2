// SCAN-OVERRUN at start-up: OPC UA's start holds the event loop for whole scan periods, and
// when it ran after the scan loop had started, every restart raised SCAN-OVERRUN (a nuisance
// alarm). startController now starts OPC UA before the first scan (src/main.ts); a real
// overrun later must still raise the alarm. Real time, because only a real clock sees a stall.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulator } from "../../hil-sim/src/sim.js";
import { linesWithDevices } from "../../hil-sim/src/wire.js";
import { startController, type RunningController } from "../../src/main.js";
import { silentLogger } from "../../src/system/log.js";
import { sleep } from "../../src/time/clock.js";
import { ScaledClock } from "../../src/time/real.js";
import { referenceConfig } from "../helpers/config.js";

const clock = new ScaledClock(1);
let dir: string;
let sim: Simulator;
let ctl: RunningController;

const overrunAlarm = () => ctl.controller.state.alarms.alarms["SCAN-OVERRUN"];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-startup-"));
  sim = new Simulator({ clock, permissive: "hardwired", seed: 3 });
  sim.start();
  const base = referenceConfig();
  const config = {
    ...base,
    opcua: { ...base.opcua, enabled: true, port: 0 },
    store: { ...base.store, path: path.join(dir, "reclaim.sqlite") },
    control: { socket: path.join(dir, "reclaim.sock") },
  };
  // The whole composition as the service runs it: store, GPIO, Modbus, OPC UA, control socket.
  ctl = await startController({ config, clock, log: silentLogger(), transports: sim.memoryTransports(linesWithDevices(config)), clockSynced: true });
}, 60_000);

afterAll(async () => {
  await ctl?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("scan overrun supervision around start-up", () => {
  it("a normal start-up with OPC UA raises no SCAN-OVERRUN", async () => {
    expect(ctl.opcua).not.toBeNull();
    await sleep(clock, 500);
    expect(ctl.controller.stats.scans).toBeGreaterThan(0);
    expect(ctl.controller.stats.overruns).toBe(0);
    // Never active since start: not even returned-to-normal-unacknowledged.
    expect(overrunAlarm()).toMatchObject({ state: "Normal", activeSince: null });
  });

  it("a real overrun later still raises it", async () => {
    // Hold the event loop for four scan periods, as a blocked loop would.
    const end = performance.now() + 4 * ctl.config.skid.scanPeriod;
    while (performance.now() < end) {
      // busy: no timer can fire
    }
    await sleep(clock, 300);
    expect(ctl.controller.stats.overruns).toBeGreaterThanOrEqual(1);
    expect(["Unacknowledged", "RTNUnacknowledged"]).toContain(overrunAlarm()?.state);
  });
});
