// The time-accelerated soak: the reference skid in production on virtual time, with the store
// open, for hours of simulated time. Every `sampleEveryMs` it forces a garbage collection and
// samples the process's memory, the timers pending on the clock and the scan statistics; it
// measures the longest single clock step in real time (what an event-loop stall would be).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { TestSkid } from "./skid.js";

/** global.gc when node runs with --expose-gc, else one obtained at run time (same collector). */
export function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

export interface SoakSample {
  simHours: number;
  rssMb: number;
  heapUsedMb: number;
  pendingTimers: number;
  scans: number;
  overruns: number;
  state: string;
}

export interface SoakResult {
  samples: SoakSample[];
  /** The sample at the end of the warm-up, and the last one. */
  base: SoakSample;
  last: SoakSample;
  /** Growth of the median of the last three samples over the median of the first three (after warm-up). */
  rssGrowth: number;
  heapGrowth: number;
  longestStepMs: number;
  /** The same counting only CPU time (see TestSkid.longestStepCpuMs): the stall measure. */
  longestStepCpuMs: number;
  /** Time spent in the slowest scan (CPU ms), from the controller's own statistics. */
  maxScanMs: number;
  offSpecToReuseL: number;
  storeHealthy: boolean;
  /** Real seconds the run took. */
  realSeconds: number;
  pendingAfterStop: number | null;
}

export interface SoakOptions {
  simMs: number;
  warmupMs: number;
  sampleEveryMs: number;
  seed?: number;
}

const MB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const gc = getGc();
  const t0 = performance.now();
  const skid = await TestSkid.open({ mode: "virtual", store: true, seed: o.seed ?? 11 });
  const samples: SoakSample[] = [];
  const sample = (): SoakSample => {
    gc();
    const m = process.memoryUsage();
    const s: SoakSample = {
      simHours: Math.round((skid.now / 3_600_000) * 100) / 100,
      rssMb: m.rss / MB,
      heapUsedMb: m.heapUsed / MB,
      pendingTimers: skid.virtual?.pendingTimers ?? 0,
      scans: skid.ctl.controller.stats.scans,
      overruns: skid.ctl.controller.stats.overruns,
      state: `${skid.state.state}/${skid.state.qualityMode}`,
    };
    samples.push(s);
    return s;
  };
  let result: Omit<SoakResult, "pendingAfterStop"> | undefined;
  try {
    await skid.run(o.warmupMs);
    // The warm-up's longest step includes first-time compilation and cache filling: measure after it.
    skid.longestStepMs = 0;
    skid.longestStepCpuMs = 0;
    const base = sample();
    while (skid.now < o.simMs) {
      await skid.run(Math.min(o.sampleEveryMs, o.simMs - skid.now));
      sample();
    }
    const last = samples[samples.length - 1] as SoakSample;
    // Medians of the first and the last three samples: the resident set swings by a third
    // from hour to hour (malloc arenas, SQLite's cache) without growing; a leak moves both.
    const first3 = samples.slice(0, 3);
    const last3 = samples.slice(-3);
    const growth = (key: "rssMb" | "heapUsedMb"): number => {
      const a = median(first3.map((x) => x[key]));
      return (median(last3.map((x) => x[key])) - a) / a;
    };
    result = {
      samples,
      base,
      last,
      rssGrowth: growth("rssMb"),
      heapGrowth: growth("heapUsedMb"),
      longestStepMs: skid.longestStepMs,
      longestStepCpuMs: skid.longestStepCpuMs,
      maxScanMs: skid.ctl.controller.stats.maxScanMs,
      offSpecToReuseL: skid.sim.plant.ledger.offSpecToReuseL,
      storeHealthy: skid.ctl.storeHealthy(),
      realSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await skid.close();
  }
  return { ...result, pendingAfterStop: skid.virtual?.pendingTimers ?? null };
}
