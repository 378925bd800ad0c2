// The composition root (STYLE.md 8): builds every part with its dependencies passed in,
// starts them in order (outputs safe first), and stops them in reverse order.
import type { Subscription } from "rxjs";
import type { Config } from "./config/schema.js";
import { ControlServer } from "./control/server.js";
import { controlHandlers } from "./control/handlers.js";
import { ModbusSerialTransport } from "./field/modbus/client.js";
import { ModbusEngine, type PollBlock } from "./field/modbus/engine.js";
import type { ModbusTransport } from "./field/modbus/transport.js";
import { planBlocks, planPoll } from "./field/modbus/planner.js";
import { ReclaimOpcuaServer } from "./opcua/server.js";
import { Controller } from "./runtime/controller.js";
import { describeEvent } from "./core/events.js";
import { deviceOnlineTag } from "./core/model.js";
import { GOOD } from "./core/quality.js";
import { watchClockSync } from "./system/clock-sync.js";
import { createGpioBackend, GpioField } from "./field/gpio/field.js";
import type { GpioBackend } from "./field/gpio/gpio.js";
import type { InitialOptions } from "./core/state.js";
import { openStore, type Store } from "./store/index.js";
import { wireStore } from "./runtime/store-wiring.js";
import { CorePersistence, restoreFrom } from "./runtime/persistence.js";
import { OpcuaAlarms, OpcuaIntake, opcuaSource } from "./runtime/opcua-adapter.js";
import path from "node:path";
import { FieldOutputWriter } from "./runtime/outputs.js";
import { buildStatus, type StatusSnapshot } from "./runtime/status.js";
import type { Logger } from "./system/log.js";
import type { Clock, TimerHandle } from "./time/clock.js";

export interface StartOptions {
  config: Config;
  clock: Clock;
  log: Logger;
  /** Transports per line name; defaults to modbus-serial over each configured line. */
  transports?: ReadonlyMap<string, ModbusTransport>;
  /** Serve OPC UA (default: config.opcua.enabled). */
  opcua?: boolean;
  /** Serve the control socket (default true). */
  control?: boolean;
  /** Initial core state (scenario runs start in Execute/Reuse). */
  initial?: InitialOptions;
  /** Open the SQLite store at config.store.path (default true). */
  store?: boolean;
  /** The GPIO backend (the simulator's fake); by default the one the config selects. */
  gpio?: GpioBackend;
  /** How often GPIO inputs are read (ms, default 10); simulations may read less often. */
  gpioPollMs?: number;
  /** The wall clock is known synchronized (simulations); otherwise watched via systemd-timesyncd's flag. */
  clockSynced?: boolean;
  /** The config file (for the config lifecycle commands). */
  configFile?: string;
  /** Called when a command asks for a controlled restart with a new config (the service loop restarts). */
  onRestart?: (config: Config, reason: string) => void;
}

export interface RunningController {
  config: Config;
  controller: Controller;
  engine: ModbusEngine;
  store: Store | null;
  opcua: ReclaimOpcuaServer | null;
  status(): StatusSnapshot;
  /** Whether the store keeps up (a full disk still counts: a restart would not cure it). */
  storeHealthy(): boolean;
  stop(): Promise<void>;
}

/** Resolves once every device has answered or failed once, or after 3 of the slowest poll periods. */
function firstPollCycle(engine: ModbusEngine, config: Config, clock: Clock): Promise<void> {
  const waiting = new Set(config.devices.map((d) => d.name));
  const slowest = Math.max(1000, ...config.tags.map((t) => t.modbus?.poll ?? 0));
  return new Promise((resolve) => {
    if (waiting.size === 0) return resolve();
    const timer = clock.setTimer(done, 3 * slowest);
    const sub = engine.health$.subscribe((h) => {
      waiting.delete(h.device);
      if (waiting.size === 0) done();
    });
    function done(): void {
      clock.clearTimer(timer);
      sub.unsubscribe();
      resolve();
    }
  });
}

