// rio-1's fieldbus watchdog as the reference simulation has it (on by default): a controller
// that goes silent loses its outputs to the coupler's fault state, so XV-501 falls to divert;
// one that keeps polling never sees it fire.
import { afterEach, describe, expect, it } from "vitest";
import type { ModbusRequest, ModbusTransport } from "../../../src/field/modbus/transport.js";
import type { TimerHandle } from "../../../src/time/clock.js";
import { VirtualClock } from "../../../src/time/virtual.js";
import { RIO_COILS, type RioDevice } from "../../src/devices/rio.js";
import { DEFAULT_RIO_WATCHDOG_MS, Simulator, type SimulatorOptions } from "../../src/sim.js";

const READ_COILS: ModbusRequest = { fc: 1, unit: 1, address: 0, count: RIO_COILS.length };

/** The simulator with rio-1 on an in-memory line, and a stand-in controller that polls it. */
class Rig {
  readonly clock = new VirtualClock();
  readonly sim: Simulator;
  readonly line: ModbusTransport;
  private poller: TimerHandle | undefined;
  answered = 0;

  constructor(opts: Partial<SimulatorOptions> = {}) {
    // Hardwired permissive (no watchdog relay): only the coupler can take XV-501 to divert here.
    this.sim = new Simulator({ clock: this.clock, permissive: "hardwired", ...opts });
    const line = this.sim.memoryTransports([{ name: "eth-rio", devices: [{ name: "rio-1", unit: 1 }] }]).get("eth-rio");
    if (!line) throw new Error("no line for rio-1");
    this.line = line;
  }

  get rio(): RioDevice {
    return this.sim.devices["rio-1"] as RioDevice;
  }

  coils(): Record<string, boolean> {
    return Object.fromEntries(RIO_COILS.map((c) => [c, this.sim.image.coils.get(c) ?? false]));
  }

  async start(): Promise<void> {
    await this.line.connect();
    this.sim.start();
  }

  /** Polls rio-1's coils every `ms`, as the controller's 200 ms poll group does. */
  poll(ms = 200): void {
    const tick = (): void => {
      this.line.request(READ_COILS, 300).then(
        () => this.answered++,
        () => undefined,
      );
      this.poller = this.clock.setTimer(tick, ms);
    };
    tick();
  }

  silence(): void {
    this.clock.clearTimer(this.poller);
    this.poller = undefined;
  }

  async write(coil: (typeof RIO_COILS)[number], on: boolean): Promise<void> {
    const done = this.line.request({ fc: 5, unit: 1, address: RIO_COILS.indexOf(coil), value: on }, 300);
    await this.clock.advance(10);
    await done;
  }

  async stop(): Promise<void> {
    this.silence();
    await this.clock.advance(500);
    await this.sim.stop();
    await this.line.close();
  }
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe("rio-1 fieldbus watchdog in the reference simulation", () => {
  it("is on by default, with a 3 s timeout of simulated time", () => {
    rig = new Rig();
    expect(DEFAULT_RIO_WATCHDOG_MS).toBe(3000);
    expect(rig.rio.watchdog?.timeoutMs).toBe(DEFAULT_RIO_WATCHDOG_MS);
  });

  it("normal polling keeps it from firing: an hour of 200 ms polls, outputs and XV-501 stay as written", async () => {
    rig = new Rig();
    await rig.start();
    rig.poll();
    await rig.clock.advance(3_600_000);
    expect(rig.answered).toBeGreaterThan(17_000);
    expect(rig.rio.watchdog?.trips).toBe(0);
    expect(rig.coils()).toMatchObject({ "P-401": true, "XV-501": true });
    expect(rig.sim.plant.valve.inReuse).toBe(true);
  });

  it("a controller silent for longer than the timeout: every coil de-energizes and XV-501 falls to divert", async () => {
    rig = new Rig();
    await rig.start();
    rig.poll();
    await rig.clock.advance(60_000);
    rig.silence();
    // The last request went out at most 200 ms before; just short of 3 s after the silence began, nothing yet.
    await rig.clock.advance(DEFAULT_RIO_WATCHDOG_MS - 250);
    expect(rig.rio.watchdog?.trips).toBe(0);
    expect(rig.coils()["XV-501"]).toBe(true);
    await rig.clock.advance(300);
    expect(rig.rio.watchdog?.trips).toBe(1);
    expect(rig.coils()).toEqual({ "P-202": false, "P-401": false, "XV-203": false, "XV-501": false });
    // The valve's spring takes it to divert (3 s travel), and the limit switches say so.
    await rig.clock.advance(4_000);
    expect(rig.sim.plant.valve.inDivert).toBe(true);
    expect(rig.sim.image.bits.get("ZSC-501")).toBe(true);
    expect(rig.sim.image.bits.get("ZSO-501")).toBe(false);
  });

  it("the outputs stay in their fault state when polls resume, until the controller writes them again", async () => {
    rig = new Rig();
    await rig.start();
    rig.poll();
    await rig.clock.advance(10_000);
    rig.silence();
    await rig.clock.advance(10_000);
    rig.poll();
    await rig.clock.advance(10_000);
    expect(rig.coils()["XV-501"]).toBe(false);
    await rig.write("XV-501", true);
    await rig.clock.advance(5_000);
    expect(rig.coils()["XV-501"]).toBe(true);
    expect(rig.sim.plant.valve.inReuse).toBe(true);
    expect(rig.rio.watchdog?.trips).toBe(1);
  });

  it("is not armed before the first request: a plant nobody has polled yet keeps its outputs", async () => {
    rig = new Rig();
    await rig.start();
    await rig.clock.advance(60_000);
    expect(rig.rio.watchdog?.trips).toBe(0);
    expect(rig.coils()["XV-501"]).toBe(true);
  });

  it("takes the timeout from rioWatchdogMs, and `false` takes it out", async () => {
    rig = new Rig({ rioWatchdogMs: 1000 });
    await rig.start();
    rig.poll();
    await rig.clock.advance(5_000);
    rig.silence();
    await rig.clock.advance(1_300);
    expect(rig.rio.watchdog?.trips).toBe(1);
    await rig.stop();

    rig = new Rig({ rioWatchdogMs: false });
    expect(rig.rio.watchdog).toBeNull();
    await rig.start();
    rig.poll();
    await rig.clock.advance(5_000);
    rig.silence();
    await rig.clock.advance(60_000);
    expect(rig.coils()["XV-501"]).toBe(true);
  });

  it("stop() leaves no watchdog timer behind", async () => {
    rig = new Rig();
    await rig.start();
    rig.poll();
    await rig.clock.advance(1_000);
    const { clock } = rig;
    await rig.stop();
    rig = undefined;
    expect(clock.pendingTimers).toBe(0);
  });
});
