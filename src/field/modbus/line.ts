// One queue per line (ARCHITECTURE.md): never two requests in flight on an RTU line, at most
// maxInFlight on a TCP connection; writes go ahead of queued reads but never interrupt a
// transaction in progress; RTU keeps its inter-frame gap and pauses after a timeout so a
// late reply cannot be taken for the next answer; reconnects in process with back-off.
import type { LineConfig } from "../../config/schema.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { ModbusConnectionError, ModbusTimeoutError, type ModbusError } from "./errors.js";
import { describeRequest, type ModbusRequest, type ModbusResponse, type ModbusTransport } from "./transport.js";

export type Priority = "write" | "read";

interface Job {
  req: ModbusRequest;
  timeoutMs: number;
  priority: Priority;
  resolve(r: ModbusResponse): void;
  reject(e: ModbusError): void;
}

/** Silence between RTU frames: 3.5 characters, at least 1.75 ms above 19200 baud (Modbus over serial line, 2.5.1.1). */
export function interFrameGapMs(line: LineConfig): number {
  if (line.type !== "rtu") return 0;
  const bitsPerChar = 1 + line.dataBits + (line.parity === "none" ? 0 : 1) + line.stopBits;
  return line.baud > 19200 ? 1.75 : (3.5 * bitsPerChar * 1000) / line.baud;
}

export interface LineStats {
  requests: number;
  failures: number;
  reconnects: number;
  queued: number;
}

export class LineQueue {
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private connecting = false;
  private reconnectAt = 0;
  private backoffMs: number;
  private consecutiveTimeouts = 0;
  private pausedUntil = 0;
  private wake: TimerHandle | undefined;
  private closed = false;
  readonly stats: LineStats = { requests: 0, failures: 0, reconnects: 0, queued: 0 };

  constructor(
    readonly line: LineConfig,
    private readonly transport: ModbusTransport,
    private readonly clock: Clock,
    private readonly opts: { minBackoffMs?: number; maxBackoffMs?: number; random?: () => number } = {},
  ) {
    this.backoffMs = opts.minBackoffMs ?? 500;
  }

  get connected(): boolean {
    return this.transport.connected;
  }

  get depth(): number {
    return this.queue.length;
  }

  private get maxInFlight(): number {
    return this.line.type === "tcp" ? this.line.maxInFlight : 1;
  }

  request(req: ModbusRequest, timeoutMs: number, priority: Priority): Promise<ModbusResponse> {
    if (this.closed) return Promise.reject(new ModbusConnectionError({ line: this.line.name, unit: req.unit, request: describeRequest(req) }, "line closed"));
    return new Promise((resolve, reject) => {
      const job: Job = { req, timeoutMs, priority, resolve, reject };
      // Writes jump the queue of reads, behind earlier writes: a command must not wait a poll cycle.
      if (priority === "write") {
        const firstRead = this.queue.findIndex((j) => j.priority === "read");
        this.queue.splice(firstRead < 0 ? this.queue.length : firstRead, 0, job);
      } else this.queue.push(job);
      this.stats.queued = this.queue.length;
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clock.clearTimer(this.wake);
    for (const j of this.queue.splice(0)) j.reject(new ModbusConnectionError({ line: this.line.name, unit: j.req.unit, request: describeRequest(j.req) }, "line closed"));
    await this.transport.close();
  }

  private schedule(atMono: number): void {
    this.clock.clearTimer(this.wake);
    this.wake = this.clock.setTimer(() => {
      this.wake = undefined;
      this.pump();
    }, Math.max(0, atMono - this.clock.now()));
  }

  private pump(): void {
    if (this.closed || this.queue.length === 0 || this.connecting) return;
    const now = this.clock.now();
    if (!this.transport.connected) {
      if (now < this.reconnectAt) {
        // While the line is down, queued requests fail at once instead of piling up.
        const wait = Math.round(this.reconnectAt - now);
        for (const j of this.queue.splice(0)) {
          j.reject(new ModbusConnectionError({ line: this.line.name, unit: j.req.unit, request: describeRequest(j.req) }, `not connected (next attempt in ${wait} ms)`));
        }
        return;
      }
      void this.reconnect();
      return;
    }
    if (now < this.pausedUntil) return this.schedule(this.pausedUntil);
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.stats.queued = this.queue.length;
      this.inFlight++;
      void this.run(job);
    }
  }

  private async reconnect(): Promise<void> {
    this.connecting = true;
    try {
      await this.transport.connect();
      this.backoffMs = this.opts.minBackoffMs ?? 500;
      this.consecutiveTimeouts = 0;
    } catch {
      // Exponential back-off with jitter, so that many gateways do not retry in step.
      const jitter = 0.5 + (this.opts.random ?? Math.random)();
      this.reconnectAt = this.clock.now() + this.backoffMs * jitter;
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 30_000);
    } finally {
      this.stats.reconnects++;
      this.connecting = false;
    }
    this.pump();
  }

  private async run(job: Job): Promise<void> {
    this.stats.requests++;
    try {
      const res = await this.transport.request(job.req, job.timeoutMs);
      this.consecutiveTimeouts = 0;
      this.pausedUntil = this.clock.now() + interFrameGapMs(this.line);
      job.resolve(res);
    } catch (err) {
      this.stats.failures++;
      const e = err as ModbusError;
      if (e instanceof ModbusTimeoutError) {
        this.consecutiveTimeouts++;
        // RTU: stay silent long enough for a late answer to arrive and be discarded.
        if (this.line.type === "rtu") this.pausedUntil = this.clock.now() + Math.max(20, job.timeoutMs / 2);
        // A TCP connection that keeps timing out is replaced: the far end may be half-open.
        if (this.line.type === "tcp" && this.consecutiveTimeouts >= 5) {
          this.consecutiveTimeouts = 0;
          await this.transport.close();
        }
      } else if (e instanceof ModbusConnectionError) {
        await this.transport.close();
      }
      job.reject(e);
    } finally {
      this.inFlight--;
      this.pump();
    }
  }
}
