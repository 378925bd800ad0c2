// History queries over the landing table and the clustered table: every row exactly once,
// in (ts, id) order, whatever the merge progress; aggregates per interval.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bad, GOOD } from "../../src/core/quality.js";
import type { Store } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { T0, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

function allPages(store: Store, tag: string, from: number, to: number, limit: number): number[] {
  const out: number[] = [];
  let page = store.historyRaw(tag, from, to, { limit });
  for (;;) {
    out.push(...page.rows.map((r) => r.ts));
    if (!page.next) return out;
    page = store.historyRaw(tag, from, to, { limit, after: page.next });
  }
}

describe("history queries", () => {
  it("returns each row once, in order, before, during and after a merge", async () => {
    const clock = new VirtualClock();
    // Small merge steps: a cycle over 10 tags takes several steps.
    const store = testStore(tmp.path(), clock, { merge: { stepRows: 50, minRows: 1, intervalMs: 0, deleteRows: 40 } });
    const expected = new Map<string, number[]>();
    for (let s = 0; s < 60; s++) {
      const batch = Array.from({ length: 10 }, (_, t) => ({ tag: `T${t}`, value: s, quality: GOOD, sourceTs: T0 + s * 1000, mono: s * 1000 }));
      store.recordSamples(batch);
      for (const b of batch) expected.set(b.tag, [...(expected.get(b.tag) ?? []), b.sourceTs]);
    }
    store.flush({ all: true });
    const check = () => {
      for (const [tag, ts] of expected) expect(allPages(store, tag, T0, T0 + 60_000, 7)).toEqual(ts);
    };
    check();
    store.start();
    // Each tick does a slice of merging; check after every tick until the landing table empties.
    for (let i = 0; i < 40; i++) {
      await clock.advance(10);
      check();
    }
    store.settle();
    check();
    await store.stop();
  });

  it("reads newest first for reverse reads, paged, over both tables", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    for (let s = 0; s < 30; s++) store.recordSamples([{ tag: "A", value: s, quality: GOOD, sourceTs: T0 + s * 1000, mono: s }]);
    store.flush({ all: true });
    store.settle();
    for (let s = 30; s < 40; s++) store.recordSamples([{ tag: "A", value: s, quality: GOOD, sourceTs: T0 + s * 1000, mono: s }]);
    store.flush({ all: true });
    const seen: unknown[] = [];
    let page = store.historyRawReverse("A", T0 + 4000, T0 + 35_000, { limit: 8 });
    for (;;) {
      seen.push(...page.rows.map((r) => r.value));
      if (!page.next) break;
      page = store.historyRawReverse("A", T0 + 4000, T0 + 35_000, { limit: 8, before: page.next });
    }
    // from < ts <= to: 35 down to 5.
    expect(seen).toEqual(Array.from({ length: 31 }, (_, i) => 35 - i));
    await store.stop();
  });

  it("pages through identical timestamps by id", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    for (let i = 0; i < 25; i++) store.recordSamples([{ tag: "A", value: i, quality: GOOD, sourceTs: T0, mono: i }]);
    store.flush({ all: true });
    const values: unknown[] = [];
    let page = store.historyRaw("A", T0, T0 + 1, { limit: 10 });
    values.push(...page.rows.map((r) => r.value));
    while (page.next) {
      page = store.historyRaw("A", T0, T0 + 1, { limit: 10, after: page.next });
      values.push(...page.rows.map((r) => r.value));
    }
    expect(values).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(store.historyRaw("nope", 0, Infinity)).toEqual({ rows: [] });
    await store.stop();
  });

  it("aggregates min, max, mean and count per interval, leaving bad samples out", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    const samples = [
      { v: 1, t: 0 },
      { v: 3, t: 5_000 },
      { v: 100, t: 6_000, q: bad("sensor-failure") },
      { v: 10, t: 10_000 },
      { v: 20, t: 19_999 },
      { v: 7, t: 40_000 },
    ];
    for (const s of samples) store.recordSamples([{ tag: "AIT", value: s.v, quality: s.q ?? GOOD, sourceTs: T0 + s.t, mono: s.t }]);
    store.flush({ all: true });
    store.settle(); // half in each table would do too; here all merged
    store.recordSamples([{ tag: "AIT", value: 9, quality: GOOD, sourceTs: T0 + 41_000, mono: 41_000 }]);
    store.flush({ all: true });
    expect(store.historyAggregate("AIT", T0, T0 + 50_000, 10_000)).toEqual([
      { start: T0, min: 1, max: 3, avg: 2, count: 2 },
      { start: T0 + 10_000, min: 10, max: 20, avg: 15, count: 2 },
      { start: T0 + 40_000, min: 7, max: 9, avg: 8, count: 2 },
    ]);
    expect(() => store.historyAggregate("AIT", T0, T0 + 1, 0)).toThrow(RangeError);
    await store.stop();
  });
});
