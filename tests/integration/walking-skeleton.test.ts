// The walking skeleton end to end: the simulator and the controller on ephemeral ports (real
// Modbus TCP, OPC UA, control socket), both on one clock running 5× real time. Product
// turbidity is raised in the simulator; SCADA (a node-opcua client) must see QualityMode go to
// Divert after CCP-1's 10 s delay and not before, and XV-501's coil must be de-energized.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callController } from "../../src/control/client.js";
import { startController, type RunningController } from "../../src/main.js";
import { namespaceUri } from "../../src/opcua/server.js";
import type { StatusSnapshot } from "../../src/runtime/status.js";
import { silentLogger } from "../../src/system/log.js";
import { describeEvent } from "../../src/core/events.js";
import { ScaledClock } from "../../src/time/real.js";
import { sleep } from "../../src/time/clock.js";
import { Simulator } from "../../hil-sim/src/sim.js";
import { pointAtSim } from "../../hil-sim/src/wire.js";
import { GpioLink } from "../../hil-sim/src/runner/gpio-link.js";
import { referenceConfig } from "../helpers/config.js";
import { openSession, type TestSession } from "../helpers/opcua-client.js";

// 5× keeps the 5 s valve-discrepancy window (1 s of wall time) clear of a loaded CI machine's jitter.
const SPEED = 5;
const clock = new ScaledClock(SPEED);
let dir: string;
let sim: Simulator;
let link: GpioLink;
let ctl: RunningController;
let opc: TestSession;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-skeleton-"));
  sim = new Simulator({ clock, permissive: "gpio", seed: 3 });
  // The controller's GPIO (XY-501, WD-001, XA-001, HS-001) wired to the plant, as on the skid.
  link = new GpioLink(referenceConfig(), sim, clock);
  link.start(50);
  sim.start();
  const endpoints = await sim.serveTcp();
  const base = referenceConfig();
  const config = pointAtSim(
    {
      ...base,
      // Verification at its minimum keeps the test short; timeouts long enough for a loaded CI machine at 10×.
      quality: { ...base.quality, verification: 60_000 },
      devices: base.devices.map((d) => ({ ...d, timeout: 2_000 })),
      opcua: { ...base.opcua, port: 0 },
      store: { ...base.store, path: path.join(dir, "reclaim.sqlite") },
      control: { socket: path.join(dir, "reclaim.sock") },
    },
    endpoints,
  );
  ctl = await startController({ config, clock, log: silentLogger(), gpio: link.backend, clockSynced: true });
  if (process.env.DEBUG_EVENTS) ctl.controller.events$.subscribe((e) => console.log(Math.round(clock.now()), describeEvent(e)));
  opc = await openSession(ctl.opcua?.endpointUrl ?? "", namespaceUri(config));
}, 60_000);

afterAll(async () => {
  await opc?.close();
  await ctl?.stop();
  link?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(what: string, pred: () => Promise<boolean> | boolean, simMs: number): Promise<void> {
  const until = clock.now() + simMs;
  while (clock.now() < until) {
    if (await pred()) return;
    await sleep(clock, 200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("walking skeleton", () => {
  it("serves the skid over OPC UA with stable NodeIds, units and quality", async () => {
    const mode = await opc.read("QualityMode");
    expect(["Reuse", "Divert"]).toContain(mode.value);
    await waitFor("Execute after the start-up flush", async () => (await opc.read("State")).value === "Execute", 120_000);
    await waitFor("a good AIT-403", async () => (await opc.read("Tags.AIT-403")).status === "Good", 10_000);
    const ait = await opc.read("Tags.AIT-403");
    expect(typeof ait.value).toBe("number");
    expect(ait.value as number).toBeLessThan(0.2);
    expect(ait.sourceTimestamp).toBeInstanceOf(Date);
  });

  it("reports the same picture over the control socket (reclaim status --json)", async () => {
    const s = (await callController(ctl.config.control.socket, "status")) as StatusSnapshot;
    expect(s.skid).toBe("RS-30");
    expect(s.tags["AIT-403"]).toMatchObject({ unit: "NTU", quality: "good" });
    expect(s.devices["analyzer-1"]?.online).toBe(true);
    expect(Array.isArray(s.alarms)).toBe(true);
  });

  it("diverts CCP-1's delay after turbidity goes over the limit, not before, and de-energizes XV-501", async () => {
    // Verification (60 s here) and the pipes flushed (1.5 m³ at about 30 m³/h: 180 s), from the end of the flush.
    await waitFor("reuse after verification", async () => (await opc.read("QualityMode")).value === "Reuse", 300_000);
    await waitFor("XV-501 coil energized", () => sim.image.coils.get("XV-501") === true, 5_000);
    // The reuse permissive XY-501 (GPIO, in series with the solenoid) is held while in spec.
    expect(sim.plant.inputs.gpio["XY-501"]).toBe(true);
    const t0 = sim.nowMs;
    // The analyzer now reads ~1.06 NTU: over the 0.5 NTU critical limit.
    sim.faults.add({ atMs: t0, fault: "offset", tag: "AIT-403", value: 1.0 });
    let divertAt = NaN;
    await waitFor(
      "divert",
      async () => {
        const mode = (await opc.read("QualityMode")).value;
        if (mode === "Divert") divertAt = sim.nowMs;
        else expect(sim.nowMs - t0).toBeLessThan(12_500);
        return mode === "Divert";
      },
      30_000,
    );
    const reaction = divertAt - t0;
    // Not before the delay; at most delay + analyzer poll (1 s) + the OPC UA polling above (2 s of sim time).
    expect(reaction).toBeGreaterThanOrEqual(10_000);
    expect(reaction).toBeLessThanOrEqual(13_500);
    await waitFor("XV-501 coil de-energized", () => sim.image.coils.get("XV-501") === false, 5_000);
    expect(sim.plant.inputs.gpio["XY-501"]).toBe(false);
    const s = ctl.status();
    expect(s.divert.firstOut).toMatch(/^CCP-1: AIT-403 1\.\d+ > 0\.5/);
  }, 90_000);

  it("writes the tag history and the divert event to SQLite, in batches off the scan", async () => {
    const store = ctl.store;
    if (!store) throw new Error("no store");
    await sleep(clock, 3 * ctl.config.store.flushInterval);
    const rows = store.historyRaw("AIT-403", 0, clock.wall() + 1, { limit: 10_000 }).rows;
    // Logged on change beyond its 0.005 NTU deadband (config), so a handful over the run.
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.some((r) => typeof r.value === "number" && r.value > 1)).toBe(true);
    const events = store.events({ from: 0, to: clock.wall() + 1, types: ["quality-mode"], limit: 100 }).rows;
    expect(events.map((e) => e.message)).toContainEqual(expect.stringMatching(/^quality mode Divert \(CCP-1\)/));
  });
});
