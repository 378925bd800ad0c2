// A ModbusTransport on a virtual clock whose answers a test scripts per request: after how
// long, and with what (registers, bits, an exception, silence until the deadline, a garbled
// frame, a lost connection). It records every request with its start and end time and the
// most requests ever in flight, so tests can check ordering, gaps and pauses exactly.
import {
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusFrameError,
  ModbusTimeoutError,
  type RequestContext,
} from "../../../src/field/modbus/errors.js";
import { describeRequest, type ModbusRequest, type ModbusResponse, type ModbusTransport } from "../../../src/field/modbus/transport.js";
import type { VirtualClock } from "../../../src/time/virtual.js";

export type Reply =
  | { ok: ModbusResponse; afterMs?: number }
  | { exception: number; afterMs?: number }
  | { frame: string; afterMs?: number }
  | { lost: true; afterMs?: number }
  | "silent";

export interface LoggedRequest {
  req: ModbusRequest;
  start: number;
  end?: number;
  outcome?: string;
}

/** Answers every read with zeros after 5 ms, writes with an echo. */
export function zeros(req: ModbusRequest): Reply {
  if (req.fc === 1 || req.fc === 2) return { ok: { bits: new Array<boolean>(req.count).fill(false) }, afterMs: 5 };
  if (req.fc === 3 || req.fc === 4) return { ok: { registers: new Array<number>(req.count).fill(0) }, afterMs: 5 };
  return { ok: {}, afterMs: 5 };
}

export class ScriptedTransport implements ModbusTransport {
  readonly log: LoggedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  connects = 0;
  /** Connect attempts that should fail (consumed one per attempt). */
  failConnects = 0;
  private open = false;
  private readonly pending = new Set<(e: Error) => void>();

  constructor(
    readonly name: string,
    private readonly clock: VirtualClock,
    public script: (req: ModbusRequest, n: number) => Reply = zeros,
  ) {}

  get connected(): boolean {
    return this.open;
  }

  connect(): Promise<void> {
    this.connects++;
    if (this.failConnects > 0) {
      this.failConnects--;
      return Promise.reject(new Error("ECONNREFUSED"));
    }
    this.open = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.open = false;
    for (const fail of [...this.pending]) fail(new ModbusConnectionError({ line: this.name, unit: 0, request: "?" }, "closed"));
    return Promise.resolve();
  }

  /** Requests of a unit, in the order they were sent. */
  of(unit: number): LoggedRequest[] {
    return this.log.filter((l) => l.req.unit === unit);
  }

  request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    const ctx: RequestContext = { line: this.name, unit: req.unit, request: describeRequest(req), waitedMs: timeoutMs };
    if (!this.open) return Promise.reject(new ModbusConnectionError(ctx, "not connected"));
    const entry: LoggedRequest = { req, start: this.clock.now() };
    this.log.push(entry);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const reply = this.script(req, this.log.length - 1);
    return new Promise<ModbusResponse>((resolve, reject) => {
      let done = false;
      const finish = (outcome: string, fn: () => void): void => {
        if (done) return;
        done = true;
        this.pending.delete(fail);
        this.clock.clearTimer(timer);
        entry.end = this.clock.now();
        entry.outcome = outcome;
        this.inFlight--;
        fn();
      };
      const fail = (e: Error): void => finish("lost", () => reject(e));
      this.pending.add(fail);
      const after = reply === "silent" ? Infinity : (reply.afterMs ?? 5);
      const timer =
        after > timeoutMs
          ? this.clock.setTimer(() => finish("timeout", () => reject(new ModbusTimeoutError(ctx))), timeoutMs)
          : this.clock.setTimer(() => {
              if (reply === "silent") return;
              if ("ok" in reply) finish("ok", () => resolve(reply.ok));
              else if ("exception" in reply) finish("exception", () => reject(new ModbusExceptionError(ctx, reply.exception)));
              else if ("frame" in reply) finish("frame", () => reject(new ModbusFrameError(ctx, reply.frame)));
              else {
                this.open = false;
                finish("lost", () => reject(new ModbusConnectionError(ctx, "connection lost")));
              }
            }, after);
    });
  }
}
