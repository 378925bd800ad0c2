// One queue per line (ARCHITECTURE.md): never two requests in flight on an RTU line, at most
// maxInFlight on a TCP connection; writes go ahead of queued reads but never interrupt a
// transaction in progress; RTU keeps its inter-frame gap and pauses after a timeout so a
// late reply cannot be taken for the next answer; reconnects in process with exponential
// back-off and jitter, and replaces a TCP connection that keeps timing out.
import type { LineConfig, RtuLineConfig } from "../../config/schema.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { describeThrown } from "./classify.js";
import { isModbusError, ModbusConnectionError, type ModbusError } from "./errors.js";
import { describeRequest, type ModbusRequest, type ModbusResponse, type ModbusTransport } from "./transport.js";

export type Priority = "write" | "read";

interface Job {
  req: ModbusRequest;
  timeoutMs: number;
  priority: Priority;
  resolve(r: ModbusResponse): void;
  reject(e: ModbusError): void;
}

function charMs(line: RtuLineConfig): number {
  const bitsPerChar = 1 + line.dataBits + (line.parity === "none" ? 0 : 1) + line.stopBits;
  return (bitsPerChar * 1000) / line.baud;
}

/** Silence between RTU frames: 3.5 characters, 1.75 ms above 19200 baud (Modbus over serial line v1.02 §2.5.1.1). */
export function interFrameGapMs(line: LineConfig): number {
  if (line.type !== "rtu") return 0;
  return line.baud > 19200 ? 1.75 : 3.5 * charMs(line);
}

/** RTU answer length (bytes, CRC included) to a request: what a late answer can be at most (5 for an exception). */
export function answerBytes(req: ModbusRequest): number {
  switch (req.fc) {
    case 1:
    case 2:
      return 5 + Math.ceil(req.count / 8);
    case 3:
    case 4:
      return 5 + 2 * req.count;
    case 5:
    case 6:
    case 15:
    case 16:
      return 8;
  }
}

/**
 * Silence after a timeout or a garbled answer on RTU, before the next request: a device that
 * is merely slow may already be sending. Long enough for the whole answer to that request to
 * pass and the inter-frame gap to follow, and at least half the timeout, for a device that
 * answers late. (Sending into a late answer would also collide with it on the half-duplex bus.)
 */
export function postTimeoutPauseMs(line: LineConfig, timeoutMs: number, req?: ModbusRequest): number {
  if (line.type !== "rtu") return 0;
  const bytes = req ? answerBytes(req) : 256; // 256: the longest RTU frame (v1.02 §2.5.1)
  return Math.max(bytes * charMs(line) + interFrameGapMs(line), timeoutMs / 2);
}

export interface LineQueueOptions {
  /** First reconnect delay (ms); doubles on every failed attempt up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Jitter source in [0, 1): the delay is multiplied by 0.5 + random(). */
  random?: () => number;
  /** TCP: consecutive timeouts after which the connection is replaced (half-open, or a stream out of step). */
  replaceAfterTimeouts?: number;
}

export interface LineStats {
  requests: number;
  failures: number;
  /** Connection attempts (the first included). */
  reconnects: number;
  connectFailures: number;
  queued: number;
  /** Most requests that were ever in flight at once. */
  maxInFlightSeen: number;
}

export class LineQueue {
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private connecting = false;
  private reconnectAt = 0;
  private backoffMs: number;
  private lastConnectError = "";
  private consecutiveTimeouts = 0;
  private pausedUntil = 0;
  /** Bumped on every successful connect: a failure from an older connection must not close a newer one. */
  private connection = 0;
  private wake: TimerHandle | undefined;
  private closed = false;
  readonly stats: LineStats = { requests: 0, failures: 0, reconnects: 0, connectFailures: 0, queued: 0, maxInFlightSeen: 0 };

  constructor(
    readonly line: LineConfig,
    private readonly transport: ModbusTransport,
    private readonly clock: Clock,
    private readonly opts: LineQueueOptions = {},
  ) {
    this.backoffMs = this.minBackoff;
  }

  get connected(): boolean {
    return this.transport.connected;
  }

  /** Requests waiting (not in flight). */
  get depth(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.inFlight;
  }

