// Detects wall-clock steps (NTP setting the clock, an operator changing it): between two
// observations the wall clock should advance as much as the monotonic clock. Pure.

/** Steps smaller than this are ordinary slewing and timer jitter, not a step. */
export const CLOCK_STEP_THRESHOLD_MS = 2000;

export interface ClockStep {
  /** How far the wall clock jumped beyond monotonic progress (negative: backwards). */
  stepMs: number;
  /** Where the wall clock should have been, from monotonic progress since the last observation. */
  wallExpected: number;
  wallAfter: number;
  mono: number;
}

export class ClockWatch {
  private last?: { wall: number; mono: number };

  constructor(private readonly thresholdMs = CLOCK_STEP_THRESHOLD_MS) {}

  /** Feeds one (wall, mono) pair; returns the step if the wall clock jumped since the last. */
  observe(wall: number, mono: number): ClockStep | undefined {
    const last = this.last;
    this.last = { wall, mono };
    if (!last) return undefined;
    const stepMs = wall - last.wall - (mono - last.mono);
    return Math.abs(stepMs) > this.thresholdMs ? { stepMs, wallExpected: wall - stepMs, wallAfter: wall, mono } : undefined;
  }
}

/** "wall clock stepped +30.0 s", for the event. */
export function describeStep(step: ClockStep): string {
  return `wall clock stepped ${step.stepMs > 0 ? "+" : ""}${(step.stepMs / 1000).toFixed(1)} s`;
}
