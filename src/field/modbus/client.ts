// ModbusTransport over modbus-serial, for one TCP endpoint or one RTU serial port. It owns
// one modbus-serial client at a time, gives every request a hard deadline on the injected
// clock (modbus-serial has no default timeout, and a request pending when the socket closes
// is never answered), settles every waiting request at once when the connection is lost,
// checks the shape of each answer, and turns the library's error shapes into typed
// ModbusErrors (classify.ts).
//
// Requests in flight at once (TCP maxInFlight > 1) are safe: the library reads the unit id
// when a request is written, and we set it in the same synchronous step as the write, so no
// await can come between; we never use the library's own timeout (a client-wide setting);
// and answers are matched to requests by the MBAP transaction id (1..255, wrapping; at most
// 16 in flight, so ids are never reused while one waits).
import type { EventEmitter } from "node:events";
import modbusSerial from "modbus-serial";
import type { ModbusRTU } from "modbus-serial/ModbusRTU.js";
import type { LineConfig, RtuLineConfig } from "../../config/schema.js";
import type { Clock } from "../../time/clock.js";
import { classifyLibError, describeThrown } from "./classify.js";
import { ModbusConnectionError, ModbusFrameError, ModbusTimeoutError, type ModbusError, type RequestContext } from "./errors.js";
import { openSerial, RtuPort, type SerialLike } from "./rtu-port.js";
import { describeRequest, type ModbusRequest, type ModbusResponse, type ModbusTransport } from "./transport.js";

// modbus-serial is CommonJS: at run time the default import is the class itself (and has
// itself as `.default`); its typings declare an ES default export. `.default` satisfies both.
const ModbusClient = (modbusSerial as unknown as { default: typeof ModbusRTU }).default;

/** How long an RTU port may take to open before the attempt counts as failed. */
const RTU_OPEN_TIMEOUT_MS = 2000;
/** How long close() waits for the library before giving up on it (a port that never says "closed"). */
const CLOSE_TIMEOUT_MS = 500;

export interface SerialTransportOptions {
  /** Opens the serial device of an RTU line (tests substitute a fake). */
  openSerial?: (line: RtuLineConfig) => SerialLike;
}

interface Waiting {
  fail(err: ModbusError): void;
  ctx: RequestContext;
}

export class ModbusSerialTransport implements ModbusTransport {
  private client: ModbusRTU | null = null;
  private rtuPort: RtuPort | null = null;
  private open = false;
  /** Bumped on every connect and close, so events of an old client are ignored. */
  private generation = 0;
  private readonly waiting = new Set<Waiting>();

  constructor(
    private readonly line: LineConfig,
    private readonly clock: Clock,
    private readonly opts: SerialTransportOptions = {},
  ) {}

  get name(): string {
    return this.line.name;
  }

  get connected(): boolean {
    return this.open && this.client?.isOpen === true;
  }

  /** Bytes an RTU port dropped because no request was waiting for them (late answers, noise). */
  get discardedBytes(): number {
    return this.rtuPort?.discardedBytes ?? 0;
  }

