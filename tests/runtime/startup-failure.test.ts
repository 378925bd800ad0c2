// A part that fails to start (here the control socket, whose directory is a regular file)
// makes startController reject, and everything already started is stopped again: no Modbus
// polling, no GPIO or scan timers left behind in a process that is about to exit or restart.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Simulator } from "../../hil-sim/src/sim.js";
import { linesWithDevices } from "../../hil-sim/src/wire.js";
import { startController } from "../../src/main.js";
import { silentLogger } from "../../src/system/log.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { referenceConfig } from "../helpers/config.js";

describe("start-up that fails half way", () => {
  it("rejects with the cause and leaves no part running", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-fail-"));
    const notADir = path.join(dir, "not-a-dir");
    writeFileSync(notADir, "");
    const clock = new VirtualClock();
    const sim = new Simulator({ clock, permissive: "hardwired", seed: 3 });
    const base = referenceConfig();
    const config = { ...base, opcua: { ...base.opcua, enabled: false }, control: { socket: path.join(notADir, "reclaim.sock") } };
    const transports = sim.memoryTransports(linesWithDevices(config));
    const starting = startController({ config, clock, log: silentLogger(), transports, store: false, clockSynced: true });
    let outcome: unknown = "pending";
    starting.then(
      () => (outcome = "started"),
      (err: unknown) => (outcome = err),
    );
    // The first poll cycle needs the clock to move; then the control socket fails.
    for (let i = 0; i < 200 && outcome === "pending"; i++) {
      await clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
    expect(outcome).toBeInstanceOf(Error);
    expect(String(outcome)).toMatch(/not-a-dir/);
    // Let in-flight requests run out; then nothing may be scheduled any more.
    for (let i = 0; i < 20; i++) await clock.advance(500);
    expect(clock.pendingTimers).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
