// One scenario's plant and controller, wired together and started: the real controller
// (startController, with the config's own planner and codecs) against the simulator, either
// on virtual time over in-memory transports (deterministic, as fast as the CPU goes) or on a
// scaled real clock over real Modbus TCP sockets. Owns every resource it opens and gives
// them all back in close(): controller, simulator, sockets, timers, temporary files.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Config } from "../../../src/config/schema.js";
import { startController, type RunningController, type StartOptions } from "../../../src/main.js";
import type { GpioBackend } from "../../../src/field/gpio/gpio.js";
import { silentLogger, type Logger } from "../../../src/system/log.js";
import { sleep, type Clock, type TimerHandle } from "../../../src/time/clock.js";
import { ScaledClock } from "../../../src/time/real.js";
import { VirtualClock } from "../../../src/time/virtual.js";
import { Simulator } from "../sim.js";
import type { Scenario } from "../scenario/types.js";
import { linesWithDevices, pointAtSim } from "../wire.js";
import { GpioLink, usesGpio } from "./gpio-link.js";
import { HangableClock } from "./hang-clock.js";
import { RunRecorder, type RecordedLine } from "./record.js";
import { NO_CONTROLLER_FAULTS, type ControllerFaults } from "./scenario-file.js";

/** `virtual`: virtual time, in-memory transports; `{ speed }`: N× real time over TCP. */
export type RunMode = "virtual" | { speed: number };

export interface SessionOptions {
  config: Config;
  scenario: Scenario;
  mode: RunMode;
  controllerFaults?: ControllerFaults;
  /** The controller's logger (default: silent). */
  log?: Logger;
  onLine?: (line: RecordedLine) => void;
  /** Virtual mode: how far the clock moves per advance (ms). */
  advanceMs?: number;
}

/** StartOptions plus the GPIO backend the runner links to the plant (see gpio-link.ts). */
type StartWithGpio = StartOptions & { gpio?: GpioBackend };

export class RunnerError extends Error {
  override name = "RunnerError";
}

/** The longest a start or a stop may take on virtual time before the runner gives up on it. */
const SETTLE_LIMIT_MS = 10 * 60_000;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Awaits `p`, advancing a virtual clock in small steps until it settles; a real clock runs by itself. */
async function whileAdvancing<T>(clock: Clock, p: Promise<T>, what: string): Promise<T> {
  if (!(clock instanceof VirtualClock)) return p;
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  // Handled below; without this a rejection seen mid-loop would count as unhandled.
  watched.catch(() => undefined);
  const limit = clock.now() + SETTLE_LIMIT_MS;
  while (!settled) {
    if (clock.now() >= limit) throw new RunnerError(`${what} did not finish within ${SETTLE_LIMIT_MS / 60_000} min of virtual time`);
    await clock.advance(10);
    // Let real I/O (a file, a socket) complete too: advance() alone only runs microtasks.
    await yieldToEventLoop();
  }
  return watched;
}

export class ScenarioSession {
  readonly recorder: RunRecorder;
  private readonly timers: TimerHandle[] = [];
  private closed = false;

  private constructor(
    readonly mode: RunMode,
    readonly sim: Simulator,
    readonly ctl: RunningController,
    private readonly clock: Clock,
    private readonly origin: number,
    recorder: RunRecorder,
    private readonly link: GpioLink | undefined,
    private readonly dir: string,
    private readonly advanceMs: number,
  ) {
    this.recorder = recorder;
  }

