// Devices and servers for tests on real sockets: a plain register-bank device for the
// simulator's TCP server, and a raw Modbus TCP server whose answers a test writes byte by
// byte (wrong unit, wrong transaction id, truncated, garbage), on an ephemeral port.
import net from "node:net";
import type { DeviceFaults, SlaveDevice } from "../../../hil-sim/src/modbus/slave.js";
import { RegisterBank } from "../../../hil-sim/src/modbus/slave.js";

export interface BankDevice extends SlaveDevice {
  bank: RegisterBank;
  setFaults(f: DeviceFaults): void;
}

/** A device with 100 holding and input registers and 32 coils and discrete inputs, all 0. */
export function bankDevice(name: string, unit: number, responseDelayMs = 1): BankDevice {
  const bank = new RegisterBank();
  bank.define("holding", 0, 100);
  bank.define("input", 0, 100);
  bank.define("coil", 0, 32);
  bank.define("discrete", 0, 32);
  let faults: DeviceFaults = {};
  return {
    name,
    unit,
    responseDelayMs,
    maxRegisters: 125,
    maxBits: 2000,
    bank,
    setFaults: (f) => {
      faults = f;
    },
    readBits: (table, address, count) => bank.read(table, address, count).map((v) => v !== 0),
    readRegisters: (table, address, count) => bank.read(table, address, count),
    writeBits: (address, values) => bank.write("coil", address, values.map((v) => (v ? 1 : 0))),
    writeRegisters: (address, values) => bank.write("holding", address, values),
    faults: () => faults,
  };
}

export interface MbapRequest {
  tid: number;
  unit: number;
  pdu: Buffer;
}

export function mbap(tid: number, unit: number, pdu: Uint8Array, lengthField = pdu.length + 1): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(tid & 0xffff, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(lengthField & 0xffff, 4);
  head[6] = unit;
  return Buffer.concat([head, pdu]);
}

/** The normal answer PDU for a read of `count` registers (all `value`) or bits. */
export function readAnswer(pdu: Buffer, value = 0): Buffer {
  const fc = pdu[0] ?? 0;
  const count = pdu.length >= 5 ? pdu.readUInt16BE(3) : 1;
  if (fc === 1 || fc === 2) return Buffer.from([fc, Math.ceil(count / 8), ...new Array<number>(Math.ceil(count / 8)).fill(value ? 0xff : 0)]);
  const out = Buffer.alloc(2 + count * 2);
  out[0] = fc;
  out[1] = count * 2;
  for (let i = 0; i < count; i++) out.writeUInt16BE(value & 0xffff, 2 + i * 2);
  return out;
}

export interface RawServer {
  port: number;
  /** Requests received, in order. */
  requests: MbapRequest[];
  /** Destroys every open connection (as a device that reboots). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** A Modbus TCP server that hands each request to `onRequest`, which answers with raw bytes (or not at all). */
export async function rawTcpServer(onRequest: (req: MbapRequest, socket: net.Socket) => void, port = 0): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const requests: MbapRequest[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 7 && buf.length >= 6 + buf.readUInt16BE(4)) {
        const len = buf.readUInt16BE(4);
        const req = { tid: buf.readUInt16BE(0), unit: buf[6] as number, pdu: Buffer.from(buf.subarray(7, 6 + len)) };
        buf = buf.subarray(6 + len);
        requests.push(req);
        onRequest(req, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
