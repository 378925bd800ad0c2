// vfd-p101, vfd-p301: the drive profile of REFERENCE-SKID.md, as common VFDs serve it.
// HR0 control word (bit0 run, bit7 fault reset) and HR1 speed reference 0–20000 = 0–100 %,
// written by the controller into the process image (`holding`, "device:address"); HR50
// status word (bit0 ready, bit1 running, bit3 fault), HR51 actual speed (same scale), HR52
// current in 0.1 A, HR53 power in 0.1 kW, HR54 fault code, from the plant (`drives`).
// Other addresses answer "illegal data address"; HR50..54 are read-only.
import { SlaveException, type SlaveDevice } from "../modbus/slave.js";
import { NO_FAULTS, type DeviceFaultSource } from "./fault-source.js";
import type { DriveReadback, ProcessImage } from "./image.js";

export const DRIVE_SPEED_FULL_SCALE = 20000;
export const DRIVE_CONTROL = { run: 1 << 0, faultReset: 1 << 7 } as const;
export const DRIVE_STATUS = { ready: 1 << 0, running: 1 << 1, fault: 1 << 3 } as const;
/** Holding registers the controller writes, and the first of those it reads back. */
export const DRIVE_HR = { control: 0, speedRef: 1, status: 50, speed: 51, current: 52, power: 53, faultCode: 54 } as const;

const IDLE: DriveReadback = { ready: true, running: false, fault: false, speedPct: 0, currentA: 0, powerKw: 0, faultCode: 0 };
const ILLEGAL_FUNCTION = 1;
const ILLEGAL_ADDRESS = 2;

const word = (x: number): number => Math.min(0xffff, Math.max(0, Math.round(x)));

export function statusWord(d: DriveReadback): number {
  return (d.ready ? DRIVE_STATUS.ready : 0) | (d.running ? DRIVE_STATUS.running : 0) | (d.fault ? DRIVE_STATUS.fault : 0);
}

export function driveDevice(image: ProcessImage, opts: { name: string; unit: number; faults?: DeviceFaultSource }): SlaveDevice {
  const { name } = opts;
  const faults = opts.faults ?? NO_FAULTS;
  const key = (address: number): string => `${name}:${address}`;
  const holding = (address: number): number => {
    if (address === DRIVE_HR.control || address === DRIVE_HR.speedRef) return image.holding.get(key(address)) ?? 0;
    const d = image.drives.get(name) ?? IDLE;
    switch (address) {
      case DRIVE_HR.status:
        return statusWord(d);
      case DRIVE_HR.speed:
        return word((d.speedPct / 100) * DRIVE_SPEED_FULL_SCALE);
      case DRIVE_HR.current:
        return word(d.currentA * 10);
      case DRIVE_HR.power:
        return word(d.powerKw * 10);
      case DRIVE_HR.faultCode:
        return word(d.faultCode);
      default:
        throw new SlaveException(ILLEGAL_ADDRESS);
    }
  };
  return {
    name,
    unit: opts.unit,
    responseDelayMs: 5,
    maxRegisters: 125,
    maxBits: 2000,
    readBits: () => {
      throw new SlaveException(ILLEGAL_FUNCTION);
    },
    readRegisters: (table, address, count) => {
      if (table !== "holding") throw new SlaveException(ILLEGAL_ADDRESS);
      return Array.from({ length: count }, (_, i) => holding(address + i));
    },
    writeBits: () => {
      throw new SlaveException(ILLEGAL_FUNCTION);
    },
    writeRegisters: (address, values) => {
      // Only the control word and the speed reference are writable; check all before writing any.
      if (address < DRIVE_HR.control || address + values.length - 1 > DRIVE_HR.speedRef) throw new SlaveException(ILLEGAL_ADDRESS);
      values.forEach((v, i) => image.holding.set(key(address + i), v & 0xffff));
    },
    faults: () => faults(name),
  };
}