  async connect(): Promise<void> {
    await this.close();
    const gen = ++this.generation;
    const l = this.line;
    const ctx: RequestContext = { line: l.name, unit: 0, request: "connect" };
    let client: ModbusRTU;
    let opening: Promise<void>;
    let rtu: RtuPort | null = null;
    if (l.type === "tcp") {
      client = new ModbusClient();
      // No `timeout` option: the library would put an idle timer on the socket; our deadline covers connect.
      opening = client.connectTCP(l.host, { port: l.port });
    } else {
      const port = new RtuPort((this.opts.openSerial ?? openSerial)(l));
      rtu = port;
      port.on("bad-frame", (what: string) => this.failWaiting(gen, (c) => new ModbusFrameError(c, what)));
      client = new ModbusClient(port);
      opening = new Promise<void>((resolve, reject) => client.open((err?: unknown) => (err ? reject(toError(err)) : resolve())));
    }
    // Without an 'error' listener an EventEmitter throws; both events mean the link is gone.
    client.on("error", (err: unknown) => this.lost(gen, `error: ${describeThrown(err)}`));
    client.on("close", () => this.lost(gen, "closed by the other end"));
    try {
      await this.deadline(opening, l.type === "tcp" ? l.connectTimeout : RTU_OPEN_TIMEOUT_MS, ctx);
    } catch (err) {
      await this.release(client);
      const why = err instanceof ModbusTimeoutError ? `no connection within ${err.context.waitedMs} ms` : describeThrown(err);
      throw new ModbusConnectionError(ctx, `cannot connect to ${describeLine(l)}: ${why}`, { cause: err });
    }
    if (gen !== this.generation) {
      // close() was called while we were connecting: this client is nobody's.
      await this.release(client);
      throw new ModbusConnectionError(ctx, `connection to ${describeLine(l)} closed while connecting`);
    }
    this.client = client;
    this.rtuPort = rtu;
    this.open = true;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.rtuPort = null;
    this.open = false;
    this.generation++;
    this.failAll((ctx) => new ModbusConnectionError(ctx, `connection to ${describeLine(this.line)} closed`));
    if (c) await this.release(c);
  }

  private async release(c: ModbusRTU): Promise<void> {
    // The client is an EventEmitter at run time; its typings declare only on().
    const events = c as unknown as EventEmitter;
    events.removeAllListeners("close");
    // Keep an error listener: a late socket error must not become an uncaught exception.
    events.removeAllListeners("error");
    events.on("error", () => undefined);
    await new Promise<void>((resolve) => {
      const guard = this.clock.setTimer(resolve, CLOSE_TIMEOUT_MS);
      const done = (): void => {
        this.clock.clearTimer(guard);
        resolve();
      };
      try {
        // TCP: destroy, because end() on a socket that is already closed never calls back.
        // RTU: close, which waits for the OS to release the device so that it can be reopened.
        if (this.line.type === "tcp") c.destroy(done);
        else c.close(done);
      } catch {
        done();
      }
    });
  }

  request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    const ctx: RequestContext = { line: this.line.name, unit: req.unit, request: describeRequest(req), waitedMs: timeoutMs };
    const c = this.client;
    if (!c || !this.connected) return Promise.reject(new ModbusConnectionError(ctx, `not connected to ${describeLine(this.line)}`));
    return new Promise<ModbusResponse>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        this.clock.clearTimer(timer);
        this.waiting.delete(waiting);
        fn();
      };
      const waiting: Waiting = { ctx, fail: (e) => finish(() => reject(e)) };
      const timer = this.clock.setTimer(() => finish(() => reject(this.noAnswer(ctx, timeoutMs))), timeoutMs);
      this.waiting.add(waiting);
      let call: Promise<unknown>;
      try {
        c.setID(req.unit);
        call = send(c, req);
      } catch (err) {
        finish(() => reject(classifyLibError(err, ctx)));
        return;
      }
      call.then(
        (raw) => {
          let res: ModbusResponse;
          try {
            res = checkAnswer(req, raw, ctx);
          } catch (err) {
            finish(() => reject(classifyLibError(err, ctx)));
            return;
          }
          finish(() => resolve(res));
        },
        (err: unknown) => finish(() => reject(classifyLibError(err, ctx))),
      );
    });
  }

  // At the deadline an RTU answer may be half there: that is a truncated frame, not silence.
  private noAnswer(ctx: RequestContext, timeoutMs: number): ModbusError {
    const partial = this.rtuPort?.partial;
    this.rtuPort?.abandon();
    if (!partial) return new ModbusTimeoutError(ctx);
    const of = partial.expected !== undefined ? ` of ${partial.expected}` : "";
    return new ModbusFrameError(ctx, `truncated answer: ${partial.received}${of} bytes in ${timeoutMs} ms`);
  }

  private lost(gen: number, why: string): void {
    if (gen !== this.generation) return;
    this.open = false;
    this.failAll((ctx) => new ModbusConnectionError(ctx, `connection to ${describeLine(this.line)} lost (${why})`));
  }

  private failWaiting(gen: number, make: (ctx: RequestContext) => ModbusError): void {
    if (gen === this.generation) this.failAll(make);
  }

  private failAll(make: (ctx: RequestContext) => ModbusError): void {
    for (const w of [...this.waiting]) w.fail(make(w.ctx));
  }

  /** Settles even when the library never calls back. */
  private deadline<T>(p: Promise<T>, ms: number, ctx: RequestContext): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimer(() => reject(new ModbusTimeoutError({ ...ctx, waitedMs: ms })), ms);
      p.then(
        (v) => {
          this.clock.clearTimer(timer);
          resolve(v);
        },
        (e: unknown) => {
          this.clock.clearTimer(timer);
          reject(toError(e));
        },
      );
    });
  }
}

