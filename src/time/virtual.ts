// Virtual time for deterministic tests and the simulator's --virtual mode: time only moves
// when advance() is called, timers fire in order, and promise chains settle between them.
import type { Clock, TimerHandle } from "./clock.js";

interface Pending {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets queued promise continuations run (several hops of async/await). */
async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}

export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private nextId = 1;
  private readonly timers = new Map<number, Pending>();

  constructor(private readonly wallStart = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.t;
  }

  wall(): number {
    return this.wallStart + this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) this.timers.delete(handle.id);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.timers.values()) {
      if (p.at > limit) continue;
      if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    return best;
  }

  /** Moves time forward by ms, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const due = this.nextDue(end);
      if (!due) break;
      this.timers.delete(due.id);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}
