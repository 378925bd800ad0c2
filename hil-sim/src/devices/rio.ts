// rio-1: a remote I/O coupler (REFERENCE-SKID.md). Coils 0 P-202, 1 P-401, 2 XV-203,
// 3 XV-501; discrete inputs 0 P-202 running, 1 P-401 running, 2 ZSO-501, 3 ZSC-501,
// 4 LSL-101; input registers 0–5 the 4–20 mA loops in µA.
import { SlaveException, type SlaveDevice } from "../modbus/slave.js";
import { NO_FAULTS, type DeviceFaultSource } from "./fault-source.js";
import type { ProcessImage } from "./image.js";
import { loopMicroamps } from "./words.js";

export const RIO_COILS = ["P-202", "P-401", "XV-203", "XV-501"] as const;
export const RIO_INPUTS = ["P-202-RUN", "P-401-RUN", "ZSO-501", "ZSC-501", "LSL-101"] as const;
/** Loops with their transmitter ranges. */
export const RIO_LOOPS: ReadonlyArray<readonly [string, number, number]> = [
  ["LIT-101", 0, 100],
  ["LIT-202", 0, 100],
  ["LIT-601", 0, 100],
  ["PIT-201", 0, 6],
  ["PIT-202", 0, 6],
  ["PIT-301", 0, 25],
];

function check(address: number, count: number, size: number): void {
  if (address + count > size) throw new SlaveException(2);
}

export function rioDevice(image: ProcessImage, opts: { name?: string; unit?: number; faults?: DeviceFaultSource } = {}): SlaveDevice {
  const name = opts.name ?? "rio-1";
  const faults = opts.faults ?? NO_FAULTS;
  return {
    name,
    unit: opts.unit ?? 1,
    responseDelayMs: 3,
    maxRegisters: 125,
    maxBits: 2000,
    readBits: (table, address, count) => {
      const names = table === "coil" ? RIO_COILS : RIO_INPUTS;
      check(address, count, names.length);
      const src = table === "coil" ? image.coils : image.bits;
      return names.slice(address, address + count).map((n) => src.get(n) ?? false);
    },
    readRegisters: (table, address, count) => {
      if (table !== "input") throw new SlaveException(2);
      check(address, count, RIO_LOOPS.length);
      return RIO_LOOPS.slice(address, address + count).map(([tag, lo, hi]) => loopMicroamps(image.read(tag), lo, hi, image.wireBreak.has(tag)));
    },
    writeBits: (address, values) => {
      check(address, values.length, RIO_COILS.length);
      values.forEach((v, i) => image.coils.set(RIO_COILS[address + i] as string, v));
    },
    writeRegisters: () => {
      throw new SlaveException(1);
    },
    faults: () => faults(name),
  };
}
