// The running store: producers never touch the disk, the timer flushes in batches, events
// and audit are never dropped, queries page in time order, state and config persist.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bad, uncertain } from "../../src/core/quality.js";
import type { TagConfig } from "../../src/config/schema.js";
import type { StoreOptions } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import type { Clock, TimerHandle } from "../../src/time/clock.js";
import { sample, T0, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

/** A virtual clock whose wall clock can be stepped, as NTP does. */
class SteppableClock implements Clock {
  offset = 0;
  constructor(readonly inner: VirtualClock) {}
  now(): number {
    return this.inner.now();
  }
  wall(): number {
    return this.inner.wall() + this.offset;
  }
  setTimer(fn: () => void, ms: number): TimerHandle {
    return this.inner.setTimer(fn, ms);
  }
  clearTimer(h: TimerHandle | undefined): void {
    this.inner.clearTimer(h);
  }
}

describe("store: queue and flush", () => {
  it("queues without writing until the timer flushes; stop() writes the rest", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { flushInterval: 1000 });
    store.start();
    store.recordSamples([sample("FIT-101", 1, clock)]);
    store.recordEvent({ type: "state", message: "Execute", wallTs: clock.wall(), monoTs: clock.now() });
    expect(store.health().queueDepth).toBe(2);
    expect(store.historyRaw("FIT-101", 0, Infinity).rows).toEqual([]);
    await clock.advance(999);
    expect(store.historyRaw("FIT-101", 0, Infinity).rows).toEqual([]);
    await clock.advance(1);
    expect(store.historyRaw("FIT-101", 0, Infinity).rows.map((r) => r.value)).toEqual([1]);
    expect(store.health().queueDepth).toBe(0);
    store.recordSamples([sample("FIT-101", 2, clock)]);
    await store.stop();
    expect(clock.pendingTimers).toBe(0);
    const again = testStore(tmp.path(), clock);
    expect(again.historyRaw("FIT-101", 0, Infinity).rows.map((r) => r.value)).toEqual([1, 2]);
    await again.stop();
  });

  it("writes one transaction per batch", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { batchSize: 100 });
    store.recordSamples(Array.from({ length: 250 }, (_, i) => sample(`T${i}`, i, clock)));
    expect(store.flush({ all: true })).toMatchObject({ ok: true, transactions: 3, samples: 250 });
    await store.stop();
  });

  it("drops the oldest history samples on overflow, never events or audit, and counts them", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { maxQueueSamples: 100 });
    for (let i = 0; i < 300; i++) {
      store.recordSamples([sample("LIT-1", i, clock)]);
      store.recordEvent({ type: "alarm", message: `e${i}`, wallTs: clock.wall() + i, monoTs: i });
    }
    store.recordAudit({ kind: "command", user: "op", action: "start", wallTs: clock.wall(), monoTs: 0 });
    expect(store.health()).toMatchObject({ dropped: 200, queueDepth: 100 + 300 + 1 });
    store.flush({ all: true });
    expect(store.historyRaw("LIT-1", 0, Infinity).rows.map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => 200 + i));
    expect(store.events({ from: 0, to: Infinity, types: ["alarm"] }).rows).toHaveLength(300);
    expect(store.auditList().rows).toHaveLength(1);
    await store.stop();
  });

  it("writes queued audit records before an appendAuditNow, keeping the chain in order", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    store.recordAudit({ kind: "setpoint", user: "op", action: "first", wallTs: clock.wall(), monoTs: 0 });
    const row = store.appendAuditNow({ kind: "command", user: "op", action: "second", target: "skid", data: { why: "test" }, wallTs: clock.wall(), monoTs: 1 });
    expect(row).toMatchObject({ seq: 2, action: "second", target: "skid", data: { why: "test" }, bootId: store.bootId });
    expect(store.auditList().rows.map((r) => r.action)).toEqual(["first", "second"]);
    expect(store.health().queueDepth).toBe(0);
    await store.stop();
    expect(() => store.appendAuditNow({ kind: "command", user: "op", action: "late", wallTs: 0, monoTs: 0 })).toThrow(
      expect.objectContaining({ code: "RECLAIM_E_STORE_CLOSED" }) as Error,
    );
  });

  it("applies each tag's logging policy and writes heartbeats from the timer", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { tags: [{ name: "PIT-1", history: { deadband: 1, minInterval: 0, maxInterval: 5000 } }] });
    store.start();
    for (let i = 0; i < 20; i++) {
      store.recordSamples([sample("PIT-1", 10 + (i % 2) * 0.5, clock)]);
      await clock.advance(1000);
    }
    const ts = store.historyRaw("PIT-1", 0, Infinity).rows.map((r) => r.ts - T0);
    expect(ts).toEqual([0, 5000, 10_000, 15_000, 20_000]);
    await store.stop();
  });
});

