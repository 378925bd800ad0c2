// The simulator and the real controller (startController) in this process, wired as the
// reference skid: virtual time over in-memory transports (deterministic, as fast as the CPU
// goes) or a scaled real clock over real Modbus TCP sockets. GPIO goes through a GpioLink to
// the plant (XY-501, WD-001 → the watchdog relay; HS-001 ← the plant), and rio-1 can have
// its fieldbus watchdog. Owns everything it opens and gives it all back in close().
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Config } from "../../../src/config/schema.js";
import type { PackmlState } from "../../../src/core/packml.js";
import { startController, type RunningController, type StartOptions } from "../../../src/main.js";
import { silentLogger, type Logger } from "../../../src/system/log.js";
import { sleep, type Clock } from "../../../src/time/clock.js";
import { ScaledClock } from "../../../src/time/real.js";
import { VirtualClock } from "../../../src/time/virtual.js";
import { rioDevice, type RioDevice } from "../../../hil-sim/src/devices/rio.js";
import { GpioLink } from "../../../hil-sim/src/runner/gpio-link.js";
import { Simulator } from "../../../hil-sim/src/sim.js";
import { linesWithDevices, pointAtSim } from "../../../hil-sim/src/wire.js";
import { referenceConfig } from "../../helpers/config.js";

export type SkidMode = "virtual" | { speed: number };

export interface SkidOptions {
  mode: SkidMode;
  seed?: number;
  /** Changes to the reliability test config (see reliabilityConfig). */
  configure?: (c: Config) => Config;
  /** Open the SQLite store in a temp dir (default false: faster, and the matrix is about the field). */
  store?: boolean;
  /** rio-1's fieldbus watchdog in ms of sim time; null = off. Default 1000 (virtual), 3000 (scaled). */
  rioWatchdogMs?: number | null;
  /** Default: Execute with the product in Reuse (a skid in production). */
  initial?: { state: PackmlState; qualityMode: "Reuse" | "Divert" };
  log?: Logger;
  /** Serve the control socket (in the temp dir); default false. */
  control?: boolean;
  /** Write the config's YAML here first and name it as the running config's file (config lifecycle). */
  configText?: string;
  /** A controlled restart asked for by a command (config apply). */
  onRestart?: StartOptions["onRestart"];
}

/**
 * The reference skid as the reliability tests run it: verification at its 60 s minimum (so a
 * recovery is minutes, not hours, of simulated time), everything else as in the file.
 */
export function reliabilityConfig(): Config {
  const c = referenceConfig();
  return { ...c, quality: { ...c.quality, verification: 60_000 } };
}

