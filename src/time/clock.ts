// One injected clock (ARCHITECTURE.md "Time"): monotonic milliseconds for control, wall
// clock only for timestamps, and timers that follow the same time base. Real in production,
// scaled N× or virtual in tests and in the simulator.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Monotonic time in milliseconds; only differences are meaningful. */
  now(): number;
  /** Wall-clock time, epoch milliseconds: for timestamps only, never for control. */
  wall(): number;
  /** Calls fn once after ms of this clock's time. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
}

/** Resolves after ms of this clock's time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}
