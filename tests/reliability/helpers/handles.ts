// Counting what keeps the event loop alive (sockets, servers, timers), to show that a
// controller started and stopped in this process leaves nothing open.

function activeHandles(): unknown[] {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
}

/** Handle kinds and their counts, e.g. { Socket: 2, Server: 1 }. */
export function handleCensus(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of activeHandles()) {
    const name = (h as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof h;
    out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

export function handleCount(): number {
  return activeHandles().length;
}

/** Waits (real time) until at most `baseline` handles are open, or `ms` has passed; returns the count. */
export async function settleHandles(baseline: number, ms = 3000): Promise<number> {
  const end = Date.now() + ms;
  while (handleCount() > baseline && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  return handleCount();
}
