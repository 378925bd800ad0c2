// The simulator: the process model, its sensors and faults, and the devices that serve it
// over Modbus (TCP servers, or in-memory transports for virtual time). It steps on its own
// clock: real, scaled N×, or virtual.
import type { ModbusTransport } from "../../src/field/modbus/transport.js";
import type { Clock, TimerHandle } from "../../src/time/clock.js";
import { analyzerDevice, ANALYZER_CHANNELS } from "./devices/analyzer.js";
import { ProcessImage } from "./devices/image.js";
import { driveDevice, DRIVE_HR, DRIVE_SPEED_FULL_SCALE } from "./devices/drive.js";
import { flowmeterDevice } from "./devices/flowmeter.js";
import { rioDevice, RIO_COILS, RIO_INPUTS, RIO_LOOPS, type RioDevice } from "./devices/rio.js";
import { MemoryTransport } from "./modbus/memory-transport.js";
import type { SlaveDevice } from "./modbus/slave.js";
import { startTcpSlave, type TcpSlaveServer } from "./modbus/tcp-server.js";
import { DRIVES, FaultRegistry, Plant, Sensors, type DriveName, type FaultEvent, type PlantParams } from "./model/index.js";

/** The RS-485 line's devices (REFERENCE-SKID.md): drives and flowmeters, by unit id. */
const RTU_UNITS: ReadonlyArray<{ name: string; unit: number; flow?: string; total?: string }> = [
  { name: "vfd-p101", unit: 1 },
  { name: "vfd-p301", unit: 2 },
  { name: "flow-201", unit: 3, flow: "FIT-201", total: "FQ-201" },
  { name: "flow-301", unit: 4, flow: "FIT-301", total: "FQ-301" },
  { name: "flow-302", unit: 5, flow: "FIT-302", total: "FQ-302" },
  { name: "flow-501", unit: 6, flow: "FIT-501", total: "FQ-501" },
];

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
  /**
   * rio-1's fieldbus watchdog, in ms of simulated time (this clock's ms, in every mode):
   * without a request for this long the coupler de-energizes its coils (P-202, P-401, XV-203,
   * XV-501: XV-501 falls to divert), as real remote-I/O couplers do. Armed by the first
   * request. Default 3000 (the controller polls rio-1 every 200 ms); `false` takes it out.
   */
  rioWatchdogMs?: number | false;
}

