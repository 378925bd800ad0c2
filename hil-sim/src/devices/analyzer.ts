// analyzer-1: a multi-channel water-quality controller (REFERENCE-SKID.md). Channel k at
// IR 10k..10k+1 as float32 word-swapped (CDAB), status bits at IR 10k+2. Input registers
// 0..69 are readable (unused ones read 0, as on most such controllers); others are illegal.
import { SlaveException, type SlaveDevice } from "../modbus/slave.js";
import { NO_FAULTS, type DeviceFaultSource } from "./fault-source.js";
import type { ProcessImage } from "./image.js";
import { float32Words } from "./words.js";

export const ANALYZER_CHANNELS = ["AIT-201", "AIT-301", "AIT-302", "AIT-401", "AIT-402", "AIT-403", "TIT-401"] as const;
const LAST_REGISTER = ANALYZER_CHANNELS.length * 10 - 1;

export function analyzerDevice(image: ProcessImage, opts: { name?: string; unit?: number; faults?: DeviceFaultSource } = {}): SlaveDevice {
  const name = opts.name ?? "analyzer-1";
  const faults = opts.faults ?? NO_FAULTS;
  const word = (address: number): number => {
    const k = Math.floor(address / 10);
    const slot = address % 10;
    const tag = ANALYZER_CHANNELS[k];
    if (!tag || slot > 2) return 0;
    if (slot === 2) return image.status.get(tag) ?? 0;
    const [w0, w1] = float32Words(image.read(tag), "CDAB");
    return slot === 0 ? w0 : w1;
  };
  return {
    name,
    unit: opts.unit ?? 1,
    responseDelayMs: 8,
    maxRegisters: 125,
    maxBits: 2000,
    readBits: () => {
      throw new SlaveException(1);
    },
    readRegisters: (table, address, count) => {
      if (table !== "input") throw new SlaveException(2);
      if (address + count - 1 > LAST_REGISTER) throw new SlaveException(2);
      const out: number[] = [];
      for (let a = address; a < address + count; a++) out.push(word(a));
      return out;
    },
    writeBits: () => {
      throw new SlaveException(1);
    },
    writeRegisters: () => {
      throw new SlaveException(1);
    },
    faults: () => faults(name),
  };
}
