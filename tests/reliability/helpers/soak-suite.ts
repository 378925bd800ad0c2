// The soak as vitest tests, shared by the full suite (24 simulated hours) and the fast subset
// (1 hour): memory after warm-up, the longest stall, timers, scan cadence, store health and
// the product, checked on the samples runSoak takes.
import { expect, it } from "vitest";
import { runSoak, type SoakSample } from "./soak.js";

const HOUR = 3_600_000;

export interface SoakSuiteOptions {
  simMs: number;
  warmupMs: number;
  sampleEveryMs: number;
  timeoutMs: number;
}

function line(s: SoakSample): string {
  return `${s.simHours} h: rss ${s.rssMb.toFixed(1)} MB, heap ${s.heapUsedMb.toFixed(1)} MB, ${s.pendingTimers} timers, ${s.scans} scans, ${s.state}`;
}

export function defineSoak(o: SoakSuiteOptions): void {
  const hours = o.simMs / HOUR;
  it(`${hours} simulated hour${hours === 1 ? "" : "s"} in production: memory flat after warm-up, no stall over 100 ms, nothing piling up`, async () => {
    const r = await runSoak(o);
    const log = [
      ...r.samples.map(line),
      `rss growth ${(r.rssGrowth * 100).toFixed(1)} %, heap growth ${(r.heapGrowth * 100).toFixed(1)} %, longest step ${r.longestStepMs.toFixed(1)} ms wall / ${r.longestStepCpuMs.toFixed(1)} ms on CPU, slowest scan ${r.maxScanMs.toFixed(1)} ms, ${r.realSeconds.toFixed(0)} s real`,
    ].join("\n");
    console.info(log);
    // Memory: after a forced collection, neither the heap nor the resident set grows 10 % past the warm-up.
    expect(r.heapGrowth, log).toBeLessThan(0.1);
    expect(r.rssGrowth, log).toBeLessThan(0.1);
    // No single step of 100 ms of plant time (a scan, polls, a store flush) held the CPU for 100 ms.
    expect(r.longestStepCpuMs, log).toBeLessThan(100);
    // Timers do not pile up (a leak would grow with every hour), and none is left after stop.
    const maxTimers = Math.max(...r.samples.map((s) => s.pendingTimers));
    expect(maxTimers, log).toBeLessThanOrEqual(r.base.pendingTimers + 10);
    expect(r.pendingAfterStop).toBe(0);
    // The scan kept its 100 ms period all along.
    expect(r.last.scans, log).toBeGreaterThanOrEqual(Math.floor((o.simMs / 100) * 0.99));
    expect(r.last.overruns, log).toBe(0);
    expect(r.storeHealthy, log).toBe(true);
    expect(r.offSpecToReuseL).toBe(0);
  }, o.timeoutMs);
}
