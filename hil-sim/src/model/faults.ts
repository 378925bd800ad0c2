// The fault registry: every fault a scenario schedules, when it is active, and what it
// means to each layer. Sensor faults are read by sensors.ts, device faults by the device
// layer (activeDeviceFaults), process faults are pushed into the plant's truth (applyTo).
import { NO_PROCESS_FAULTS, type ProcessFaultState } from "./process-faults.js";

export const SENSOR_FAULTS = ["stuck", "offset", "drift", "spike", "noise", "wire-break", "status"] as const;
export const DEVICE_FAULTS = ["offline", "exception", "slow", "corrupt"] as const;
export const PROCESS_FAULTS = [
  "feed-turbidity",
  "feed-conductivity",
  "membrane-breach",
  "uf-fouling",
  "dosing-failure",
  "valve-stuck",
  "drive-trip",
  "estop",
  "eq-inflow",
  "reuse-demand",
  "product-ph",
  "ro-overpressure",
] as const;
export const FAULT_NAMES = [...SENSOR_FAULTS, ...DEVICE_FAULTS, ...PROCESS_FAULTS] as const;

export type SensorFaultName = (typeof SENSOR_FAULTS)[number];
export type DeviceFaultName = (typeof DEVICE_FAULTS)[number];
export type ProcessFaultName = (typeof PROCESS_FAULTS)[number];
export type FaultName = (typeof FAULT_NAMES)[number];

export const isSensorFault = (f: FaultName): f is SensorFaultName => (SENSOR_FAULTS as readonly string[]).includes(f);
export const isDeviceFault = (f: FaultName): f is DeviceFaultName => (DEVICE_FAULTS as readonly string[]).includes(f);
export const isProcessFault = (f: FaultName): f is ProcessFaultName => (PROCESS_FAULTS as readonly string[]).includes(f);

/** Drive fault code used by `drive-trip` when the scenario gives none. */
export const DEFAULT_TRIP_CODE = 1;

/** One scheduled fault, in sim time from the scenario's start. */
export interface FaultEvent {
  atMs: number;
  /** How long it lasts; absent = to the end of the run. */
  forMs?: number;
  fault: FaultName;
  /** Sensor faults: the tag. */
  tag?: string;
  /** Device faults and `drive-trip`: the device. */
  device?: string;
  /** Stuck-at, offset, spike, extra noise sigma, status bit mask, process value, or drive fault code. */
  value?: number;
  /** `drift` (and `uf-fouling` growth): per hour. */
  rate?: number;
  /** `exception`: Modbus exception code. */
  code?: number;
  /** `slow`: extra response delay, ms. */
  delayMs?: number;
  /** `valve-stuck`: the end position it sticks in; absent = where it is. */
  position?: "reuse" | "divert";
}

/** What the device layer does for a device at a moment; several faults combine. */
export interface DeviceFaultEffect {
  offline?: true;
  exception?: number;
  slowMs?: number;
  corrupt?: true;
}

/** The process-fault side of the plant, as applyTo needs it. */
export interface ProcessFaultTarget {
  setProcessFaults(state: ProcessFaultState): void;
}

export function isActive(e: FaultEvent, nowMs: number): boolean {
  return nowMs >= e.atMs && (e.forMs === undefined || nowMs < e.atMs + e.forMs);
}

export class FaultRegistry {
  private readonly events: FaultEvent[] = [];
  private readonly byTag = new Map<string, FaultEvent[]>();
  private readonly byDevice = new Map<string, FaultEvent[]>();
  private process: FaultEvent[] = [];
  /** Next time the set of active process faults can change; -1 forces a recompute. */
  private nextChangeMs = -1;

  constructor(events: readonly FaultEvent[] = []) {
    for (const e of events) this.add(e);
  }