/** Replaces rio-1 by one with a fieldbus watchdog (before the devices are served). */
export function installRioWatchdog(sim: Simulator, clock: Clock, timeoutMs: number): RioDevice {
  const dev = rioDevice(sim.image, { faults: (d) => sim.faults.activeDeviceFaults(d, sim.plant.nowMs), watchdog: { clock, timeoutMs } });
  sim.devices["rio-1"] = dev;
  return dev;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Awaits `p` while moving a virtual clock (a real clock moves by itself). Some of what it waits
 * for is real (the store's checkpoint worker thread ends in real time), so once `limitMs` of
 * virtual time has gone by it keeps waiting, without moving the clock, for up to 30 s of real time.
 */
export async function settleOn<T>(clock: Clock, p: Promise<T>, what: string, limitMs = 10 * 60_000): Promise<T> {
  if (!(clock instanceof VirtualClock)) return p;
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  const limit = clock.now() + limitMs;
  let realLimit: number | null = null;
  while (!settled) {
    if (clock.now() < limit) {
      await clock.advance(10);
      await yieldToEventLoop();
      continue;
    }
    realLimit ??= Date.now() + 30_000;
    if (Date.now() > realLimit) throw new Error(`${what} did not settle within ${limitMs} ms of virtual time and 30 s of real time`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return watched;
}

export class TestSkid {
  private closed = false;
  /** The longest single advance() of the virtual clock, in real ms (wall clock: includes being preempted). */
  longestStepMs = 0;
  /**
   * The longest single advance() counting only time this process was on a CPU: min(wall, CPU)
   * per step. A synchronous block in the controller shows in both; a test machine busy with
   * other work only in the wall time. The soak's stall measure.
   */
  longestStepCpuMs = 0;

  private constructor(
    readonly clock: Clock,
    readonly sim: Simulator,
    readonly ctl: RunningController,
    readonly config: Config,
    private readonly link: GpioLink,
    readonly rio: RioDevice | null,
    readonly dir: string,
  ) {}

  static async open(opts: SkidOptions): Promise<TestSkid> {
    const clock: Clock = opts.mode === "virtual" ? new VirtualClock() : new ScaledClock(opts.mode.speed);
    const sim = new Simulator({ clock, seed: opts.seed ?? 1, permissive: "gpio" });
    // On a scaled clock an event-loop pause of the test process is multiplied: 3 s of sim time
    // keeps a loaded CI machine from tripping the coupler while the controller is alive.
    const rioMs = opts.rioWatchdogMs === undefined ? (opts.mode === "virtual" ? 1000 : 3000) : opts.rioWatchdogMs;
    const rio = rioMs === null ? null : installRioWatchdog(sim, clock, rioMs);
    const dir = mkdtempSync(path.join(tmpdir(), "reclaim-rel-"));
    const base0 = (opts.configure ?? ((c) => c))(reliabilityConfig());
    const base: Config = {
      ...base0,
      store: { ...base0.store, path: path.join(dir, "reclaim.sqlite") },
      control: { socket: path.join(dir, "reclaim.sock") },
      opcua: { ...base0.opcua, enabled: false, port: 0 },
    };
    let configFile: string | undefined;
    if (opts.configText !== undefined) {
      configFile = path.join(dir, "reclaim.yaml");
      writeFileSync(configFile, opts.configText);
    }
    let link: GpioLink | undefined;
    let ctl: RunningController | undefined;
    try {
      sim.start();
      let config = base;
      let transports: StartOptions["transports"];
      if (opts.mode === "virtual") transports = sim.memoryTransports(linesWithDevices(base));
      else config = pointAtSim(base, await sim.serveTcp());
      link = new GpioLink(config, sim, clock);
      link.start(50);
      const start: StartOptions = {
        config,
        clock,
        log: opts.log ?? silentLogger(),
        opcua: false,
        control: opts.control ?? false,
        store: opts.store ?? false,
        ...(configFile ? { configFile } : {}),
        ...(opts.onRestart ? { onRestart: opts.onRestart } : {}),
        clockSynced: true,
        gpio: link.backend,
        initial: opts.initial ?? { state: "Execute", qualityMode: "Reuse" },
        ...(transports ? { transports } : {}),
      };
      ctl = await settleOn(clock, startController(start), "startController");
      return new TestSkid(clock, sim, ctl, config, link, rio, dir);
    } catch (err) {
      if (ctl) await settleOn(clock, ctl.stop(), "controller stop");
      link?.stop();
      rio?.watchdog?.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  get virtual(): VirtualClock | null {
    return this.clock instanceof VirtualClock ? this.clock : null;
  }

  /** Controller time now (ms). */
  get now(): number {
    return this.clock.now();
  }

  get state(): { state: string; qualityMode: "Reuse" | "Divert" } {
    const s = this.ctl.controller.state;
    return { state: s.state, qualityMode: s.divert.mode };
  }

  /**
   * Runs for `ms` of clock time in steps of `stepMs`, calling `each` after every step; stops
   * early when `each` returns true. Returns whether it stopped early.
   */
  async run(ms: number, each?: () => boolean | void, stepMs = 100): Promise<boolean> {
    const end = this.clock.now() + ms;
    let n = 0;
    while (this.clock.now() < end) {
      const step = Math.min(stepMs, end - this.clock.now());
      const v = this.virtual;
      if (v) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await v.advance(step);
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        this.longestStepMs = Math.max(this.longestStepMs, wall);
        this.longestStepCpuMs = Math.max(this.longestStepCpuMs, Math.min(wall, (c.user + c.system) / 1000));
        // Real I/O (SQLite, sockets) and the test runner get a turn now and then.
        if (++n % 50 === 0) await yieldToEventLoop();
      } else await sleep(this.clock, step);
      if (each?.() === true) return true;
    }
    return false;
  }

  /** Stops the controller, the GPIO link, the rio watchdog and the plant; removes temp files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await settleOn(this.clock, this.ctl.stop(), "controller stop");
    } finally {
      this.link.stop();
      this.rio?.watchdog?.stop();
      await this.sim.stop();
      const v = this.virtual;
      // Requests already handed to a memory transport still hold their answer or timeout timer.
      if (v) for (let i = 0; i < 40 && v.pendingTimers > 0; i++) await v.advance(250);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
