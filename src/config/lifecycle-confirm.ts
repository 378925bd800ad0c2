// "Commit confirmed" for config changes: an apply with --confirm-within leaves a pending
// confirmation in the store's state table, and a timer in the controller process rolls the
// change back unless `reclaim config confirm` comes in time. The record lives in the store,
// not in memory, so it survives the controlled restart the apply itself causes (and a crash):
// every controller start re-arms the timer from it, and a deadline already past rolls back
// at once.
import type { Store } from "../store/index.js";
import type { Clock, TimerHandle } from "../time/clock.js";

export const PENDING_KEY = "config.confirm";

export interface PendingConfirm {
  /** The version applied that awaits confirmation. */
  version: number;
  /** The version to go back to when it is not confirmed. */
  rollbackTo: number;
  /** Wall-clock deadline (epoch ms). */
  deadline: number;
  withinMs: number;
  user: string;
  appliedAt: number;
}

export type PendingStore = Pick<Store, "saveState" | "loadState">;

export function loadPending(store: PendingStore | null): PendingConfirm | null {
  const p = store?.loadState<PendingConfirm | null>(PENDING_KEY);
  return p && typeof p.version === "number" && typeof p.deadline === "number" ? p : null;
}

export function savePending(store: PendingStore, p: PendingConfirm | null): void {
  // The state table has no delete: null is "nothing pending".
  store.saveState(PENDING_KEY, p);
}

/** The timer side: one pending deadline at a time, on the injected clock. */
export class ConfirmTimer {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: () => void,
  ) {}

  /** Arms for a wall-clock deadline; past deadlines fire after `minDelayMs` (let the start finish). */
  arm(deadline: number, minDelayMs = 0): void {
    this.clear();
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.onExpire();
    }, Math.max(minDelayMs, deadline - this.clock.wall()));
  }

  clear(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }
}
