// The controller's side of a scenario run, as the expectations see it: every divert, every
// trip into a stopped-production state, every alarm raised, taken from the controller's own
// event stream, with times in seconds from the simulator's start; and (withHardwareDiverts)
// the diverts the hardware made on its own while the controller could not.
import type { Observable, Subscription } from "rxjs";
import type { CoreEvent } from "../../../src/core/scan.js";
import type { TimedCause } from "../scenario/types.js";

/** States a trip ends in: production has stopped (REFERENCE-SKID.md protection table). */
export const TRIP_STATES: ReadonlySet<string> = new Set(["Held", "Suspended", "Stopped", "Aborted"]);
/** The acting states that lead into them; their entry carries the cause (the completion does not). */
const ACTING_STATES: ReadonlySet<string> = new Set(["Holding", "Suspending", "Stopping", "Aborting"]);

/** Something the recorder saw, for live human output. */
export type RecordedLine =
  | { kind: "divert"; atS: number; cause: string }
  | { kind: "reuse"; atS: number }
  | { kind: "trip"; atS: number; state: string; cause: string }
  | { kind: "state"; atS: number; from: string; to: string; cause: string }
  | { kind: "alarm"; atS: number; name: string }
  | { kind: "discrepancy"; atS: number; message: string };

export class RunRecorder {
  readonly diverts: TimedCause[] = [];
  readonly trips: TimedCause[] = [];
  readonly alarms: Array<{ name: string; atS: number }> = [];
  private sub: Subscription | undefined;
  /** Cause of the acting state the skid is in, carried to the wait state it completes into. */
  private actingCause: string | null = null;
  /** Scenario time (s) at which the controller had started and scanned (set by reconcileStart). */
  startedAtS = 0;

  constructor(
    /** Controller clock reading (ms) at which the simulator started: scenario time 0. */
    private readonly originMs: number,
    private readonly onLine: (line: RecordedLine) => void = () => undefined,
  ) {}

  subscribe(events$: Observable<CoreEvent>): void {
    this.sub = events$.subscribe((e) => this.take(e));
  }

  unsubscribe(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
  }

  private atS(ms: number): number {
    return Math.round(ms - this.originMs) / 1000;
  }

  /**
   * Records what the controller's first scan did before anyone could subscribe: that scan runs
   * inside startController, and its events are not replayed. Found by comparing the state the
   * run asked for with the state the controller is in once started.
   */
  reconcileStart(
    asked: { state: string; qualityMode: string },
    now: { state: string; qualityMode: string; cause: string | null; raised?: readonly string[] },
    atMs: number,
  ): void {
    this.startedAtS = this.atS(atMs);
    // Alarms the first scan raised (a fault present from t = 0).
    for (const name of now.raised ?? []) this.alarms.push({ name, atS: this.atS(atMs) });
    if (asked.qualityMode === "Reuse" && now.qualityMode === "Divert") this.divert(atMs, now.cause ? `${now.cause} (first scan)` : "first scan");
    if (asked.state !== now.state) this.onLine({ kind: "state", atS: this.atS(atMs), from: asked.state, to: now.state, cause: "first scan" });
    if (asked.state !== now.state && TRIP_STATES.has(now.state)) this.trips.push({ atS: this.atS(atMs), cause: "first scan" });
  }

  take(e: CoreEvent): void {
    switch (e.type) {
      case "quality-mode":
        if (e.mode === "Divert") this.divert(e.at, e.cause ?? e.firstOut?.ccp ?? "");
        else this.onLine({ kind: "reuse", atS: this.atS(e.at) });
        break;
      case "state": {
        if (ACTING_STATES.has(e.to)) this.actingCause = e.cause;
        const cause = e.cause === "state complete" && this.actingCause !== null ? this.actingCause : e.cause;
        if (TRIP_STATES.has(e.to)) {
          this.trips.push({ atS: this.atS(e.at), cause });
          this.onLine({ kind: "trip", atS: this.atS(e.at), state: e.to, cause });
        } else this.onLine({ kind: "state", atS: this.atS(e.at), from: e.from, to: e.to, cause });
        if (!ACTING_STATES.has(e.to)) this.actingCause = null;
        break;
      }
      case "alarm":
        if (e.kind === "alarm" && e.to === "Unacknowledged") {
          this.alarms.push({ name: e.alarm, atS: this.atS(e.at) });
          this.onLine({ kind: "alarm", atS: this.atS(e.at), name: e.alarm });
        }
        break;
      case "discrepancy":
        this.onLine({ kind: "discrepancy", atS: this.atS(e.at), message: e.message });
        break;
      default:
        break;
    }
  }

  private divert(atMs: number, cause: string): void {
    this.diverts.push({ atS: this.atS(atMs), cause });
    this.onLine({ kind: "divert", atS: this.atS(atMs), cause });
  }
}

/**
 * How long before the valve leaves reuse the controller's own divert may come and still be
 * the reason: its command, the valve's travel (3 s in the reference skid) and a margin.
 */
export const HARDWARE_DIVERT_WINDOW_S = 10;
/**
 * ...and how long after: on a real clock the plant may step several times at once and book
 * the valve's move a little before the controller's command that caused it.
 */
export const HARDWARE_DIVERT_SLACK_S = 1;

/**
 * The controller's diverts, plus every time the valve left the reuse position (the truth
 * ledger's diverts) with no divert of the controller just before: the hardware's own, the
 * watchdog relay or the coupler dropping XV-501 under a hung or dead controller. Those are
 * diverts too (the product goes to drain), so a `divert` expectation sees them.
 */
export function withHardwareDiverts(controller: readonly TimedCause[], valveLeftReuseAtS: readonly number[], controllerStartedAtS: number): TimedCause[] {
  const hardware = valveLeftReuseAtS
    // Before its first scan the controller holds its outputs safe on purpose (its own start-up).
    .filter((t) => t >= controllerStartedAtS)
    .filter((t) => !controller.some((d) => d.atS <= t + HARDWARE_DIVERT_SLACK_S && d.atS >= t - HARDWARE_DIVERT_WINDOW_S))
    .map((t) => ({ atS: Math.round(t * 1000) / 1000, cause: "hardware: XV-501 left reuse without the controller (watchdog relay or coupler)" }));
  return [...controller, ...hardware].sort((a, b) => a.atS - b.atS);
}
