// Modbus RTU framing for the simulator's devices on a serial port (a real one, or one end of
// a pseudo-terminal pair: rtu-pty.ts). A frame ends at the length its function code implies,
// or at the 3.5-character silence after it; a frame with a bad CRC is ignored, as a real
// slave does. Devices are served by unit id (unit 0: broadcast writes, never answered). The
// line's timing is simulated, since a pty moves bytes at once: an answer goes out after the
// request's time on the wire, the silence, the device's turnaround and the answer's own time
// on the wire (bytes × bits per character / baud). One frame at a time, as on a half-duplex
// bus. Device faults: offline (silence), slow, exception, corrupt (bad CRC).
import { SerialPort } from "serialport";
import type { Clock, TimerHandle } from "../../../src/time/clock.js";
import { crcOk, frameMs, requestLength, rtuFrame, silenceMs, type SerialTiming } from "./rtu-frame.js";
import { handlePdu, type SlaveDevice } from "./slave.js";

/** A pty hands over bytes in bursts a few ms apart; a shorter silence would cut frames in two. */
const MIN_SILENCE_MS = 5;

export interface RtuSlaveOptions extends Partial<SerialTiming> {
  path: string;
  devices: SlaveDevice[];
  clock: Clock;
  /** Simulate the time frames take on the wire (default true). */
  lineTiming?: boolean;
  /** Hostile-input tests: replaces an answer on the wire (null: say nothing). */
  tamper?: (answer: Buffer, request: Buffer) => Buffer | null;
}

export interface RtuSlaveServer {
  readonly path: string;
  /** Frames answered. */
  readonly served: number;
  /** Frames received with a good CRC (answered or not). */
  readonly received: number;
  readonly crcErrors: number;
  /** Replace (or remove, with undefined) the tamper hook while running. */
  setTamper(fn: RtuSlaveOptions["tamper"]): void;
  close(): Promise<void>;
}

export async function startRtuSlave(opts: RtuSlaveOptions): Promise<RtuSlaveServer> {
  const timing: SerialTiming = { baud: opts.baud ?? 19200, parity: opts.parity ?? "even", dataBits: opts.dataBits ?? 8, stopBits: opts.stopBits ?? 1 };
  const { clock } = opts;
  const lineTiming = opts.lineTiming ?? true;
  const byUnit = new Map(opts.devices.map((d) => [d.unit, d]));
  let tamper = opts.tamper;
  const port = new SerialPort({ path: opts.path, baudRate: timing.baud, parity: timing.parity, dataBits: timing.dataBits, stopBits: timing.stopBits, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  // A pty whose other end goes away reports EIO; the simulator must not die of it.
  port.on("error", () => undefined);

  let rx = Buffer.alloc(0);
  let silence: TimerHandle | undefined;
  const inbox: Buffer[] = [];
  let busy: TimerHandle | undefined;
  let closed = false;
  const stats = { served: 0, received: 0, crcErrors: 0 };

  /** The answer to a request frame with a good CRC, and when to send it; undefined: stay silent. */
  const answer = (frame: Buffer): { out: Buffer; delayMs: number } | undefined => {
    const unit = frame[0] as number;
    const pdu = frame.subarray(1, frame.length - 2);
    if (unit === 0) {
      for (const d of byUnit.values()) if (!d.faults().offline) handlePdu(d, pdu);
      return undefined;
    }
    const dev = byUnit.get(unit);
    const faults = dev?.faults() ?? {};
    if (!dev || faults.offline) return undefined;
    const reply = faults.exception !== undefined ? Buffer.from([(pdu[0] ?? 0) | 0x80, faults.exception]) : handlePdu(dev, pdu);
    let out: Buffer | null = rtuFrame(unit, reply);
    if (faults.corrupt) out[out.length - 1] = (out[out.length - 1] as number) ^ 0xff;
    if (tamper) out = tamper(out, frame);
    if (!out) return undefined;
    const wire = lineTiming ? frameMs(frame.length, timing) + silenceMs(timing) + frameMs(out.length, timing) : 0;
    return { out, delayMs: wire + dev.responseDelayMs + (faults.slowMs ?? 0) };
  };

  const next = (): void => {
    if (closed || busy) return;
    const frame = inbox.shift();
    if (!frame) return;
    if (!crcOk(frame)) {
      stats.crcErrors++;
      return next();
    }
    stats.received++;
    const a = answer(frame);
    if (!a) return next();
    busy = clock.setTimer(() => {
      busy = undefined;
      if (closed) return;
      stats.served++;
      port.write(a.out);
      next();
    }, a.delayMs);
  };

  const cut = (): void => {
    for (;;) {
      const len = requestLength(rx);
      if (len === undefined || len === null || rx.length < len) break;
      inbox.push(Buffer.from(rx.subarray(0, len)));
      rx = rx.subarray(len);
    }
  };

  port.on("data", (chunk: Buffer) => {
    rx = Buffer.concat([rx, chunk]);
    cut();
    clock.clearTimer(silence);
    silence = undefined;
    if (rx.length > 0) {
      // Whatever is left when the line falls silent is one frame (most likely noise).
      silence = clock.setTimer(() => {
        silence = undefined;
        inbox.push(rx);
        rx = Buffer.alloc(0);
        next();
      }, Math.max(MIN_SILENCE_MS, silenceMs(timing)));
    }
    next();
  });

  return {
    path: opts.path,
    get served() {
      return stats.served;
    },
    get received() {
      return stats.received;
    },
    get crcErrors() {
      return stats.crcErrors;
    },
    setTamper(fn) {
      tamper = fn;
    },
    close: () => {
      closed = true;
      clock.clearTimer(silence);
      clock.clearTimer(busy);
      return new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      });
    },
  };
}
