// Whether the wall clock is synchronized (systemd-timesyncd touches this file once it has
// synchronized; chrony users can add `ExecStartPost=touch` of it, see deploy/README.md).
// Timestamps taken before then are flagged in the store, and age-based pruning waits.
import { existsSync } from "node:fs";
import type { Clock, TimerHandle } from "../time/clock.js";

export const TIMESYNC_FLAG = "/run/systemd/timesync/synchronized";

export function watchClockSync(clock: Clock, onChange: (synced: boolean) => void, opts: { flag?: string; everyMs?: number } = {}): () => void {
  const flag = opts.flag ?? TIMESYNC_FLAG;
  let last: boolean | null = null;
  let timer: TimerHandle | undefined;
  const check = (): void => {
    const synced = existsSync(flag);
    if (synced !== last) onChange(synced);
    last = synced;
    timer = clock.setTimer(check, opts.everyMs ?? 30_000);
  };
  check();
  return () => clock.clearTimer(timer);
}