  /** Adds a fault (scenarios add all at once; an interactive simulator may add more later). */
  add(event: FaultEvent): void {
    const e = { ...event };
    this.events.push(e);
    const into = (map: Map<string, FaultEvent[]>, key: string) => {
      const list = map.get(key) ?? [];
      list.push(e);
      list.sort((a, b) => a.atMs - b.atMs);
      map.set(key, list);
    };
    if (isSensorFault(e.fault) && e.tag !== undefined) into(this.byTag, e.tag);
    else if (isDeviceFault(e.fault) && e.device !== undefined) into(this.byDevice, e.device);
    else if (isProcessFault(e.fault)) this.process = [...this.process, e].sort((a, b) => a.atMs - b.atMs);
    this.nextChangeMs = -1;
  }

  get all(): readonly FaultEvent[] {
    return this.events;
  }

  active(nowMs: number): FaultEvent[] {
    return this.events.filter((e) => isActive(e, nowMs));
  }

  /** Every sensor fault ever scheduled for a tag, in start order (sensors.ts checks which are active). */
  forTag(tag: string): readonly FaultEvent[] {
    return this.byTag.get(tag) ?? EMPTY;
  }

  activeDeviceFaults(device: string, nowMs: number): DeviceFaultEffect {
    const out: DeviceFaultEffect = {};
    for (const e of this.byDevice.get(device) ?? EMPTY) {
      if (!isActive(e, nowMs)) continue;
      switch (e.fault) {
        case "offline":
          out.offline = true;
          break;
        case "exception":
          out.exception = e.code ?? 4; // 4 = server device failure
          break;
        case "slow":
          out.slowMs = Math.max(out.slowMs ?? 0, e.delayMs ?? 0);
          break;
        case "corrupt":
          out.corrupt = true;
          break;
        default:
          break;
      }
    }
    return out;
  }

  /** The process faults active at nowMs; where two of a kind overlap, the later-started wins. */
  processState(nowMs: number): ProcessFaultState {
    const s: ProcessFaultState = { ...NO_PROCESS_FAULTS, driveTrip: { ...NO_PROCESS_FAULTS.driveTrip } };
    for (const e of this.process) {
      if (!isActive(e, nowMs)) continue;
      applyProcessFault(s, e);
    }
    return s;
  }

  /**
   * Pushes the active process faults into the plant. Call before every plant.step; it only
   * does work when a fault starts or ends, so it costs nothing on ordinary steps.
   */
  applyTo(plant: ProcessFaultTarget, nowMs: number): void {
    if (this.nextChangeMs >= 0 && nowMs < this.nextChangeMs) return;
    plant.setProcessFaults(this.processState(nowMs));
    let next = Number.POSITIVE_INFINITY;
    for (const e of this.process) {
      if (e.atMs > nowMs) next = Math.min(next, e.atMs);
      if (e.forMs !== undefined && e.atMs + e.forMs > nowMs) next = Math.min(next, e.atMs + e.forMs);
    }
    this.nextChangeMs = next;
  }
}

const EMPTY: readonly FaultEvent[] = Object.freeze([]);

function applyProcessFault(s: ProcessFaultState, e: FaultEvent): void {
  const v = e.value;
  switch (e.fault) {
    case "feed-turbidity":
      s.feedTurbidityNtu = v ?? null;
      break;
    case "feed-conductivity":
      s.feedConductivityUsCm = v ?? null;
      break;
    case "membrane-breach":
      s.rejectionPct = v ?? null;
      break;
    case "uf-fouling":
      s.ufFouling = { bar: v ?? 0, ratePerH: e.rate ?? 0, sinceMs: e.atMs };
      break;
    case "dosing-failure":
      s.dosingFailure = true;
      break;
    case "valve-stuck":
      s.valveStuck = e.position ?? "here";
      break;
    case "drive-trip":
      if (e.device === "vfd-p101" || e.device === "vfd-p301") {
        s.driveTrip = { ...s.driveTrip, [e.device]: v ?? DEFAULT_TRIP_CODE };
      }
      break;
    case "estop":
      s.estopOpen = true;
      break;
    case "eq-inflow":
      s.eqInflowM3h = v ?? null;
      break;
    case "reuse-demand":
      s.reuseDemandM3h = v ?? null;
      break;
    case "product-ph":
      s.productPh = v ?? null;
      break;
    case "ro-overpressure":
      s.roExtraPressureBar = v ?? null;
      break;
    default:
      break;
  }
}
