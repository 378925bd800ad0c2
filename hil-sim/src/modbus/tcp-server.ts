// Modbus TCP framing for the simulator's devices: MBAP header, routing by unit id, one
// request at a time per connection (as most small devices), and the device faults
// offline (no reply), slow, exception and corrupt applied on the wire.
import net from "node:net";
import type { Clock } from "../../../src/time/clock.js";
import { handlePdu, type SlaveDevice } from "./slave.js";

const MBAP_LEN = 7;

export interface TcpSlaveServer {
  readonly port: number;
  readonly host: string;
  /** Requests answered, for tests and benchmarks. */
  readonly served: number;
  close(): Promise<void>;
}

export async function startTcpSlave(opts: {
  devices: SlaveDevice[];
  clock: Clock;
  host?: string;
  port?: number;
}): Promise<TcpSlaveServer> {
  const byUnit = new Map(opts.devices.map((d) => [d.unit, d]));
  const sockets = new Set<net.Socket>();
  let served = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let busy = false;
    const pump = (): void => {
      if (busy || buf.length < MBAP_LEN) return;
      const len = buf.readUInt16BE(4);
      if (buf.length < 6 + len) return;
      const frame = buf.subarray(0, 6 + len);
      buf = buf.subarray(6 + len);
      const tid = frame.readUInt16BE(0);
      const protocol = frame.readUInt16BE(2);
      const unit = frame[6] as number;
      const pdu = frame.subarray(MBAP_LEN);
      const dev = byUnit.get(unit);
      // A real gateway stays silent for a unit it does not have; so does a wrong protocol id.
      if (!dev || protocol !== 0 || len < 2) return pump();
      const faults = dev.faults();
      if (faults.offline) return pump();
      busy = true;
      const answer = faults.exception !== undefined ? Buffer.from([(pdu[0] ?? 0) | 0x80, faults.exception]) : handlePdu(dev, pdu);
      const delay = dev.responseDelayMs + (faults.slowMs ?? 0);
      opts.clock.setTimer(() => {
        busy = false;
        if (socket.destroyed) return;
        const head = Buffer.alloc(MBAP_LEN);
        head.writeUInt16BE(tid, 0);
        head.writeUInt16BE(0, 2);
        head.writeUInt16BE(answer.length + 1, 4);
        head[6] = unit;
        let out: Buffer = Buffer.concat([head, answer]);
        if (faults.corrupt) out = corrupt(out);
        served++;
        socket.write(out);
        pump();
      }, delay);
    };
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      pump();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  return {
    port: addr.port,
    host: addr.address,
    get served() {
      return served;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A garbled answer: the byte count no longer matches the data, as line noise would leave it. */
function corrupt(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  if (out.length > 8) out[8] = ((out[8] as number) + 3) & 0xff;
  return out.subarray(0, Math.max(MBAP_LEN + 1, out.length - 1));
}
