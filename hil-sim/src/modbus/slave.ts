// The simulator's Modbus slave logic, independent of framing: a request PDU in, a response
// PDU (or an exception) out, as a real device answers, with request size limits and
// exception codes for illegal functions and addresses.

export type Table = "coil" | "discrete" | "input" | "holding";

/** Thrown by a device's register bank; answered as a Modbus exception response. */
export class SlaveException extends Error {
  constructor(readonly code: number) {
    super(`Modbus exception ${code}`);
  }
}

/** Device faults that the framing layer applies (scenario names: offline, exception, slow, corrupt). */
export interface DeviceFaults {
  offline?: boolean;
  exception?: number;
  slowMs?: number;
  corrupt?: boolean;
}

export interface SlaveDevice {
  readonly name: string;
  readonly unit: number;
  /** Typical response time of this device class. */
  readonly responseDelayMs: number;
  readonly maxRegisters: number;
  readonly maxBits: number;
  readBits(table: "coil" | "discrete", address: number, count: number): boolean[];
  readRegisters(table: "input" | "holding", address: number, count: number): number[];
  writeBits(address: number, values: boolean[]): void;
  writeRegisters(address: number, values: number[]): void;
  faults(): DeviceFaults;
}

const ILLEGAL_FUNCTION = 1;
const ILLEGAL_ADDRESS = 2;
const ILLEGAL_VALUE = 3;

function exception(fc: number, code: number): Buffer {
  return Buffer.from([fc | 0x80, code]);
}

function packBits(bits: boolean[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  });
  return out;
}

function unpackBits(buf: Buffer, count: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < count; i++) out.push((((buf[i >> 3] ?? 0) >> (i & 7)) & 1) === 1);
  return out;
}

/** Answers one request PDU (function code + data) for a device. */
export function handlePdu(dev: SlaveDevice, pdu: Buffer): Buffer {
  const fc = pdu[0] ?? 0;
  try {
    if (pdu.length < 5) return exception(fc, ILLEGAL_VALUE);
    const address = pdu.readUInt16BE(1);
    const qty = pdu.readUInt16BE(3);
    switch (fc) {
      case 1:
      case 2: {
        if (qty < 1 || qty > Math.min(2000, dev.maxBits)) return exception(fc, ILLEGAL_VALUE);
        const bits = dev.readBits(fc === 1 ? "coil" : "discrete", address, qty);
        const data = packBits(bits);
        return Buffer.concat([Buffer.from([fc, data.length]), data]);
      }
      case 3:
      case 4: {
        if (qty < 1 || qty > Math.min(125, dev.maxRegisters)) return exception(fc, ILLEGAL_VALUE);
        const regs = dev.readRegisters(fc === 3 ? "holding" : "input", address, qty);
        const out = Buffer.alloc(2 + regs.length * 2);
        out[0] = fc;
        out[1] = regs.length * 2;
        regs.forEach((r, i) => out.writeUInt16BE(r & 0xffff, 2 + i * 2));
        return out;
      }
      case 5: {
        if (qty !== 0xff00 && qty !== 0x0000) return exception(fc, ILLEGAL_VALUE);
        dev.writeBits(address, [qty === 0xff00]);
        return Buffer.from(pdu.subarray(0, 5));
      }
      case 6:
        dev.writeRegisters(address, [qty]);
        return Buffer.from(pdu.subarray(0, 5));
      case 15:
      case 16: {
        const byteCount = pdu[5] ?? 0;
        const data = pdu.subarray(6, 6 + byteCount);
        if (data.length !== byteCount) return exception(fc, ILLEGAL_VALUE);
        if (fc === 15) {
          if (qty < 1 || qty > 1968 || byteCount !== Math.ceil(qty / 8)) return exception(fc, ILLEGAL_VALUE);
          dev.writeBits(address, unpackBits(data, qty));
        } else {
          if (qty < 1 || qty > 123 || byteCount !== qty * 2) return exception(fc, ILLEGAL_VALUE);
          const values: number[] = [];
          for (let i = 0; i < qty; i++) values.push(data.readUInt16BE(i * 2));
          dev.writeRegisters(address, values);
        }
        return Buffer.from(pdu.subarray(0, 5));
      }
      default:
        return exception(fc, ILLEGAL_FUNCTION);
    }
  } catch (err) {
    if (err instanceof SlaveException) return exception(fc, err.code);
    return exception(fc, 4);
  }
}

/** A register bank backed by maps; addresses not present answer "illegal data address". */
export class RegisterBank {
  private readonly tables: Record<Table, Map<number, number>> = {
    coil: new Map(),
    discrete: new Map(),
    input: new Map(),
    holding: new Map(),
  };

  define(table: Table, address: number, count = 1, initial = 0): void {
    for (let i = 0; i < count; i++) this.tables[table].set(address + i, initial);
  }

  set(table: Table, address: number, value: number): void {
    if (!this.tables[table].has(address)) throw new Error(`register ${table} ${address} is not defined`);
    this.tables[table].set(address, value);
  }

  get(table: Table, address: number): number {
    return this.tables[table].get(address) ?? 0;
  }

  read(table: Table, address: number, count: number): number[] {
    const t = this.tables[table];
    const out: number[] = [];
    for (let a = address; a < address + count; a++) {
      const v = t.get(a);
      if (v === undefined) throw new SlaveException(ILLEGAL_ADDRESS);
      out.push(v);
    }
    return out;
  }

  write(table: "coil" | "holding", address: number, values: number[]): void {
    const t = this.tables[table];
    for (let i = 0; i < values.length; i++) if (!t.has(address + i)) throw new SlaveException(ILLEGAL_ADDRESS);
    values.forEach((v, i) => t.set(address + i, v));
  }
}
