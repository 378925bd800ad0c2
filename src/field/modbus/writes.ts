// Writes of tag values: the request for an encoded value (FC05 for a coil, FC06 for one
// register, FC16 for several), and read-back verification, the engine's optional check that
// the next read of a written address, sent after the write was answered, shows the value.
// A device that accepts a write and then does not show it (clamped setpoint, a local/remote
// switch, an output forced on the device) gets a health warning, not a silent discrepancy.
import type { ModbusSource } from "../../config/schema.js";
import { describeSource } from "./codec.js";
import type { PollBlock } from "./poll-groups.js";
import type { ModbusRequest, ModbusResponse } from "./transport.js";

export interface Encoded {
  registers?: number[];
  bits?: boolean[];
}

/** The request that writes an encoded value of a coil or holding-register source. */
export function writeRequest(src: ModbusSource, unit: number, enc: Encoded): ModbusRequest {
  if (src.table === "coil") return { fc: 5, unit, address: src.address, value: enc.bits?.[0] === true };
  const regs = enc.registers ?? [];
  if (regs.length === 1) return { fc: 6, unit, address: src.address, value: regs[0] as number };
  return { fc: 16, unit, address: src.address, values: regs };
}

interface Expectation {
  src: ModbusSource;
  enc: Encoded;
  /** Sequence number of the write's answer; only reads sent after it can verify it. */
  seq: number;
  /** Already reported as a mismatch: kept, so that the read that finally shows it clears it. */
  mismatched: boolean;
}

export interface ReadBackResult {
  /** Writes this read disproves for the first time, with what was written and what was read. */
  problems: Array<{ tag: string; message: string }>;
  /** Tags whose earlier mismatch this read resolves. */
  cleared: string[];
}

export class ReadBack {
  private readonly pending = new Map<string, Expectation>();

  get waiting(): number {
    return this.pending.size;
  }

  /** Remembers a write that the next read of its address must show (replacing an older one of the tag). */
  expect(tag: string, src: ModbusSource, enc: Encoded, seq: number): void {
    this.pending.set(tag, { src, enc, seq, mismatched: false });
  }

  /**
   * Checks a block read that was sent at sequence `issued`. A write it shows is forgotten
   * (and clears an earlier mismatch); one it disproves is reported once and kept.
   */
  check(block: PollBlock, res: ModbusResponse, issued: number): ReadBackResult {
    const out: ReadBackResult = { problems: [], cleared: [] };
    for (const [tag, e] of this.pending) {
      const off = e.src.address - block.address;
      const fc = e.src.table === "coil" ? 1 : 3;
      const width = e.enc.bits ? 1 : (e.enc.registers?.length ?? 0);
      if (e.src.device !== block.device || fc !== block.fc || issued <= e.seq || off < 0 || off + width > block.count) continue;
      const shown = describeMismatch(e, res, off);
      if (shown === null) {
        this.pending.delete(tag);
        if (e.mismatched) out.cleared.push(tag);
      } else if (!e.mismatched) {
        e.mismatched = true;
        out.problems.push({ tag, message: `${tag}: wrote ${shown.wrote} to ${describeSource(e.src)}, read back ${shown.read}` });
      }
    }
    return out;
  }
}

function describeMismatch(e: Expectation, res: ModbusResponse, off: number): { wrote: string; read: string } | null {
  if (e.enc.bits) {
    const read = res.bits?.[off];
    return read === e.enc.bits[0] ? null : { wrote: String(e.enc.bits[0]), read: String(read) };
  }
  const wrote = e.enc.registers ?? [];
  const read = (res.registers ?? []).slice(off, off + wrote.length);
  // A bit inside a register: only that bit is ours, the others may move on their own.
  const mask = e.src.bit !== undefined ? 1 << e.src.bit : 0xffff;
  const same = wrote.length === read.length && wrote.every((w, i) => (w & mask) === ((read[i] ?? -1) & mask));
  if (same) return null;
  if (e.src.bit !== undefined) return { wrote: `bit ${e.src.bit} = ${(wrote[0] ?? 0) & mask ? 1 : 0}`, read: `${(read[0] ?? 0) & mask ? 1 : 0}` };
  return { wrote: `[${wrote.join(", ")}]`, read: `[${read.join(", ")}]` };
}