describe("store: records that could never be written", () => {
  it("refuses samples without a tag or a valid time, and counts them, without stalling the rest", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    store.recordSamples([sample("A", 1, clock), { ...sample("B", 2, clock), sourceTs: Number.NaN }, { ...sample("", 3, clock) }]);
    expect(store.flush({ all: true }).ok).toBe(true);
    expect(store.health()).toMatchObject({ rejected: 2, lastError: "rejected sample: a sample without a tag name" });
    expect(store.tags()).toEqual(["A"]);
    await store.stop();
  });

  it("writes events and audit records whose data JSON cannot encode, with a note instead", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    store.recordEvent({ type: "trip", message: "bad data", data: circular, wallTs: Number.NaN, monoTs: 0 });
    store.recordAudit({ kind: "command", user: "op", action: "x", data: { n: 10n }, wallTs: clock.wall(), monoTs: 0 });
    const row = store.appendAuditNow({ kind: "command", user: "op", action: "y", data: circular, wallTs: clock.wall(), monoTs: 0 });
    expect(row.data).toMatchObject({ unencodable: expect.stringMatching(/^data not encodable/) as string });
    expect(store.flush({ all: true }).ok).toBe(true);
    const [ev] = store.events({ from: 0, to: Infinity, types: ["trip"] }).rows;
    expect(ev).toMatchObject({ wallTs: clock.wall(), data: { unencodable: expect.stringMatching(/circular/) as string } });
    expect(store.auditList().rows.map((r) => r.action)).toEqual(["x", "y"]);
    expect(store.verifyAudit()).toMatchObject({ ok: true });
    await store.stop();
  });

  it("takes the config's tags as they are", () => {
    // Compile-time: TagConfig[] from the config schema fits the store's tag option.
    const tags: TagConfig[] = [];
    const opts: Partial<StoreOptions> = { tags };
    expect(opts.tags).toBe(tags);
  });
});

describe("store: values, events and clock", () => {
  it("keeps values and qualities as they were", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    store.recordSamples([
      sample("A", 1.25, clock),
      sample("B", true, clock),
      sample("C", "manual", clock),
      sample("D", null, clock, bad("no-comm", "analyzer-1 offline")),
      sample("E", 7, clock, uncertain("warning")),
    ]);
    store.flush({ all: true });
    const one = (tag: string) => store.historyRaw(tag, 0, Infinity).rows[0];
    expect(one("A")).toMatchObject({ value: 1.25, quality: { code: "good" }, clockUnsynced: false });
    expect(one("B")?.value).toBe(true);
    expect(one("C")?.value).toBe("manual");
    expect(one("D")).toMatchObject({ value: null, quality: { code: "bad", reason: "no-comm", detail: "analyzer-1 offline" } });
    expect(one("E")?.quality).toEqual({ code: "uncertain", reason: "warning" });
    expect(store.tags()).toEqual(["A", "B", "C", "D", "E"]);
    await store.stop();
  });

  it("records events with the boot id, in time order, filtered by type and paged", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    const types = ["alarm", "state", "trip", "command", "device"];
    for (let i = 0; i < 50; i++) {
      // Recorded out of time order: queries still come back in time order.
      store.recordEvent({ type: types[i % 5] as string, source: "core", message: `m${i}`, data: { i }, wallTs: T0 + (49 - i) * 10, monoTs: i });
    }
    store.flush({ all: true });
    const trips = store.events({ from: T0, to: T0 + 1000, types: ["trip"] }).rows;
    expect(trips.map((e) => e.wallTs)).toEqual([...trips.map((e) => e.wallTs)].sort((a, b) => a - b));
    expect(trips).toHaveLength(10);
    expect(trips[0]).toMatchObject({ type: "trip", source: "core", bootId: store.bootId, clockUnsynced: false });
    const seen: number[] = [];
    let page = store.events({ from: T0, to: T0 + 1000, types: ["alarm", "state"], limit: 7 });
    for (;;) {
      seen.push(...page.rows.map((e) => (e.data as { i: number }).i));
      if (!page.next) break;
      page = store.events({ from: T0, to: T0 + 1000, types: ["alarm", "state"], limit: 7, after: page.next });
    }
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
    expect(store.boots().map((b) => b.bootId)).toEqual([store.bootId]);
    await store.stop();
  });

  it("flags what was stamped before the clock was synchronized and records the sync", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { clockSynced: false });
    store.recordSamples([sample("A", 1, clock)]);
    store.recordEvent({ type: "state", message: "early", wallTs: clock.wall(), monoTs: 0 });
    const early = store.appendAuditNow({ kind: "command", user: "op", action: "early", wallTs: clock.wall(), monoTs: 0 });
    store.setClockSynced(true);
    store.recordSamples([sample("A", 2, clock)]);
    store.recordEvent({ type: "state", message: "late", wallTs: clock.wall() + 1, monoTs: 1 });
    store.flush({ all: true });
    expect(early.clockUnsynced).toBe(true);
    expect(store.historyRaw("A", 0, Infinity).rows.map((r) => r.clockUnsynced)).toEqual([true, false]);
    const evs = store.events({ from: 0, to: Infinity }).rows;
    expect(evs.filter((e) => e.type === "state").map((e) => [e.message, e.clockUnsynced])).toEqual([["early", true], ["late", false]]);
    expect(evs.some((e) => e.type === "clock" && e.message === "wall clock synchronized")).toBe(true);
    await store.stop();
  });

  it("records a wall-clock step as a clock event", async () => {
    const clock = new SteppableClock(new VirtualClock());
    const s = testStore(tmp.path(), clock);
    s.start();
    await clock.inner.advance(3000);
    clock.offset = 30_000;
    await clock.inner.advance(2000);
    const steps = s.events({ from: 0, to: Infinity, types: ["clock"] }).rows;
    expect(steps).toHaveLength(1);
    expect(steps[0]?.message).toBe("wall clock stepped +30.0 s");
    expect((steps[0]?.data as { stepMs: number }).stepMs).toBe(30_000);
    await s.stop();
  });
});
