// The simulator: the process model, its sensors and faults, and the devices that serve it
// over Modbus (TCP servers, or in-memory transports for virtual time). It steps on its own
// clock: real, scaled N×, or virtual.
import type { ModbusTransport } from "../../src/field/modbus/transport.js";
import type { Clock, TimerHandle } from "../../src/time/clock.js";
import { analyzerDevice, ANALYZER_CHANNELS } from "./devices/analyzer.js";
import { ProcessImage } from "./devices/image.js";
import { rioDevice, RIO_COILS, RIO_INPUTS, RIO_LOOPS } from "./devices/rio.js";
import { MemoryTransport } from "./modbus/memory-transport.js";
import type { SlaveDevice } from "./modbus/slave.js";
import { startTcpSlave, type TcpSlaveServer } from "./modbus/tcp-server.js";
import { FaultRegistry, Plant, Sensors, type FaultEvent, type PlantParams } from "./model/index.js";

export interface SimulatorOptions {
  clock: Clock;
  seed?: number;
  params?: Partial<PlantParams>;
  /** Model step (ms of sim time). */
  stepMs?: number;
  faults?: readonly FaultEvent[];
  /**
   * How the reuse permissive XY-501 and the watchdog heartbeat WD-001 reach the plant:
   * "gpio" — from the controller's GPIO outputs (setGpio); "hardwired" — a controller
   * without GPIO (e.g. a third-party one on `npm run sim`): XY-501 closed, no watchdog relay.
   */
  permissive?: "gpio" | "hardwired";
}

/** The sim's devices by name: what a controller config's lines point at. */
export type SimDevices = Record<string, SlaveDevice>;

export class Simulator {
  readonly image = new ProcessImage();
  readonly plant: Plant;
  readonly faults: FaultRegistry;
  readonly sensors: Sensors;
  readonly devices: SimDevices;
  private readonly clock: Clock;
  private readonly stepMs: number;
  private timer: TimerHandle | undefined;
  private lastStep = 0;
  private running = false;
  private readonly servers: TcpSlaveServer[] = [];

  constructor(opts: SimulatorOptions) {
    this.clock = opts.clock;
    this.stepMs = opts.stepMs ?? 100;
    const seed = opts.seed ?? 1;
    const hardwired = opts.permissive === "hardwired";
    this.plant = new Plant({ initialRunning: true, ...(hardwired ? { watchdogEnabled: false } : {}), ...opts.params }, seed);
    if (hardwired) this.plant.setGpio("XY-501", true);
    this.faults = new FaultRegistry(opts.faults ?? []);
    this.sensors = new Sensors(this.plant, this.faults, seed);
    const faultsOf = (device: string) => this.faults.activeDeviceFaults(device, this.plant.nowMs);
    this.devices = {
      "analyzer-1": analyzerDevice(this.image, { faults: faultsOf }),
      "rio-1": rioDevice(this.image, { faults: faultsOf }),
    };
    // Coils start as the plant has them (running), so the first exchange changes nothing.
    for (const c of RIO_COILS) this.image.coils.set(c, this.plant.inputs.coils[c]);
    this.exchange();
  }

  /** Sim time in ms since start. */
  get nowMs(): number {
    return this.plant.nowMs;
  }

  /** Starts stepping the model on the clock. */
  start(): void {
    this.running = true;
    this.lastStep = this.clock.now();
    const tick = (): void => {
      if (!this.running) return;
      const now = this.clock.now();
      this.stepTo(now - this.lastStep);
      this.lastStep = now;
      this.timer = this.clock.setTimer(tick, this.stepMs);
    };
    this.timer = this.clock.setTimer(tick, this.stepMs);
  }

  /** Advances the model by dt ms in steps of at most stepMs (for callers that drive time themselves). */
  stepTo(dtMs: number): void {
    let left = dtMs;
    while (left > 1e-9) {
      const dt = Math.min(this.stepMs, left);
      this.faults.applyTo(this.plant, this.plant.nowMs);
      this.plant.step(dt);
      left -= dt;
    }
    this.exchange();
  }

  /** Controller outputs (coils) into the plant; sensor readings out to the devices. */
  private exchange(): void {
    const now = this.plant.nowMs;
    for (const c of RIO_COILS) this.plant.setCoil(c, this.image.coils.get(c) ?? false);
    for (const tag of [...ANALYZER_CHANNELS, ...RIO_LOOPS.map(([t]) => t)]) {
      this.image.analog.set(tag, this.sensors.read(tag, now));
      const bits = this.sensors.statusBits(tag, now);
      if (bits) this.image.status.set(tag, bits);
      else this.image.status.delete(tag);
      if (this.sensors.wireBreak(tag, now)) this.image.wireBreak.add(tag);
      else this.image.wireBreak.delete(tag);
    }
    for (const tag of RIO_INPUTS) this.image.bits.set(tag, this.plant.measure(tag) >= 0.5);
  }

  /** The controller's GPIO outputs as the plant's wiring sees them (XY-501, WD-001, XA-001). */
  setGpio(name: "XY-501" | "WD-001" | "XA-001", on: boolean): void {
    this.plant.setGpio(name, on);
  }

  /** Serves every device on its own Modbus TCP port on loopback; returns the endpoints by device name. */
  async serveTcp(opts: { host?: string; ports?: Record<string, number> } = {}): Promise<Record<string, { host: string; port: number }>> {
    const out: Record<string, { host: string; port: number }> = {};
    for (const [name, dev] of Object.entries(this.devices)) {
      const server = await startTcpSlave({ devices: [dev], clock: this.clock, host: opts.host ?? "127.0.0.1", port: opts.ports?.[name] ?? 0 });
      this.servers.push(server);
      out[name] = { host: server.host, port: server.port };
    }
    return out;
  }

  /** In-memory transports for a controller config: one per line, serving the devices named on it. */
  memoryTransports(lines: ReadonlyArray<{ name: string; devices: ReadonlyArray<{ name: string; unit: number }> }>): Map<string, ModbusTransport> {
    const out = new Map<string, ModbusTransport>();
    for (const line of lines) {
      const devs = line.devices.flatMap((d) => {
        const dev = this.devices[d.name];
        return dev ? [{ ...dev, unit: d.unit }] : [];
      });
      out.set(line.name, new MemoryTransport(line.name, devs, this.clock));
    }
    return out;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimer(this.timer);
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
  }
}