export async function startController(opts: StartOptions): Promise<RunningController> {
  const { config, clock, log } = opts;
  // The store first: an unusable database stops start-up (exit code 4) before any output moves.
  const store = (opts.store ?? true) ? openStore({ path: config.store.path, clock, tags: config.tags, flushInterval: config.store.flushInterval, retention: config.store.retention, log: log.child({ part: "store" }) }) : null;
  const transports =
    opts.transports ?? new Map(config.lines.map((l) => [l.name, new ModbusSerialTransport(l, clock) as ModbusTransport] as const));
  // GPIO next: its outputs open at their safe level, and missing lines stop start-up (exit 6).
  const gpio = new GpioField(config, clock, opts.gpio ?? (await createGpioBackend(config)), opts.gpioPollMs !== undefined ? { pollMs: opts.gpioPollMs } : {});
  try {
    gpio.start();
  } catch (err) {
    await store?.stop();
    throw err;
  }
  const blocks: PollBlock[] = planBlocks(planPoll(config));
  const engine = new ModbusEngine(config, clock, transports, blocks);
  const writer = new FieldOutputWriter(config, log.child({ part: "outputs" }), {
    modbus: (tag, v) => engine.write(tag, v),
    gpio: (tag, v) => gpio.write(tag, v),
  });
  const controller = new Controller(config, clock, writer, {
    ...(opts.initial ? { initial: opts.initial } : {}),
    ...(store ? { restore: restoreFrom(store, config, clock.now()) } : {}),
  });
  const subs: Subscription[] = [];
  const stoppers: Array<() => Promise<void> | void> = [];

  const stopAll = async (): Promise<void> => {
    // Safe outputs first: stop scanning, then de-energize everything and wait (bounded) for the writes.
    controller.stop();
    let deadline: TimerHandle | undefined;
    await Promise.race([controller.writeSafeOutputs(), new Promise<void>((resolve) => (deadline = clock.setTimer(resolve, 2000)))]);
    clock.clearTimer(deadline);
    for (const s of subs) s.unsubscribe();
    for (const stop of stoppers.reverse()) await stop();
    gpio.stop();
    // Last: everything the others said is flushed to disk.
    await store?.stop();
  };

  const status = (): StatusSnapshot => buildStatus(config, controller.state, engine.health(), clock.now());
  let opcua: ReclaimOpcuaServer | null = null;
  // A part that fails to start (OPC UA's port taken, the control socket's directory missing)
  // must not leave the others polling and writing in a process that is about to exit or restart.
  try {
    if (store) {
      if (opts.clockSynced) store.setClockSynced(true);
      else {
        const unwatch = watchClockSync(clock, (synced) => store.setClockSynced(synced));
        stoppers.push(unwatch);
      }
      store.start();
      wireStore(store, controller, engine, clock, log.child({ part: "store" }), subs);
      const persistence = new CorePersistence(store, controller, clock, config.totals.persistEvery);
      persistence.start();
      stoppers.push(() => persistence.stop());
    }
    const fieldLog = log.child({ part: "modbus" });
    subs.push(engine.samples$.subscribe((s) => controller.ingest(s)));
    subs.push(gpio.samples$.subscribe((s) => controller.ingest(s)));
    subs.push(
      engine.health$.subscribe((h) => {
        controller.ingest([{ tag: deviceOnlineTag(h.device), value: h.status !== "offline", quality: GOOD, sourceTs: clock.wall(), mono: clock.now() }]);
        if (h.status === "online") fieldLog.info({ device: h.device }, `${h.device} online`);
        else fieldLog.warn({ device: h.device }, `${h.device} ${h.status}: ${h.lastError ?? ""}`);
      }),
    );
    const coreLog = log.child({ part: "core" });
    subs.push(
      controller.events$.subscribe((e) => {
        const loud = e.type === "quality-mode" || e.type === "discrepancy" || e.type === "protection" || (e.type === "sequence" && e.kind === "failed");
        coreLog[loud ? "warn" : "info"]({ event: e.type }, describeEvent(e));
      }),
    );

    // Outputs go to their safe state before anything else (a restart after a crash may find
    // the valve energized); the scan starts once every device has been polled once, so that
    // the first scan sees the field rather than a table of unread tags.
    void controller.writeSafeOutputs();
    const firstCycle = firstPollCycle(engine, config, clock);
    engine.start();
    stoppers.push(() => engine.stop());
    await firstCycle;

    // OPC UA starts before the scan loop, not after it: its start (address space, certificates,
    // endpoints) holds the event loop for whole scan periods, and scans it delays are counted as
    // overruns, so every restart raised SCAN-OVERRUN, a nuisance alarm for the operator. Starting
    // it first costs only a later first scan, while the outputs are held safe and the devices
    // polled (READY=1 and the service watchdog wait for startController anyway); the overrun
    // supervision itself stays unconditional from the first scan on, so no real overrun is masked.
    if (opts.opcua ?? config.opcua.enabled) {
      const alarms = new OpcuaAlarms(config, controller, clock);
      const audit = (r: { kind?: string; user: string; action: string; target: string; data: unknown }): void =>
        store?.recordAudit({ kind: r.kind ?? "alarm", user: r.user, action: r.action, target: r.target, data: r.data, wallTs: clock.wall(), monoTs: clock.now() });
      opcua = new ReclaimOpcuaServer(config, opcuaSource(config, controller, engine, clock), log.child({ part: "opcua" }), {
        intake: new OpcuaIntake(controller, alarms, audit),
        alarms,
        ...(store ? { history: store } : {}),
        audit,
        now: () => clock.now(),
        pkiDir: path.join(path.dirname(config.store.path), "pki"),
      });
      await opcua.start();
      stoppers.push(() => opcua?.stop());
    }

    controller.start();
    stoppers.push(() => controller.stop());

    if (opts.control ?? true) {
      const handlers = controlHandlers({
        config,
        configFile: opts.configFile ?? null,
        controller,
        engine,
        store,
        clock,
        status,
        requestRestart: opts.onRestart ?? (() => log.warn("restart requested, but this controller was started without a restart handler")),
      });
      const control = new ControlServer(config.control.socket, handlers, log.child({ part: "control" }));
      await control.start();
      stoppers.push(() => control.stop());
    }
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }

  return {
    config,
    controller,
    engine,
    opcua,
    status,
    store,
    storeHealthy: () => {
      const h = store?.health();
      return h === undefined || h.ok || h.diskFull;
    },
    stop: stopAll,
  };
}
