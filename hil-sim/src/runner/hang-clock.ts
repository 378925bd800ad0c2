// A clock for the controller that can "hang": while hung, none of the controller's timers
// fire (scan loop, poll cycles, GPIO reads); they all fire late, in order, when the hang
// ends, as after a blocked event loop. Time itself keeps running, so the first scan after
// the hang sees how late it is (an overrun). The simulator keeps the real clock and runs on.
import type { Clock, TimerHandle } from "../../../src/time/clock.js";

interface Held {
  fn: () => void;
  inner: TimerHandle | undefined;
}

export class HangableClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, Held>();
  private hungUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly inner: Clock) {}

  now(): number {
    return this.inner.now();
  }

  wall(): number {
    return this.inner.wall();
  }

  /** Hangs the controller from now until `untilMs` (this clock's time). */
  hang(untilMs: number): void {
    this.hungUntil = Math.max(this.hungUntil, untilMs);
  }

  get hung(): boolean {
    return this.inner.now() < this.hungUntil;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const held: Held = { fn, inner: undefined };
    this.timers.set(id, held);
    this.arm(id, held, ms);
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const held = this.timers.get(handle.id);
    if (!held) return;
    this.inner.clearTimer(held.inner);
    this.timers.delete(handle.id);
  }

  private arm(id: number, held: Held, ms: number): void {
    held.inner = this.inner.setTimer(() => {
      const left = this.hungUntil - this.inner.now();
      // Still hung: come back when the hang is over (the callback runs late, never early).
      if (left > 0) return this.arm(id, held, left);
      this.timers.delete(id);
      held.fn();
    }, ms);
  }
}
