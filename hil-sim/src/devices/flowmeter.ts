// flow-201, flow-301, flow-302, flow-501: the magnetic flowmeter profile of REFERENCE-SKID.md.
// IR0–1 flow in m³/h as float32, high word first (ABCD); IR2–3 totalizer as uint32 in
// 0.001 m³, high word first (it wraps at 2^32, as the meter's does); IR4 status bits (bit0
// empty pipe, bit1 fault). Input registers 0..4 only; anything else is an illegal address.
import { SlaveException, type SlaveDevice } from "../modbus/slave.js";
import { NO_FAULTS, type DeviceFaultSource } from "./fault-source.js";
import type { ProcessImage } from "./image.js";
import { float32Words } from "./words.js";

export const FLOWMETER_STATUS = { emptyPipe: 1 << 0, fault: 1 << 1 } as const;
const LAST_REGISTER = 4;
const ILLEGAL_FUNCTION = 1;
const ILLEGAL_ADDRESS = 2;

/** The totalizer in counts of 0.001 m³, as the meter's 32-bit counter holds it. */
export function totalizerCounts(m3: number): number {
  const counts = Math.floor(Math.max(0, m3) * 1000);
  return counts % 0x1_0000_0000;
}

export function flowmeterDevice(image: ProcessImage, opts: { name: string; unit: number; tag: string; faults?: DeviceFaultSource }): SlaveDevice {
  const { name, tag } = opts;
  const faults = opts.faults ?? NO_FAULTS;
  const register = (address: number): number => {
    switch (address) {
      case 0:
      case 1:
        return float32Words(image.read(tag), "ABCD")[address];
      case 2:
      case 3: {
        const counts = totalizerCounts(image.totals.get(tag) ?? 0);
        return address === 2 ? Math.floor(counts / 0x10000) : counts % 0x10000;
      }
      default:
        return (image.status.get(tag) ?? 0) & 0xffff;
    }
  };
  return {
    name,
    unit: opts.unit,
    responseDelayMs: 10,
    maxRegisters: 125,
    maxBits: 2000,
    readBits: () => {
      throw new SlaveException(ILLEGAL_FUNCTION);
    },
    readRegisters: (table, address, count) => {
      if (table !== "input" || address + count - 1 > LAST_REGISTER) throw new SlaveException(ILLEGAL_ADDRESS);
      return Array.from({ length: count }, (_, i) => register(address + i));
    },
    writeBits: () => {
      throw new SlaveException(ILLEGAL_FUNCTION);
    },
    writeRegisters: () => {
      throw new SlaveException(ILLEGAL_FUNCTION);
    },
    faults: () => faults(name),
  };
}
