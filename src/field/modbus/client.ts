// ModbusTransport over modbus-serial, for one TCP endpoint or one RTU serial port. It owns
// one modbus-serial client, gives every request a hard deadline of its own (modbus-serial
// has no default timeout, and a request pending when the socket closes is never answered),
// and turns the library's error shapes into typed ModbusErrors.
import modbusSerial from "modbus-serial";
import type { ModbusRTU } from "modbus-serial/ModbusRTU.js";
import type { LineConfig } from "../../config/schema.js";
import type { Clock } from "../../time/clock.js";
import {
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusFrameError,
  ModbusTimeoutError,
  type ModbusError,
  type RequestContext,
} from "./errors.js";
import { describeRequest, type ModbusRequest, type ModbusResponse, type ModbusTransport } from "./transport.js";

// modbus-serial is CommonJS: at run time the default import is the class itself (and has
// itself as `.default`); its typings declare an ES default export. `.default` satisfies both.
const ModbusClient = (modbusSerial as unknown as { default: typeof ModbusRTU }).default;

/** The library's own error objects are not all `instanceof Error` (its timeout is a plain object). */
interface LibError {
  message?: string | null;
  errno?: string;
  modbusCode?: number;
  name?: string;
}

export function classifyLibError(err: unknown, ctx: RequestContext): ModbusError {
  const e = (err ?? {}) as LibError;
  if (typeof e.modbusCode === "number") return new ModbusExceptionError(ctx, e.modbusCode);
  if (e.errno === "ETIMEDOUT" || e.name === "TransactionTimedOutError") return new ModbusTimeoutError(ctx);
  const msg = String(e.message ?? err);
  if (/CRC|length|Unexpected data|Data length/i.test(msg)) return new ModbusFrameError(ctx, msg);
  return new ModbusConnectionError(ctx, `connection: ${msg}`, { cause: err });
}

export class ModbusSerialTransport implements ModbusTransport {
  private client: ModbusRTU | null = null;
  private open = false;

  constructor(
    private readonly line: LineConfig,
    private readonly clock: Clock,
  ) {}

  get name(): string {
    return this.line.name;
  }

  get connected(): boolean {
    return this.open && this.client?.isOpen === true;
  }

  async connect(): Promise<void> {
    await this.close();
    const client = new ModbusClient();
    client.on("error", () => {
      this.open = false;
    });
    client.on("close", () => {
      this.open = false;
    });
    const l = this.line;
    const ctx: RequestContext = { line: l.name, unit: 0, request: "connect" };
    try {
      if (l.type === "tcp") {
        await this.withDeadline(client.connectTCP(l.host, { port: l.port, timeout: l.connectTimeout }), l.connectTimeout, ctx);
      } else {
        await this.withDeadline(
          client.connectRTUBuffered(l.path, { baudRate: l.baud, parity: l.parity, dataBits: l.dataBits, stopBits: l.stopBits }),
          2000,
          ctx,
        );
      }
    } catch (err) {
      client.close(() => undefined);
      const detail = err instanceof ModbusTimeoutError ? "no connection within the timeout" : String((err as LibError).message ?? err);
      throw new ModbusConnectionError(ctx, `cannot connect to ${describeLine(l)}: ${detail}`, { cause: err });
    }
    this.client = client;
    this.open = true;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.open = false;
    if (!c) return;
    await new Promise<void>((resolve) => {
      try {
        c.close(() => resolve());
      } catch {
        resolve();
      }
      // A serial port that never answers close must not hang the stop path.
      this.clock.setTimer(resolve, 500);
    });
  }

  async request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    const ctx: RequestContext = { line: this.line.name, unit: req.unit, request: describeRequest(req), waitedMs: timeoutMs };
    const c = this.client;
    if (!c || !this.connected) throw new ModbusConnectionError(ctx, "not connected");
    c.setID(req.unit);
    c.setTimeout(timeoutMs);
    try {
      return await this.withDeadline(this.send(c, req), timeoutMs + 50, ctx);
    } catch (err) {
      throw isModbusError(err) ? err : classifyLibError(err, ctx);
    }
  }

  private async send(c: ModbusRTU, req: ModbusRequest): Promise<ModbusResponse> {
    switch (req.fc) {
      case 1:
        return { bits: (await c.readCoils(req.address, req.count)).data.slice(0, req.count) };
      case 2:
        return { bits: (await c.readDiscreteInputs(req.address, req.count)).data.slice(0, req.count) };
      case 3:
        return { registers: (await c.readHoldingRegisters(req.address, req.count)).data };
      case 4:
        return { registers: (await c.readInputRegisters(req.address, req.count)).data };
      case 5:
        await c.writeCoil(req.address, req.value);
        return {};
      case 6:
        await c.writeRegister(req.address, req.value);
        return {};
      case 15:
        await c.writeCoils(req.address, req.values);
        return {};
      case 16:
        await c.writeRegisters(req.address, req.values);
        return {};
    }
  }

  /** Our own deadline: settles even when the library never calls back (socket closed mid-request). */
  private withDeadline<T>(p: Promise<T>, ms: number, ctx: RequestContext): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimer(() => reject(new ModbusTimeoutError({ ...ctx, waitedMs: ms })), ms);
      p.then(
        (v) => {
          this.clock.clearTimer(timer);
          resolve(v);
        },
        (e: unknown) => {
          this.clock.clearTimer(timer);
          reject(e instanceof Error ? e : classifyLibError(e, ctx));
        },
      );
    });
  }
}

function isModbusError(err: unknown): err is ModbusError {
  return err instanceof ModbusTimeoutError || err instanceof ModbusExceptionError || err instanceof ModbusFrameError || err instanceof ModbusConnectionError;
}

export function describeLine(l: LineConfig): string {
  return l.type === "tcp" ? `${l.host}:${l.port}` : `${l.path} ${l.baud} ${l.dataBits}${l.parity[0]?.toUpperCase()}${l.stopBits}`;
}
