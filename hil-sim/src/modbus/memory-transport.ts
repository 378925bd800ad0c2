// An in-memory Modbus link from the controller's field layer straight into the simulator's
// devices, for virtual-time runs: requests are encoded as PDUs and answered by the same
// slave logic the TCP and RTU servers use, with the device's response delay and faults on
// the virtual clock. The controller above it (planner, codecs, engine) is the real one.
import {
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusFrameError,
  ModbusTimeoutError,
  type RequestContext,
} from "../../../src/field/modbus/errors.js";
import { describeRequest, type ModbusRequest, type ModbusResponse, type ModbusTransport } from "../../../src/field/modbus/transport.js";
import type { Clock } from "../../../src/time/clock.js";
import { handlePdu, type SlaveDevice } from "./slave.js";

export function encodeRequestPdu(req: ModbusRequest): Buffer {
  switch (req.fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
      const b = Buffer.alloc(5);
      b[0] = req.fc;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.count, 3);
      return b;
    }
    case 5:
    case 6: {
      const b = Buffer.alloc(5);
      b[0] = req.fc;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.fc === 5 ? (req.value ? 0xff00 : 0) : req.value & 0xffff, 3);
      return b;
    }
    case 15: {
      const bytes = Math.ceil(req.values.length / 8);
      const b = Buffer.alloc(6 + bytes);
      b[0] = 15;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.values.length, 3);
      b[5] = bytes;
      req.values.forEach((v, i) => {
        if (v) b[6 + (i >> 3)] = (b[6 + (i >> 3)] as number) | (1 << (i & 7));
      });
      return b;
    }
    case 16: {
      const b = Buffer.alloc(6 + req.values.length * 2);
      b[0] = 16;
      b.writeUInt16BE(req.address, 1);
      b.writeUInt16BE(req.values.length, 3);
      b[5] = req.values.length * 2;
      req.values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 6 + i * 2));
      return b;
    }
  }
}

/** Decodes a response PDU for its request; a malformed one is a ModbusFrameError. */
export function decodeResponsePdu(req: ModbusRequest, pdu: Buffer, ctx: () => RequestContext): ModbusResponse {
  const fc = pdu[0];
  if (fc === (req.fc | 0x80)) throw new ModbusExceptionError(ctx(), pdu[1] ?? 0);
  if (fc !== req.fc) throw new ModbusFrameError(ctx(), `function code ${fc} in answer to ${req.fc}`);
  if (req.fc === 1 || req.fc === 2) {
    const n = pdu[1] ?? 0;
    if (n !== Math.ceil(req.count / 8) || pdu.length !== 2 + n) throw new ModbusFrameError(ctx(), `byte count ${n}, length ${pdu.length}`);
    const bits: boolean[] = [];
    for (let i = 0; i < req.count; i++) bits.push((((pdu[2 + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1);
    return { bits };
  }
  if (req.fc === 3 || req.fc === 4) {
    const n = pdu[1] ?? 0;
    if (n !== req.count * 2 || pdu.length !== 2 + n) throw new ModbusFrameError(ctx(), `byte count ${n}, length ${pdu.length}`);
    const registers: number[] = [];
    for (let i = 0; i < req.count; i++) registers.push(pdu.readUInt16BE(2 + i * 2));
    return { registers };
  }
  if (pdu.length !== 5) throw new ModbusFrameError(ctx(), `write echo of length ${pdu.length}`);
  return {};
}

export class MemoryTransport implements ModbusTransport {
  private open = false;
  private readonly byUnit: Map<number, SlaveDevice>;

  constructor(
    readonly name: string,
    devices: readonly SlaveDevice[],
    private readonly clock: Clock,
  ) {
    this.byUnit = new Map(devices.map((d) => [d.unit, d]));
  }

  get connected(): boolean {
    return this.open;
  }

  connect(): Promise<void> {
    this.open = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.open = false;
    return Promise.resolve();
  }

  request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    // The context names the request in an error; built only for one (most requests succeed).
    const ctx = (): RequestContext => ({ line: this.name, unit: req.unit, request: describeRequest(req), waitedMs: timeoutMs });
    if (!this.open) return Promise.reject(new ModbusConnectionError(ctx(), "not connected"));
    return new Promise((resolve, reject) => {
      const dev = this.byUnit.get(req.unit);
      const faults = dev?.faults() ?? {};
      const delay = dev ? dev.responseDelayMs + (faults.slowMs ?? 0) : Infinity;
      if (!dev || faults.offline || delay > timeoutMs) {
        this.clock.setTimer(() => reject(new ModbusTimeoutError(ctx())), timeoutMs);
        return;
      }
      this.clock.setTimer(() => {
        try {
          const pdu = faults.exception !== undefined ? Buffer.from([req.fc | 0x80, faults.exception]) : handlePdu(dev, encodeRequestPdu(req));
          // As over TCP and RTU: the device acted on the request (a write took effect, its
          // fieldbus watchdog was fed), and its answer was garbled on the way back.
          if (faults.corrupt) throw new ModbusFrameError(ctx(), "CRC error");
          resolve(decodeResponsePdu(req, pdu, ctx));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }, delay);
    });
  }
}
