// The SIGKILL test's rig: the simulator in this process on real time (Modbus TCP, the rio-1
// fieldbus watchdog, the watchdog relay on WD-001), its GPIO served on a Unix socket, a
// notification socket standing in for systemd, and `reclaim run` as a child process that is
// killed at random moments and started again. One cycle = start, maybe reach READY, run,
// SIGKILL, then check what the plant did while nobody controlled it and what the store kept.
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { callController } from "../../../src/control/client.js";
import { openStoreReadOnly } from "../../../src/store/index.js";
import { realClock } from "../../../src/time/real.js";
import type { RioDevice } from "../../../hil-sim/src/devices/rio.js";
import { GpioServer, gpioLinesOf } from "../../../hil-sim/src/gpio-server.js";
import { GpioLink } from "../../../hil-sim/src/runner/gpio-link.js";
import { Simulator } from "../../../hil-sim/src/sim.js";
import { ControllerChild, writeChildConfig } from "./child.js";
import { NotifyReceiver } from "./notify-receiver.js";
import { installRioWatchdog } from "./skid.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** mulberry32: seeded, so a failing kill schedule can be replayed (RELIABILITY_SEED). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Persisted totals as the store holds them (runtime/persistence.ts, key "core"). */
interface PersistedCore {
  totals?: { total?: { volume?: { product?: number } } };
}

export interface StoreCheck {
  integrity: string[];
  auditOk: boolean;
  auditRows: number;
  auditDetail: string;
  /** Persisted product total (m³); null before the first save. */
  product: number | null;
}

export interface CycleOptions {
  /**
   * "startup": SIGKILL `killAfterMs` after the spawn, READY or not; "running": `killAfterMs`
   * after READY; "production": `killAfterMs` after the product went to reuse.
   */
  kind: "startup" | "running" | "production";
  killAfterMs: number;
  /** Inject off-spec water (pH 9.6) while the controller is dead, once the valve has diverted. */
  offSpec: boolean;
}

export interface CycleResult {
  kind: CycleOptions["kind"];
  ready: boolean;
  readyAfterMs: number | null;
  killedAfterMs: number;
  /** The watchdog relay was closed (heartbeat running) when the child was killed. */
  relayClosedAtKill: boolean;
  /** ms from the SIGKILL to the relay dropping; null when it was already open. */
  relayDropMs: number | null;
  /** XY-501 as the dead process left it (sysfs semantics): it still drives the line. */
  xy501LevelAfterKill: boolean | undefined;
  coilXv501AfterKill: boolean | undefined;
  /** XV-501's solenoid powered (coil and the XY-501 contact through the relay) once the dead time has run. */
  solenoidPoweredAfterKill: boolean;
  rioTripsDuringDeath: number;
  /** ms from the kill until the valve was in divert (production cycles). */
  divertMs: number | null;
  offSpecDivertedL: number;
  store: StoreCheck | null;
  productBefore: number | null;
  /** Product made by the plant between READY and the kill (m³). */
  producedWhileUp: number | null;
  exit: { code: number | null; signal: string | null };
  /** A command sent over the control socket before the kill (audited), or why not. */
  command: string;
  output: string;
}

export class KillRig {
  readonly sim: Simulator;
  readonly link: GpioLink;
  readonly rio: RioDevice;
  readonly notify: NotifyReceiver;
  readonly config: Config;
  readonly child: { current: ControllerChild | null } = { current: null };
  private readonly xyLine: number;

  private constructor(
    readonly dir: string,
    readonly configFile: string,
    sim: Simulator,
    link: GpioLink,
    rio: RioDevice,
    private readonly gpio: GpioServer,
    notify: NotifyReceiver,
  ) {
    this.sim = sim;
    this.link = link;
    this.rio = rio;
    this.notify = notify;
    this.config = loadConfig(configFile).config;
    this.xyLine = this.config.gpio.lineBase + (this.config.tags.find((t) => t.name === "XY-501")?.gpio?.gpio ?? -1);
  }