  static async open(opts: SessionOptions): Promise<ScenarioSession> {
    const { scenario, mode } = opts;
    const clock: Clock = mode === "virtual" ? new VirtualClock() : new ScaledClock(mode.speed);
    const gpio = usesGpio(opts.config);
    const sim = new Simulator({ clock, seed: scenario.seed, params: scenario.plant, faults: scenario.events, permissive: gpio ? "gpio" : "hardwired" });
    // The store and the control socket, if the controller opens them, live and die with the run.
    const dir = mkdtempSync(path.join(tmpdir(), "reclaim-scenario-"));
    let started: RunningController | undefined;
    let link: GpioLink | undefined;
    try {
      const base: Config = {
        ...opts.config,
        store: { ...opts.config.store, path: path.join(dir, "reclaim.sqlite") },
        control: { socket: path.join(dir, "reclaim.sock") },
        opcua: { ...opts.config.opcua, enabled: false },
      };
      const origin = clock.now();
      sim.start();
      let config = base;
      let transports: StartOptions["transports"];
      if (mode === "virtual") transports = sim.memoryTransports(linesWithDevices(base));
      else config = pointAtSim(base, await sim.serveTcp());
      // The controller's own timers can be held still (a hang) while the plant runs on; only
      // a run with hangs pays for the wrapper, since every controller timer goes through it.
      const hangs = opts.controllerFaults?.hang ?? NO_CONTROLLER_FAULTS.hang;
      const ctlClock = hangs.length > 0 ? new HangableClock(clock) : undefined;
      if (gpio) {
        link = new GpioLink(config, sim);
        link.start();
      }
      const start: StartWithGpio = {
        config,
        clock: ctlClock ?? clock,
        log: opts.log ?? silentLogger(),
        opcua: false,
        control: false,
        // History and audit are not what a scenario checks; the store's disk I/O would only slow it.
        store: false,
        // Simulated time is the only time there is: nothing to wait for from timesyncd.
        clockSynced: true,
        initial: { state: scenario.initial.state, qualityMode: scenario.initial.qualityMode },
        ...(transports ? { transports } : {}),
        // The plant changes HS-001 once per 100 ms step: reading it every 10 ms would only cost time.
        ...(link ? { gpio: link.backend, gpioPollMs: 50 } : {}),
      };
      // startController waits for the first poll cycle (and stop() for the safe writes): on
      // virtual time nothing happens unless the clock moves meanwhile.
      started = await whileAdvancing(clock, startController(start), "startController");
      const unopened = link?.unopened() ?? [];
      if (unopened.length > 0) {
        throw new RunnerError(
          `the config wires ${unopened.join(", ")} to GPIO, but startController did not open them on the runner's GPIO backend ` +
            `(StartOptions.gpio): the plant would see no permissive and no heartbeat`,
        );
      }
      const recorder = new RunRecorder(origin, opts.onLine);
      recorder.subscribe(started.controller.events$);
      const s = started.controller.state;
      const raised = Object.entries(s.alarms.alarms)
        .filter(([, a]) => a.state === "Unacknowledged")
        .map(([name]) => name);
      recorder.reconcileStart(scenario.initial, { state: s.state, qualityMode: s.divert.mode, cause: s.divert.cause, raised }, clock.now());
      const session = new ScenarioSession(mode, sim, started, clock, origin, recorder, link, dir, opts.advanceMs ?? 100);
      for (const h of hangs) {
        // Absolute times: a real clock's timer may fire a little early (N× that on a scaled one),
        // and the hang must span exactly [at, at + for] of scenario time.
        const start = origin + h.atMs;
        const arm = (): void => {
          if (clock.now() < start) session.timers.push(clock.setTimer(arm, start - clock.now()));
          else ctlClock?.hang(start + h.forMs);
        };
        session.timers.push(clock.setTimer(arm, Math.max(0, start - clock.now())));
      }
      return session;
    } catch (err) {
      if (started) await whileAdvancing(clock, started.stop(), "controller stop");
      link?.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Scenario time (ms since the simulator started). */
  get nowMs(): number {
    return this.clock.now() - this.origin;
  }

  /**
   * Runs until scenario time `endMs` on the clock and in the plant (on a real clock the plant
   * steps on its own timer, up to a step behind); `onTick` about every `tickMs` of scenario time.
   */
  async runTo(endMs: number, onTick?: (nowMs: number) => void, tickMs = 60_000): Promise<void> {
    const left = (): number => Math.max(endMs - this.nowMs, endMs - this.sim.nowMs);
    let nextTick = this.nowMs + tickMs;
    let steps = 0;
    while (left() > 0) {
      // Now and then let the rest of the process run (output streams, a test runner's timers).
      if (++steps % 200 === 0) await yieldToEventLoop();
      const step = Math.min(left(), this.mode === "virtual" ? this.advanceMs : Math.max(this.advanceMs, nextTick - this.nowMs));
      if (this.clock instanceof VirtualClock) await this.clock.advance(step);
      else await sleep(this.clock, step);
      if (onTick && this.nowMs >= nextTick) {
        onTick(this.nowMs);
        nextTick += tickMs;
      }
    }
  }

  /** The controller's PackML state and quality mode now. */
  get controllerState(): { state: string; qualityMode: "Reuse" | "Divert" } {
    const s = this.ctl.controller.state;
    return { state: s.state, qualityMode: s.divert.mode };
  }

  /** Virtual timers still pending (null on a real clock); 0 after close() means nothing leaked. */
  get pendingTimers(): number | null {
    return this.clock instanceof VirtualClock ? this.clock.pendingTimers : null;
  }

  /** Stops the controller, then the plant; lets in-flight virtual requests run out; removes temporary files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.recorder.unsubscribe();
    for (const t of this.timers) this.clock.clearTimer(t);
    await whileAdvancing(this.clock, this.ctl.stop(), "controller stop");
    this.link?.stop();
    await this.sim.stop();
    if (this.clock instanceof VirtualClock) {
      // Requests already handed to a memory transport still hold their answer or timeout timer.
      for (let i = 0; i < 20 && this.clock.pendingTimers > 0; i++) await this.clock.advance(500);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
