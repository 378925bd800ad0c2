// Store benchmarks: sustained history insert rate through the real write path (policy,
// queue, batched transactions, and the merge into the tag-clustered table), reading one tag's
// day, and the file size of 1000 tags logged every second for a day.
// Run alone: node --import tsx tests/bench/store.bench.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { GOOD, type TagSample } from "../../src/core/quality.js";
import { openStore, openStoreReadOnly, type Store } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import type { Bench, BenchFigure } from "./types.js";

const T0 = Date.UTC(2026, 0, 1);
const DAY_S = 86_400;

/** One second of `tags` tags, each with a fresh value (so the policy logs every one). */
function second(tags: number, s: number): TagSample[] {
  const out: TagSample[] = new Array<TagSample>(tags);
  for (let t = 0; t < tags; t++) out[t] = { tag: `T${t}`, value: s + t / 1e4 + Math.sin(s * 0.01 + t), quality: GOOD, sourceTs: T0 + s * 1000, mono: s * 1000 };
  return out;
}

function open(path: string): Store {
  // The timer is not started: the benchmark drives flush and merge itself, as fast as it can.
  return openStore({ path, clock: new VirtualClock(), clockSynced: true, retention: { maxAge: 1e15, maxSize: 1e15 } });
}

/** Samples a second written, merge included (everything ends up in the clustered table). */
function insertRate(dir: string): number {
  const store = open(join(dir, "rate.sqlite"));
  const tags = 1000;
  const seconds = 1200; // 1.2 M samples
  const t0 = performance.now();
  for (let s = 0; s < seconds; s++) {
    store.recordSamples(second(tags, s));
    if (s % 10 === 9) store.flush({ all: true });
    if (s % 300 === 299) store.settle(); // a merge cycle, as the timer runs one every 5 min
  }
  store.flush({ all: true });
  store.settle();
  const rate = (tags * seconds) / ((performance.now() - t0) / 1000);
  void store.stop();
  return rate;
}

/** Milliseconds to read one tag's 86 400 samples from a day of 20 tags, in a fresh process-like reader. */
async function readDay(dir: string): Promise<{ cold: number; warm: number; rows: number }> {
  const path = join(dir, "day.sqlite");
  const store = open(path);
  for (let s = 0; s < DAY_S; s++) {
    store.recordSamples(second(20, s));
    if (s % 250 === 249) store.flush({ all: true });
    if (s % 10_000 === 9_999) store.settle();
  }
  store.flush({ all: true });
  store.settle();
  await store.stop();
  const reader = openStoreReadOnly(path);
  const time = () => {
    const t = performance.now();
    const page = reader.historyRaw("T7", T0, T0 + DAY_S * 1000, { limit: 100_000 });
    return { ms: performance.now() - t, rows: page.rows.length };
  };
  const cold = time();
  let warm = Infinity;
  for (let i = 0; i < 5; i++) warm = Math.min(warm, time().ms);
  reader.close();
  return { cold: cold.ms, warm, rows: cold.rows };
}

/** Bytes per sample once merged, measured on 10 minutes of 1000 tags, scaled to a day. */
async function dayBytes(dir: string): Promise<number> {
  const store = open(join(dir, "size.sqlite"));
  const before = store.health().sizeBytes;
  const tags = 1000;
  const seconds = 600;
  for (let s = 0; s < seconds; s++) {
    store.recordSamples(second(tags, s));
    if (s % 10 === 9) store.flush({ all: true });
  }
  store.flush({ all: true });
  store.settle();
  const perSample = (store.health().sizeBytes - before) / (tags * seconds);
  await store.stop();
  return perSample * tags * DAY_S;
}

export const bench: Bench = {
  area: "store",
  async run(): Promise<BenchFigure[]> {
    const dir = mkdtempSync(join(tmpdir(), "reclaim-store-bench-"));
    try {
      const rate = insertRate(dir);
      const read = await readDay(dir);
      const bytes = await dayBytes(dir);
      return [
        { name: "history insert rate (batched, merge included)", value: Math.round(rate), unit: "samples/s", goal: ">= 200000", met: rate >= 200_000 },
        { name: `read one tag's day (${read.rows} samples), first read`, value: Number(read.cold.toFixed(1)), unit: "ms", goal: "< 100", met: read.cold < 100 },
        { name: "read one tag's day, best of 5", value: Number(read.warm.toFixed(1)), unit: "ms", goal: "< 100", met: read.warm < 100 },
        { name: "database size, 1000 tags × 1 day at 1 s (from 10 min)", value: Number((bytes / 1e9).toFixed(2)), unit: "GB" },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await bench.run()) {
    const goal = f.goal ? ` (goal ${f.goal}: ${f.met ? "met" : "NOT met"})` : "";
    console.log(`store  ${f.name}: ${f.value} ${f.unit}${goal}`);
  }
}