  static async open(opts: { seed: number; persistEvery: string; flush?: string }): Promise<KillRig> {
    const dir = mkdtempSync(path.join(tmpdir(), "reclaim-kill-"));
    const clock = realClock();
    // A short contact pipe: off-spec water injected while the controller is dead reaches
    // XV-501 in about two seconds, while it is still dead (the config still says 1 m³).
    const sim = new Simulator({ clock, seed: opts.seed, permissive: "gpio", params: { contactPipeM3: 0.02 } });
    const rio = installRioWatchdog(sim, clock, 1000);
    sim.start();
    const endpoints = await sim.serveTcp();
    const gpioSocket = path.join(dir, "gpio.sock");
    const configFile = writeChildConfig({ dir, endpoints, gpioSocket, persistEvery: opts.persistEvery, ...(opts.flush ? { flush: opts.flush } : {}) });
    const config = loadConfig(configFile).config;
    const link = new GpioLink(config, sim, clock);
    link.start(50);
    const gpio = await GpioServer.listen({ backend: link.backend, path: gpioSocket, lines: gpioLinesOf(config) });
    const notify = new NotifyReceiver(path.join(dir, "notify.sock"));
    return new KillRig(dir, configFile, sim, link, rio, gpio, notify);
  }

  get storePath(): string {
    return this.config.store.path;
  }

  /** Opens the store read-only as `reclaim audit verify` would while the controller is down. */
  checkStore(): StoreCheck | null {
    if (!existsSync(this.storePath)) return null;
    const r = openStoreReadOnly(this.storePath);
    try {
      const audit = r.verifyAudit();
      const core = r.loadState<PersistedCore>("core");
      const product = core?.totals?.total?.volume?.product;
      return {
        integrity: r.integrityCheck(),
        auditOk: audit.ok,
        auditRows: audit.rows,
        auditDetail: audit.ok ? "" : `${audit.reason} at row ${audit.firstBadId}: ${audit.detail}`,
        product: typeof product === "number" ? product : null,
      };
    } finally {
      r.close();
    }
  }

  async cycle(o: CycleOptions): Promise<CycleResult> {
    const before = this.checkStore();
    const productBefore = before?.product ?? null;
    const readyBefore = this.notify.count("READY=1");
    const t0 = Date.now();
    const child = new ControllerChild(this.configFile, { NOTIFY_SOCKET: this.notify.path });
    this.child.current = child;
    let readyAt: number | null = null;
    let plantAtReady: number | null = null;
    // READY within a minute (systemd's TimeoutStartSec is longer); production within five and a
    // half: the 60 s flush, then verification until 1.5 m³ have passed the valve (180 s at 30 m³/h).
    const limit = t0 + (o.kind === "production" ? 330_000 : 60_000);
    let inReuseSince: number | null = null;
    let command = "not sent";
    // Until the moment to kill: watch for READY, and in production for the valve in reuse.
    for (;;) {
      if (!child.alive) throw new Error(`the controller exited by itself:\n${child.tail()}`);
      const now = Date.now();
      if (readyAt === null && this.notify.count("READY=1") > readyBefore) {
        readyAt = now;
        plantAtReady = this.sim.plant.totals.product;
        command = await this.auditedCommand();
      }
      if (o.kind === "startup" && now - t0 >= o.killAfterMs) break;
      if (o.kind === "running" && readyAt !== null && now - readyAt >= o.killAfterMs) break;
      if (o.kind === "production" && readyAt !== null) {
        inReuseSince = this.sim.plant.valve.inReuse ? (inReuseSince ?? now) : null;
        if (inReuseSince !== null && now - inReuseSince >= o.killAfterMs) break;
      }
      if (now > limit) {
        await child.kill9();
        throw new Error(`${readyAt === null ? "no READY=1" : "the product never went to reuse"} within ${limit - t0} ms of the start:\n${child.tail()}`);
      }
      await sleep(20);
    }
    const relayClosedAtKill = this.sim.plant.watchdog.contactClosed;
    const killedAt = Date.now();
    const trips0 = this.rio.watchdog?.trips ?? 0;
    const exit = await child.kill9();
    const plantAtKill = this.sim.plant.totals.product;
    this.child.current = null;

    // Dead: the relay must drop (WD-001 stopped), and the coupler's own watchdog the coils.
    let relayDropMs: number | null = null;
    if (relayClosedAtKill) {
      while (this.sim.plant.watchdog.contactClosed && Date.now() - killedAt < 6000) await sleep(10);
      relayDropMs = this.sim.plant.watchdog.contactClosed ? Number.POSITIVE_INFINITY : Date.now() - killedAt;
    }
    let divertMs: number | null = null;
    if (o.kind === "production" || o.offSpec) {
      while (!this.sim.plant.valve.inDivert && Date.now() - killedAt < 10_000) await sleep(20);
      divertMs = this.sim.plant.valve.inDivert ? Date.now() - killedAt : Number.POSITIVE_INFINITY;
    }
    // The coupler trips 1 s after the last request; give it that and a margin.
    while (Date.now() - killedAt < 1600) await sleep(20);
    const xy501LevelAfterKill = this.link.backend.level(this.xyLine);
    const coilXv501AfterKill = this.sim.image.coils.get("XV-501");
    const solenoidPoweredAfterKill = this.sim.plant.coilPowered("XV-501") && this.sim.plant.permissiveClosed;
    const offSpec0 = this.sim.plant.ledger.report().offSpecDivertedL;
    if (o.offSpec && this.sim.plant.valve.inDivert) {
      // pH 9.6 at the analyzers for 3 s, then until it has passed XV-501 (≈ 2 s of pipe).
      this.sim.faults.add({ atMs: this.sim.nowMs, forMs: 3000, fault: "product-ph", value: 9.6 });
      await sleep(7000);
    }
    const store = this.checkStore();
    return {
      kind: o.kind,
      ready: readyAt !== null,
      readyAfterMs: readyAt === null ? null : readyAt - t0,
      killedAfterMs: killedAt - t0,
      relayClosedAtKill,
      relayDropMs,
      xy501LevelAfterKill,
      coilXv501AfterKill,
      solenoidPoweredAfterKill,
      rioTripsDuringDeath: (this.rio.watchdog?.trips ?? 0) - trips0,
      divertMs,
      offSpecDivertedL: this.sim.plant.ledger.report().offSpecDivertedL - offSpec0,
      store,
      productBefore,
      producedWhileUp: plantAtReady === null ? null : plantAtKill - plantAtReady,
      exit: { code: exit.code, signal: exit.signal },
      command,
      output: child.tail(),
    };
  }

