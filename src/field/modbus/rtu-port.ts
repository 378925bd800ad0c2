// The serial port modbus-serial talks RTU through, in place of its RTUBufferedPort. Why our
// own: RTUBufferedPort keeps up to 256 bytes across requests and takes as the answer the
// first place in that buffer where the expected unit id and function code appear. A late
// answer to an earlier request, or line noise, left in the buffer can so be delivered as the
// answer to the next request, and an answer with a wrong unit id is never delivered (the
// request can only time out). This port:
//  - forgets every byte received before a request is written (the line queue has already
//    waited out the post-timeout pause, so anything still there is stale);
//  - delivers exactly one frame per request, cut at the length the request implies, or at
//    5 bytes for an exception; a wrong function code is delivered too, so that modbus-serial's
//    own checks reject it as a frame error at once; a wrong unit id is reported as a
//    'bad-frame' event (modbus-serial would take an exception frame from any unit);
//  - drops bytes that arrive while no request waits (counted in `discardedBytes`);
//  - says how much of an answer has arrived, so a deadline can report a truncated frame.
import { EventEmitter } from "node:events";
import { SerialPort } from "serialport";
import type { RtuLineConfig } from "../../config/schema.js";

/** Modbus over serial line v1.02 §2.5.1: unit, function, data, CRC; exception = 5 bytes. */
const EXCEPTION_FRAME = 5;

/** Length of the RTU answer a request frame (unit, fc, …, CRC) asks for; undefined when unknown. */
export function expectedAnswerLength(request: Buffer): number | undefined {
  const fc = request[1];
  if (request.length < 6) return undefined;
  switch (fc) {
    case 1:
    case 2:
      return 5 + Math.ceil(request.readUInt16BE(4) / 8);
    case 3:
    case 4:
      return 5 + 2 * request.readUInt16BE(4);
    case 5:
    case 6:
    case 15:
    case 16:
      return 8;
    default:
      return undefined;
  }
}

export interface SerialLike extends EventEmitter {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
}

export function openSerial(line: RtuLineConfig): SerialLike {
  return new SerialPort({
    path: line.path,
    baudRate: line.baud,
    parity: line.parity,
    dataBits: line.dataBits,
    stopBits: line.stopBits,
    autoOpen: false,
  });
}

export class RtuPort extends EventEmitter {
  private rx = Buffer.alloc(0);
  private expect: { unit: number; fc: number; length: number | undefined } | null = null;
  /** Bytes that arrived while no request was waiting: late answers and noise. */
  discardedBytes = 0;
  // modbus-serial keeps its transaction counters on the port object (index.js open()).
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  constructor(private readonly serial: SerialLike) {
    super();
    serial.on("data", (chunk: Buffer) => this.onData(chunk));
    // Re-emit only to a listener: an 'error' event nobody listens to would throw.
    serial.on("error", (err: Error) => {
      if (this.listenerCount("error") > 0) this.emit("error", err);
    });
    serial.on("close", () => this.emit("close"));
  }

  get isOpen(): boolean {
    return this.serial.isOpen;
  }

  /** How much of the awaited answer has arrived; null when none is awaited or nothing came. */
  get partial(): { received: number; expected: number | undefined } | null {
    if (!this.expect || this.rx.length === 0) return null;
    return { received: this.rx.length, expected: this.expect.length };
  }

  open(cb: (err?: Error | null) => void): void {
    this.serial.open((err) => cb(err));
  }

  close(cb?: (err?: Error | null) => void): void {
    this.expect = null;
    if (!this.serial.isOpen) {
      cb?.();
      return;
    }
    this.serial.close(() => cb?.());
  }

  destroy(cb?: () => void): void {
    this.close(() => cb?.());
  }

  /** The request's deadline passed: whatever still comes for it is late, and dropped. */
  abandon(): void {
    this.discardedBytes += this.rx.length;
    this.rx = Buffer.alloc(0);
    this.expect = null;
  }

  write(frame: Buffer): void {
    this.discardedBytes += this.rx.length;
    this.rx = Buffer.alloc(0);
    this.expect = { unit: frame[0] ?? 0, fc: frame[1] ?? 0, length: expectedAnswerLength(frame) };
    this.serial.write(frame, (err) => {
      if (err && this.listenerCount("error") > 0) this.emit("error", err);
    });
  }

  private onData(chunk: Buffer): void {
    if (!this.expect) {
      this.discardedBytes += chunk.length;
      return;
    }
    this.rx = Buffer.concat([this.rx, chunk]);
    const { unit, fc, length } = this.expect;
    let end: number | undefined;
    if (this.rx.length >= EXCEPTION_FRAME && this.rx[1] === (fc | 0x80)) end = EXCEPTION_FRAME;
    else if (length !== undefined && this.rx.length >= length) end = length;
    if (end === undefined) return;
    const frame = this.rx.subarray(0, end);
    this.discardedBytes += this.rx.length - end;
    this.rx = Buffer.alloc(0);
    this.expect = null;
    if (frame[0] !== unit) {
      this.emit("bad-frame", `answer from unit ${frame[0]}, expected unit ${unit}`);
      return;
    }
    try {
      this.emit("data", frame);
    } catch (err) {
      // modbus-serial parses in this call stack: whatever it throws must not escape a serial event.
      this.emit("bad-frame", `answer the library could not parse (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}
