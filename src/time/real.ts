// The production clock, and the scaled clock the simulator's --speed N mode uses.
import { performance } from "node:perf_hooks";
import type { Clock, TimerHandle } from "./clock.js";

interface RealHandle extends TimerHandle {
  timeout: NodeJS.Timeout;
}

/** Real time sped up by `factor` (1 = real time): both clocks and timers are scaled. */
export class ScaledClock implements Clock {
  private readonly monoStart = performance.now();
  private readonly wallStart = Date.now();
  private nextId = 1;

  constructor(readonly factor = 1) {
    if (!(factor > 0)) throw new RangeError(`clock speed must be > 0, got ${factor}`);
  }

  now(): number {
    return (performance.now() - this.monoStart) * this.factor;
  }

  wall(): number {
    return this.factor === 1 ? Date.now() : this.wallStart + this.now();
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timeout = setTimeout(fn, Math.max(0, ms / this.factor));
    const handle: RealHandle = { id: this.nextId++, timeout };
    return handle;
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) clearTimeout((handle as RealHandle).timeout);
  }
}

export function realClock(): Clock {
  return new ScaledClock(1);
}
