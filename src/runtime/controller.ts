// The control loop around the pure core: collects field samples, runs a scan every scan
// period on the injected clock, hands output intents to the writer, and publishes the
// core's events, tag updates and status on rxjs streams for the observers (store, OPC UA,
// control socket). Observers can never stall the scan: they only subscribe.
import { BehaviorSubject, Subject } from "rxjs";
import type { Config } from "../config/schema.js";
import type { TagSample } from "../core/quality.js";
import { buildModel, initialState, scan, type CoreEvent, type CoreModel, type CoreState, type TagUpdate } from "../core/scan.js";
import type { Clock, TimerHandle } from "../time/clock.js";
import type { OutputWriter } from "./outputs.js";

export interface ControllerStatus {
  state: string;
  qualityMode: string;
}

export interface ScanStats {
  scans: number;
  overruns: number;
  lastScanMs: number;
  maxScanMs: number;
}

export class Controller {
  readonly events$ = new Subject<CoreEvent>();
  readonly updates$ = new Subject<TagUpdate[]>();
  readonly status$: BehaviorSubject<ControllerStatus>;
  /** Emits the monotonic time of every completed scan: the watchdog's proof of life. */
  readonly scanned$ = new Subject<number>();
  readonly model: CoreModel;
  private core: CoreState;
  private pending: TagSample[] = [];
  private timer: TimerHandle | undefined;
  private running = false;
  private nextDue = 0;
  readonly stats: ScanStats = { scans: 0, overruns: 0, lastScanMs: 0, maxScanMs: 0 };

  constructor(
    readonly config: Config,
    private readonly clock: Clock,
    private readonly writer: OutputWriter,
    private readonly cpuNow: () => number = () => performance.now(),
  ) {
    this.model = buildModel(config);
    this.core = initialState(this.model, clock.now());
    this.status$ = new BehaviorSubject<ControllerStatus>({ state: this.core.state, qualityMode: this.core.divert.mode });
  }

  get state(): CoreState {
    return this.core;
  }

  /** Field samples arrive here between scans; the next scan takes them all, in order. */
  ingest(samples: readonly TagSample[]): void {
    for (const s of samples) this.pending.push(s);
  }

  start(): void {
    this.running = true;
    this.nextDue = this.clock.now();
    this.loop();
  }

  stop(): void {
    this.running = false;
    this.clock.clearTimer(this.timer);
    this.events$.complete();
    this.updates$.complete();
    this.status$.complete();
    this.scanned$.complete();
  }

  private loop(): void {
    if (!this.running) return;
    const period = this.config.skid.scanPeriod;
    const now = this.clock.now();
    // A scan that starts more than a period late has overrun: count it, then resynchronise.
    if (now - this.nextDue > period) {
      this.stats.overruns++;
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
    const r = scan(this.model, this.core, samples, now);
    const prev = this.core;
    this.core = r.state;
    this.writer.apply(r.outputs, now);
    const ms = this.cpuNow() - t0;
    this.stats.scans++;
    this.stats.lastScanMs = ms;
    this.stats.maxScanMs = Math.max(this.stats.maxScanMs, ms);
    if (r.updates.length > 0) this.updates$.next(r.updates);
    for (const e of r.events) this.events$.next(e);
    if (prev.state !== r.state.state || prev.divert.mode !== r.state.divert.mode) {
      this.status$.next({ state: r.state.state, qualityMode: r.state.divert.mode });
    }
    this.scanned$.next(now);
  }
}