/** rio-1's fieldbus watchdog timeout unless the options say otherwise (ms of sim time). */
export const DEFAULT_RIO_WATCHDOG_MS = 3000;

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
  private readonly stepListeners = new Set<(nowMs: number) => void>();
  private readonly rio: RioDevice;

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
    const rioWatchdogMs = opts.rioWatchdogMs ?? DEFAULT_RIO_WATCHDOG_MS;
    this.rio = rioDevice(this.image, { faults: faultsOf, ...(rioWatchdogMs === false ? {} : { watchdog: { clock: this.clock, timeoutMs: rioWatchdogMs } }) });
    this.devices = {
      "analyzer-1": analyzerDevice(this.image, { faults: faultsOf }),
      "rio-1": this.rio,
    };
    for (const u of RTU_UNITS) {
      this.devices[u.name] = u.flow
        ? flowmeterDevice(this.image, { name: u.name, unit: u.unit, tag: u.flow, faults: faultsOf })
        : driveDevice(this.image, { name: u.name, unit: u.unit, faults: faultsOf });
    }
    // Outputs start as the plant has them (running), so the first exchange changes nothing.
    for (const c of RIO_COILS) this.image.coils.set(c, this.plant.inputs.coils[c]);
    for (const d of DRIVES) {
      const i = this.plant.inputs.drives[d];
      this.image.holding.set(`${d}:${DRIVE_HR.control}`, i.controlWord);
      this.image.holding.set(`${d}:${DRIVE_HR.speedRef}`, i.speedRef);
    }
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
    for (const fn of this.stepListeners) fn(this.plant.nowMs);
  }

  /**
   * Calls fn after every model step with the plant's time: for wiring that follows the plant
   * without a timer of its own (the scenario runner's GPIO link). Returns the unsubscribe.
   */
  onStep(fn: (nowMs: number) => void): () => void {
    this.stepListeners.add(fn);
    return () => this.stepListeners.delete(fn);
  }

  /** Controller outputs (coils, drive words) into the plant; sensor readings out to the devices. */
  private exchange(): void {
    const now = this.plant.nowMs;
    for (const c of RIO_COILS) this.plant.setCoil(c, this.image.coils.get(c) ?? false);
    for (const d of DRIVES) this.exchangeDrive(d, now);
    for (const u of RTU_UNITS) {
      if (!u.flow || !u.total) continue;
      this.image.analog.set(u.flow, this.sensors.read(u.flow, now));
      this.image.totals.set(u.flow, this.sensors.read(u.total, now));
      const bits = this.sensors.statusBits(u.flow, now);
      if (bits) this.image.status.set(u.flow, bits);
      else this.image.status.delete(u.flow);
    }
    for (const tag of [...ANALYZER_CHANNELS, ...RIO_LOOPS.map(([t]) => t)]) {
      this.image.analog.set(tag, this.sensors.read(tag, now));
      const bits = this.sensors.statusBits(tag, now);
      if (bits) this.image.status.set(tag, bits);
      else this.image.status.delete(tag);
      if (this.sensors.wireBreak(tag, now)) this.image.wireBreak.add(tag);
      else this.image.wireBreak.delete(tag);
    }
    // Through the sensor layer like every other instrument, so a scenario's `stuck` or
    // `spike` on a limit switch or a run-feedback contact reaches the controller.
    for (const tag of RIO_INPUTS) this.image.bits.set(tag, this.sensors.read(tag, now) >= 0.5);
  }

  private exchangeDrive(d: DriveName, now: number): void {
    const cw = this.image.holding.get(`${d}:${DRIVE_HR.control}`) ?? 0;
    if (cw !== this.plant.inputs.drives[d].controlWord) this.plant.setDriveControlWord(d, cw);
    const ref = Math.min(DRIVE_SPEED_FULL_SCALE, this.image.holding.get(`${d}:${DRIVE_HR.speedRef}`) ?? 0);
    if (ref !== this.plant.inputs.drives[d].speedRef) this.plant.setDriveSpeedRef(d, ref);
    // Status word and fault code through the sensor layer too (a `stuck` status word is a fault
    // a scenario may set); they are words, so whatever a fault does to them is rounded.
    const status = Math.round(this.sensors.read(`${d}.status`, now));
    this.image.drives.set(d, {
      ready: (status & 1) !== 0,
      running: (status & 2) !== 0,
      fault: (status & 8) !== 0,
      speedPct: this.sensors.read(`${d}.speed`, now),
      currentA: this.sensors.read(`${d}.current`, now),
      powerKw: this.sensors.read(`${d}.power`, now),
      faultCode: Math.round(this.sensors.read(`${d}.faultCode`, now)),
    });
  }

  /** The controller's GPIO outputs as the plant's wiring sees them (XY-501, WD-001, XA-001). */
  setGpio(name: "XY-501" | "WD-001" | "XA-001", on: boolean): void {
    this.plant.setGpio(name, on);
  }

  /**
   * Serves the devices over Modbus TCP on loopback: analyzer-1 and rio-1 each on their own
   * port, and the RS-485 line's drives and flowmeters behind one serial-gateway port (by
   * unit id), as a plant without a serial port on the controller would wire them. Returns the
   * endpoint of every device by name; a key per port group: "analyzer-1", "rio-1", "rs485-gateway".
   */
  async serveTcp(opts: { host?: string; ports?: Partial<Record<"analyzer-1" | "rio-1" | "rs485-gateway", number>> } = {}): Promise<Record<string, { host: string; port: number }>> {
    const groups: Array<[string, SlaveDevice[]]> = [
      ["analyzer-1", [this.devices["analyzer-1"] as SlaveDevice]],
      ["rio-1", [this.devices["rio-1"] as SlaveDevice]],
      ["rs485-gateway", RTU_UNITS.map((u) => this.devices[u.name] as SlaveDevice)],
    ];
    const out: Record<string, { host: string; port: number }> = {};
    for (const [group, devices] of groups) {
      const port = opts.ports?.[group as "analyzer-1"] ?? 0;
      const server = await startTcpSlave({ devices, clock: this.clock, host: opts.host ?? "127.0.0.1", port });
      this.servers.push(server);
      for (const d of devices) out[d.name] = { host: server.host, port: server.port };
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
    // Its timer would otherwise outlive the simulator (and keep a real-time process alive).
    this.rio.watchdog?.stop();
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
  }
}
