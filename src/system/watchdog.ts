// The service watchdog's proof of life. WATCHDOG=1 is never sent from a bare timer: the
// feeder pets systemd at half of WatchdogSec only if a scan completed since the last pet and
// the store is healthy, so a stalled scan loop or a wedged store gets the process restarted.
// Also the readiness gate for READY=1: the first poll cycle has reached the core.
import { Subscription, type Observable } from "rxjs";
import type { Clock, TimerHandle } from "../time/clock.js";
import type { Logger } from "./log.js";
import type { Notifier } from "./notify.js";

export interface WatchdogFeederOptions {
  notifier: Pick<Notifier, "watchdog" | "watchdogIntervalMs">;
  /** Monotonic time of every completed scan (Controller.scanned$). */
  scanned$: Observable<number>;
  /** False withholds the pets (see deploy/README.md for what counts as healthy). */
  storeHealthy: () => boolean;
  clock: Clock;
  log?: Logger;
}

/** Why the last check did not pet, for the log (logged on change, not at every check). */
type Withheld = "none" | "no-scan" | "store";

export class WatchdogFeeder {
  /** Pets sent since start (tests, status). */
  pets = 0;
  /** Half of WatchdogSec, or null when systemd does not watch this process. */
  readonly periodMs: number | null;
  private sub: Subscription | undefined;
  private timer: TimerHandle | undefined;
  private scannedSincePet = false;
  private lastScanAt: number | null = null;
  private lastPetAt: number;
  private due = 0;
  /** The last check found no scan: pet at the next scan rather than a half-period later. */
  private owing = false;
  private withheld: Withheld = "none";
  private running = false;

  constructor(private readonly opts: WatchdogFeederOptions) {
    const interval = opts.notifier.watchdogIntervalMs;
    this.periodMs = interval === null || !(interval > 0) ? null : interval / 2;
    this.lastPetAt = opts.clock.now();
  }

  start(): void {
    if (this.running || this.periodMs === null) return;
    this.running = true;
    const { clock } = this.opts;
    this.lastPetAt = clock.now();
    this.sub = this.opts.scanned$.subscribe({
      next: (t) => this.onScan(t),
      // A completed scan stream means the controller stopped: stop petting at once.
      complete: () => this.stop(),
    });
    this.due = clock.now() + this.periodMs;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.opts.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running || this.periodMs === null) return;
    const { clock } = this.opts;
    this.timer = clock.setTimer(() => this.onTimer(), Math.max(0, this.due - clock.now()));
  }

  private onScan(t: number): void {
    this.scannedSincePet = true;
    this.lastScanAt = t;
    // A check was withheld for want of a scan: this scan is the proof, pet now rather than
    // half a period later, so that only a stall of a whole WatchdogSec gets us restarted.
    if (this.owing) this.check();
  }

  private onTimer(): void {
    if (!this.running || this.periodMs === null) return;
    this.check();
    // Fixed cadence on the monotonic clock; after a long event-loop stall, resynchronise.
    this.due += this.periodMs;
    const now = this.opts.clock.now();
    if (this.due <= now) this.due = now + this.periodMs;
    this.schedule();
  }

  private check(): void {
    const now = this.opts.clock.now();
    let why: Withheld = "none";
    if (!this.scannedSincePet) why = "no-scan";
    else if (!this.safeStoreHealthy()) why = "store";
    if (why === "none") {
      this.opts.notifier.watchdog();
      this.pets++;
      this.lastPetAt = now;
      this.scannedSincePet = false;
      this.owing = false;
    } else {
      // Only a missing scan is owed at the next scan; a sick store waits for the next check
      // (storeHealthy() is not asked at scan rate).
      this.owing = why === "no-scan";
    }
    this.report(why, now);
  }

  private safeStoreHealthy(): boolean {
    try {
      return this.opts.storeHealthy();
    } catch {
      return false;
    }
  }

  private report(why: Withheld, now: number): void {
    if (why === this.withheld) return;
    const log = this.opts.log;
    const since = Math.round(now - this.lastPetAt);
    if (why === "none") log?.info({ part: "watchdog" }, "watchdog: pets resumed");
    else if (why === "no-scan") {
      const last = this.lastScanAt === null ? "no scan yet" : `last scan ${Math.round(now - this.lastScanAt)} ms ago`;
      log?.warn({ part: "watchdog" }, `watchdog: withheld, no scan since the last pet ${since} ms ago (${last}); systemd restarts the service if this lasts`);
    } else {
      log?.warn({ part: "watchdog" }, `watchdog: withheld, the store is not healthy (last pet ${since} ms ago); systemd restarts the service if this lasts`);
    }
    this.withheld = why;
  }
}

export interface FirstPollOptions {
  /** Every completed scan (Controller.scanned$): checked after each. */
  scanned$: Observable<number>;
  /** The tags the first poll cycle has not reported yet (any quality counts as reported). */
  pending: () => readonly string[];
  clock: Clock;
  /** Give up after this long (keep it below the unit's TimeoutStartSec). */
  timeoutMs: number;
}

/**
 * Resolves after the first scan that sees every polled tag reported by the field, good or
 * bad: a device that does not answer makes its tags Bad, and that is a completed cycle (the
 * process must come up and divert, not restart-loop, while an analyzer is unplugged).
 * Rejects after timeoutMs naming the tags still missing, or when the scans stop.
 */
export function firstPollCycle(opts: FirstPollOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    // A container, so that a stream that completes during subscribe() is still let go.
    const subs = new Subscription();
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      opts.clock.clearTimer(timer);
      subs.unsubscribe();
      if (err) reject(err);
      else resolve();
    };
    const timer = opts.clock.setTimer(() => {
      const missing = opts.pending();
      const list = missing.slice(0, 10).join(", ") + (missing.length > 10 ? `, … (${missing.length} in all)` : "");
      finish(new Error(`first poll cycle not complete after ${opts.timeoutMs} ms: no value yet for ${list}`));
    }, opts.timeoutMs);
    subs.add(
      opts.scanned$.subscribe({
        next: () => {
          if (opts.pending().length === 0) finish();
        },
        complete: () => finish(new Error("the controller stopped before the first poll cycle completed")),
      }),
    );
  });
}