  get maxInFlight(): number {
    return this.line.type === "tcp" ? Math.max(1, this.line.maxInFlight) : 1;
  }

  private get minBackoff(): number {
    return this.opts.minBackoffMs ?? 500;
  }

  /** Queues a request; settles with its answer or a ModbusError, never hangs (the transport has the deadline). */
  request(req: ModbusRequest, timeoutMs: number, priority: Priority): Promise<ModbusResponse> {
    if (this.closed) return Promise.reject(this.lineError(req, "line closed"));
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
    this.wake = undefined;
    for (const j of this.queue.splice(0)) j.reject(this.lineError(j.req, "line closed"));
    this.stats.queued = 0;
    await this.transport.close();
  }

  private lineError(req: ModbusRequest, why: string): ModbusConnectionError {
    return new ModbusConnectionError({ line: this.line.name, unit: req.unit, request: describeRequest(req) }, why);
  }

  private schedule(atMono: number): void {
    if (this.wake) return;
    this.wake = this.clock.setTimer(() => {
      this.wake = undefined;
      this.pump();
    }, Math.max(0, atMono - this.clock.now()));
  }

  private pump(): void {
    if (this.closed || this.queue.length === 0 || this.connecting) return;
    const now = this.clock.now();
    if (!this.transport.connected) {
      // Let requests already on the wire settle before opening a new connection.
      if (this.inFlight > 0) return;
      if (now < this.reconnectAt) {
        // While the line is down, queued requests fail at once instead of piling up.
        const wait = Math.round(this.reconnectAt - now);
        const why = `not connected (${this.lastConnectError}; next attempt in ${wait} ms)`;
        for (const j of this.queue.splice(0)) j.reject(this.lineError(j.req, why));
        this.stats.queued = 0;
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
      this.stats.maxInFlightSeen = Math.max(this.stats.maxInFlightSeen, this.inFlight);
      void this.run(job, this.connection);
    }
  }

  private async reconnect(): Promise<void> {
    this.connecting = true;
    this.stats.reconnects++;
    try {
      await this.transport.connect();
      this.connection++;
      this.backoffMs = this.minBackoff;
      this.consecutiveTimeouts = 0;
      this.reconnectAt = 0;
    } catch (err) {
      // Exponential back-off with jitter, so that many gateways do not retry in step.
      this.stats.connectFailures++;
      this.lastConnectError = describeThrown(err);
      const jitter = 0.5 + (this.opts.random ?? Math.random)();
      this.reconnectAt = this.clock.now() + this.backoffMs * jitter;
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 30_000);
    } finally {
      this.connecting = false;
    }
    this.pump();
  }

  private async run(job: Job, connection: number): Promise<void> {
    this.stats.requests++;
    try {
      const res = await this.transport.request(job.req, job.timeoutMs);
      this.consecutiveTimeouts = 0;
      this.quiet(interFrameGapMs(this.line));
      job.resolve(res);
    } catch (thrown) {
      this.stats.failures++;
      const err = isModbusError(thrown) ? thrown : this.lineError(job.req, `transport failed: ${describeThrown(thrown)}`);
      switch (err.kind) {
        case "timeout":
        case "frame": {
          // RTU: stay silent long enough for a late or trailing answer to pass and be discarded.
          this.quiet(postTimeoutPauseMs(this.line, job.timeoutMs, job.req));
          if (err.kind === "timeout") this.consecutiveTimeouts++;
          // TCP: a garbled answer means the byte stream may be out of step, and timeouts in a
          // row a half-open socket: start again on a fresh connection.
          const replace = err.kind === "frame" || this.consecutiveTimeouts >= (this.opts.replaceAfterTimeouts ?? 3);
          if (this.line.type === "tcp" && replace) await this.drop(connection);
          break;
        }
        case "connection":
          await this.drop(connection);
          break;
        case "exception":
          // The device answered: the line is fine, keep the normal gap.
          this.consecutiveTimeouts = 0;
          this.quiet(interFrameGapMs(this.line));
          break;
      }
      job.reject(err);
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  private quiet(ms: number): void {
    if (ms > 0) this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private async drop(connection: number): Promise<void> {
    if (connection !== this.connection || this.closed) return;
    this.connection++;
    this.consecutiveTimeouts = 0;
    await this.transport.close();
  }
}