// The library call for a request. Not async: the unit id set just before is read synchronously.
function send(c: ModbusRTU, req: ModbusRequest): Promise<unknown> {
  switch (req.fc) {
    case 1:
      return c.readCoils(req.address, req.count);
    case 2:
      return c.readDiscreteInputs(req.address, req.count);
    case 3:
      return c.readHoldingRegisters(req.address, req.count);
    case 4:
      return c.readInputRegisters(req.address, req.count);
    case 5:
      return c.writeCoil(req.address, req.value);
    case 6:
      return c.writeRegister(req.address, req.value);
    case 15:
      return c.writeCoils(req.address, req.values);
    case 16:
      return c.writeRegisters(req.address, req.values);
  }
}

interface LibAnswer {
  data?: unknown;
  buffer?: unknown;
  address?: unknown;
  value?: unknown;
  state?: unknown;
  length?: unknown;
}

/**
 * The library checks CRC, unit, function code and frame length, but takes the byte count
 * inside the frame on trust, and does not compare a write's echo with the request.
 */
export function checkAnswer(req: ModbusRequest, raw: unknown, ctx: RequestContext): ModbusResponse {
  const a = (typeof raw === "object" && raw !== null ? raw : {}) as LibAnswer;
  const bytes = Buffer.isBuffer(a.buffer) ? a.buffer.length : -1;
  const bad = (what: string): never => {
    throw new ModbusFrameError(ctx, what);
  };
  switch (req.fc) {
    case 1:
    case 2: {
      const want = Math.ceil(req.count / 8);
      if (bytes !== want || !Array.isArray(a.data) || a.data.length < req.count) bad(`byte count ${bytes}, expected ${want}`);
      return { bits: (a.data as boolean[]).slice(0, req.count).map((b) => b === true) };
    }
    case 3:
    case 4: {
      const data = Array.isArray(a.data) ? (a.data as unknown[]) : [];
      if (bytes !== req.count * 2 || data.length !== req.count) bad(`byte count ${bytes}, expected ${req.count * 2}`);
      if (!data.every((w) => Number.isInteger(w) && (w as number) >= 0 && (w as number) <= 0xffff)) bad("register outside 0..65535");
      return { registers: data as number[] };
    }
    case 5:
      if (a.address !== req.address || a.state !== req.value) bad(`echo of coil ${String(a.address)} = ${String(a.state)}`);
      return {};
    case 6:
      if (a.address !== req.address || a.value !== req.value) bad(`echo of register ${String(a.address)} = ${String(a.value)}`);
      return {};
    case 15:
    case 16:
      if (a.address !== req.address || a.length !== req.values.length) bad(`echo of ${String(a.length)} at ${String(a.address)}`);
      return {};
  }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(describeThrown(e));
}

export function describeLine(l: LineConfig): string {
  return l.type === "tcp" ? `${l.host}:${l.port}` : `${l.path} ${l.baud} ${l.dataBits}${l.parity[0]?.toUpperCase()}${l.stopBits}`;
}
