// The control loop around the pure core: collects field samples, runs a scan every scan
// period on the injected clock, hands output intents to the writer, takes commands through
// the core's intake, and publishes events, tag updates, status and audit entries on rxjs
// streams. Observers (store, OPC UA, control socket) only subscribe: they cannot stall it.
import { BehaviorSubject, Subject } from "rxjs";
import type { Config } from "../config/schema.js";
import { applyCommand, type AuditEntry, type CommandRequest, type CommandResult } from "../core/commands.js";
import { modelOf, type CoreModel } from "../core/model.js";
import type { TagSample } from "../core/quality.js";
import { scan, type CoreEvent, type TagUpdate } from "../core/scan.js";
import { initialState, safeOutputs, type CoreState, type InitialOptions } from "../core/state.js";
import type { Clock, TimerHandle } from "../time/clock.js";
import type { OutputWriter } from "./outputs.js";

export interface ControllerStatus {
  state: string;
  qualityMode: string;
  mode: string;
}

export interface ScanStats {
  scans: number;
  overruns: number;
  lastScanMs: number;
  maxScanMs: number;
}

export type TimedAudit = AuditEntry & { wallTs: number; monoTs: number };

export class Controller {
  readonly events$ = new Subject<CoreEvent>();
  readonly updates$ = new Subject<TagUpdate[]>();
  readonly status$: BehaviorSubject<ControllerStatus>;
  /** Every command, accepted or rejected, for the audit trail. */
  readonly audit$ = new Subject<TimedAudit>();
  /** Emits the monotonic time of every completed scan: the watchdog's proof of life. */
  readonly scanned$ = new Subject<number>();
  readonly model: CoreModel;
  private core: CoreState;
  private pending: TagSample[] = [];
  private timer: TimerHandle | undefined;
  private running = false;
  private nextDue = 0;
  private overrun = false;
  private stopped = false;
  readonly stats: ScanStats = { scans: 0, overruns: 0, lastScanMs: 0, maxScanMs: 0 };

  constructor(
    readonly config: Config,
    private readonly clock: Clock,
    private readonly writer: OutputWriter,
    opts: { initial?: InitialOptions; cpuNow?: () => number; restore?: (s: CoreState) => CoreState } = {},
  ) {
    this.model = modelOf(config);
    const fresh = initialState(this.model, clock.now(), opts.initial);
    this.core = opts.restore ? opts.restore(fresh) : fresh;
    this.cpuNow = opts.cpuNow ?? (() => performance.now());
    this.status$ = new BehaviorSubject<ControllerStatus>(this.statusOf(this.core));
  }

  private readonly cpuNow: () => number;

  get state(): CoreState {
    return this.core;
  }

  private statusOf(s: CoreState): ControllerStatus {
    return { state: s.state, qualityMode: s.divert.mode, mode: s.mode };
  }

  /** Field samples arrive here between scans; the next scan takes them all, in order. */
  ingest(samples: readonly TagSample[]): void {
    for (const s of samples) this.pending.push(s);
  }

  /** The command intake: role, state and range checked by the core; audited whatever the result. */
  submit(req: CommandRequest): CommandResult {
    const now = this.clock.now();
    const r = applyCommand(this.model, this.core, req, now);
    this.publish(this.core, r.state, r.events);
    this.audit$.next({ ...r.audit, wallTs: this.clock.wall(), monoTs: now });
    return r.result;
  }

  /** Sends every output its safe value now (before the first scan, and as the first act of a stop). */
  writeSafeOutputs(): Promise<void> {
    this.writer.apply(safeOutputs(this.model), this.clock.now());
    return this.writer.settle();
  }

  /** Starts scanning; the first scan runs on the next tick, so subscribers set up now see it. */
  start(): void {
    this.running = true;
    this.nextDue = this.clock.now();
    this.timer = this.clock.setTimer(() => this.loop(), 0);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    this.clock.clearTimer(this.timer);
    for (const s of [this.events$, this.updates$, this.status$, this.scanned$, this.audit$]) s.complete();
  }

  private loop(): void {
    if (!this.running) return;
    const period = this.config.skid.scanPeriod;
    const now = this.clock.now();
    // A scan that starts more than a period late has overrun: count it, then resynchronise.
    if (now - this.nextDue > period) {
      this.stats.overruns++;
      this.overrun = true;
      this.nextDue = now;
    }
    this.scanOnce(now);
    this.nextDue += period;
    this.timer = this.clock.setTimer(() => this.loop(), Math.max(0, this.nextDue - this.clock.now()));
  }

  /** Runs one scan at `now` (exposed for tests that step the core through the runtime). */
  scanOnce(now: number): void {
    const t0 = this.cpuNow();
    const samples = this.pending;
    this.pending = [];
    const r = scan(this.model, this.core, { samples, overrun: this.overrun }, now, this.clock.wall());
    this.overrun = false;
    const prev = this.core;
    this.writer.apply(r.outputs, now);
    const ms = this.cpuNow() - t0;
    this.stats.scans++;
    this.stats.lastScanMs = ms;
    this.stats.maxScanMs = Math.max(this.stats.maxScanMs, ms);
    if (r.updates.length > 0) this.updates$.next(r.updates);
    this.publish(prev, r.state, r.events);
    this.scanned$.next(now);
  }

  private publish(prev: CoreState, next: CoreState, events: readonly CoreEvent[]): void {
    this.core = next;
    for (const e of events) this.events$.next(e);
    if (prev.state !== next.state || prev.divert.mode !== next.divert.mode || prev.mode !== next.mode) this.status$.next(this.statusOf(next));
  }
}