  /** Starts the controller once more, waits for READY and its status, and stops it with SIGTERM. */
  async cleanRun(): Promise<{ readyAfterMs: number; status: unknown; exit: { code: number | null; signal: string | null; timedOut: boolean }; stopping: boolean; output: string }> {
    const readyBefore = this.notify.count("READY=1");
    const stoppingBefore = this.notify.count("STOPPING=1");
    const t0 = Date.now();
    const child = new ControllerChild(this.configFile, { NOTIFY_SOCKET: this.notify.path });
    this.child.current = child;
    try {
      await this.notify.waitFor(() => this.notify.count("READY=1") > readyBefore || !child.alive, 60_000, "READY=1");
      if (!child.alive) throw new Error(`the controller exited by itself:\n${child.tail()}`);
      const readyAfterMs = Date.now() - t0;
      const status = await callController(this.config.control.socket, "status", {}, 5000);
      const exit = await child.terminate();
      await sleep(100);
      return { readyAfterMs, status, exit, stopping: this.notify.count("STOPPING=1") > stoppingBefore, output: child.tail() };
    } finally {
      await child.kill9();
      this.child.current = null;
    }
  }

  /**
   * A command over the control socket, so the audit trail grows across the kills: a divert
   * reset, audited whether accepted or refused. Says why not when the socket lacks it.
   */
  private async auditedCommand(): Promise<string> {
    try {
      await callController(this.config.control.socket, "divert.reset", {}, 2000);
      return "divert.reset accepted";
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      const msg = (err as Error).message;
      return code === "RECLAIM_E_COMMAND_REJECTED" ? "divert.reset refused (audited)" : `divert.reset not available: ${code} ${msg}`;
    }
  }

  async close(): Promise<void> {
    await this.child.current?.kill9();
    this.child.current = null;
    this.notify.close();
    await this.gpio.close();
    this.link.stop();
    this.rio.watchdog?.stop();
    await this.sim.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
