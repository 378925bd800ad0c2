// Retention: by age and by size, oldest first, in small batches while the scan goes on;
// the near-cap alarm; counts of what was pruned.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { performance } from "node:perf_hooks";
import { GOOD } from "../../src/core/quality.js";
import type { StoreAlarm } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { sample, T0, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const DAY = 86_400_000;

describe("retention", () => {
  it("removes history and events older than the age cap, and counts them", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { retention: { maxAge: 10 * DAY, maxSize: 1e12 }, pruneBatchRows: 7 });
    for (let d = 0; d < 15; d++) {
      store.recordSamples([sample("A", d, clock), sample("B", -d, clock)]);
      store.recordEvent({ type: "state", message: `day ${d}`, wallTs: clock.wall(), monoTs: clock.now() });
      store.flush({ all: true });
      await clock.advance(DAY);
    }
    store.settle();
    // Now is day 15; the cutoff is day 5.
    expect(store.historyRaw("A", 0, Infinity).rows.map((r) => r.value)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(store.historyRaw("B", 0, Infinity).rows).toHaveLength(10);
    expect(store.events({ from: 0, to: Infinity, types: ["state"] }).rows[0]?.message).toBe("day 5");
    expect(store.health().pruned).toMatchObject({ history: 10, events: 6 }); // 5 states and the opening event
    store.flush({ all: true });
    expect(store.events({ from: 0, to: Infinity, types: ["store"] }).rows.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^retention removed 10 history rows, 6 events/),
    );
    await store.stop();
  });

  it("does not age anything out while the wall clock is not synchronized", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { retention: { maxAge: DAY, maxSize: 1e12 }, clockSynced: false });
    store.recordSamples([sample("A", 1, clock)]);
    store.flush({ all: true });
    await clock.advance(5 * DAY);
    store.settle();
    expect(store.historyRaw("A", 0, Infinity).rows).toHaveLength(1);
    store.setClockSynced(true);
    store.settle();
    expect(store.historyRaw("A", 0, Infinity).rows).toHaveLength(0);
    await store.stop();
  });

  it("keeps the used size under the size cap by removing the oldest rows first", async () => {
    const clock = new VirtualClock();
    const maxSize = 400_000;
    const store = testStore(tmp.path(), clock, { retention: { maxAge: 365 * DAY, maxSize } });
    for (let s = 0; s < 200; s++) {
      store.recordSamples(Array.from({ length: 100 }, (_, t) => ({ tag: `T${t}`, value: s + t / 1000, quality: GOOD, sourceTs: T0 + s * 3_600_000, mono: s })));
    }
    store.flush({ all: true });
    store.settle();
    const h = store.health();
    expect(h.sizeBytes).toBeLessThanOrEqual(maxSize);
    expect(h.pruned.history).toBeGreaterThan(0);
    const kept = store.historyRaw("T3", 0, Infinity).rows.map((r) => r.ts);
    expect(kept.at(-1)).toBe(T0 + 199 * 3_600_000); // the newest is kept
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => T0 + (200 - kept.length + i) * 3_600_000)); // a contiguous newest run
    await store.stop();
  });

  it("clears the near-cap alarm below 75 % of the cap", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { retention: { maxAge: 2 * DAY, maxSize: 600_000 } });
    const alarms: StoreAlarm[] = [];
    store.alarms$.subscribe((a) => alarms.push(a));
    store.recordSamples(Array.from({ length: 20_000 }, (_, i) => sample(`T${i % 100}`, i, clock)));
    store.flush({ all: true });
    store.settle();
    expect(alarms.map((a) => [a.code, a.active])).toEqual([["STORE_NEAR_CAP", true]]);
    await clock.advance(3 * DAY);
    store.settle(); // everything ages out
    expect(alarms.map((a) => [a.code, a.active])).toEqual([
      ["STORE_NEAR_CAP", true],
      ["STORE_NEAR_CAP", false],
    ]);
    await store.stop();
  });

  it("prunes a large backlog under load in short slices, never losing new data", async () => {
    const clock = new VirtualClock();
    const maxAge = 60_000;
    const store = testStore(tmp.path(), clock, { retention: { maxAge, maxSize: 1e12 }, pruneInterval: 1000, pruneBatchRows: 2000 });
    // A backlog of 60 000 rows stamped 55 s ago: it passes the age cap 5 s into the run.
    const old = (i: number, t: number) => ({ ...sample(`T${t % 200}`, i * 1000 + t, clock), sourceTs: T0 - 55_000 + (i * 1000 + t) / 100 });
    for (let i = 0; i < 60; i++) store.recordSamples(Array.from({ length: 1000 }, (_, t) => old(i, t)));
    store.flush({ all: true });
    store.settle();
    expect(store.health().pruned.history).toBe(0);
    store.start();
    let worstTick = 0;
    for (let s = 0; s < 30; s++) {
      store.recordSamples(Array.from({ length: 200 }, (_, t) => sample(`T${t}`, 1000 + s, clock)));
      const t = performance.now();
      await clock.advance(1000);
      worstTick = Math.max(worstTick, performance.now() - t);
    }
    store.flush({ all: true });
    expect(store.health().pruned.history).toBe(60_000);
    for (const tag of ["T0", "T199"]) {
      expect(store.historyRaw(tag, 0, Infinity).rows.map((r) => r.value)).toEqual(Array.from({ length: 30 }, (_, s) => 1000 + s));
    }
    // Each tick's disk work stays near its budgets (20 ms flush + 20 ms maintenance), with slack for CI.
    expect(worstTick).toBeLessThan(250);
    await store.stop();
  });
});
