// A full disk (simulated with max_page_count): control keeps running, an alarm is raised,
// nothing committed is lost, and writes resume when space returns.
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STORE_ERROR_CODES, type StoreAlarm } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { sample, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

describe("disk full", () => {
  it("raises an alarm, keeps control going, loses nothing committed, and resumes", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { maxQueueSamples: 2000 });
    const alarms: StoreAlarm[] = [];
    store.alarms$.subscribe((a) => alarms.push(a));
    store.start();

    // Committed before the disk fills.
    for (let i = 0; i < 20; i++) {
      store.recordSamples(Array.from({ length: 50 }, (_, t) => sample(`T${t}`, i, clock)));
      await clock.advance(1000);
    }
    const committed = store.historyRaw("T7", 0, Infinity).rows.map((r) => r.value);
    expect(committed).toHaveLength(20);
    const audit = store.appendAuditNow({ kind: "command", user: "op", action: "before", wallTs: clock.wall(), monoTs: clock.now() });

    // No more pages: the scan goes on recording, nothing throws on its path.
    store.setMaxPageCount(1);
    for (let i = 20; i < 120; i++) {
      store.recordSamples(Array.from({ length: 50 }, (_, t) => sample(`T${t}`, i, clock)));
      store.recordEvent({ type: "state", message: `during ${i}`, wallTs: clock.wall(), monoTs: clock.now() });
      await clock.advance(1000);
    }
    expect(store.health()).toMatchObject({ ok: false, diskFull: true });
    expect(store.health().dropped).toBeGreaterThan(0); // history queue capped at 2000
    expect(alarms).toContainEqual(expect.objectContaining({ code: "STORE_DISK_FULL", active: true }));
    // A durable audit write succeeds while its page has room, then fails loudly (never silently).
    const durable: string[] = [];
    let refused: unknown;
    for (let i = 0; i < 2000 && refused === undefined; i++) {
      try {
        durable.push(store.appendAuditNow({ kind: "command", user: "op", action: `during ${i}`, wallTs: clock.wall(), monoTs: clock.now() }).action);
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toMatchObject({ code: STORE_ERROR_CODES.DISK_FULL });
    store.recordAudit({ kind: "command", user: "op", action: "queued during", wallTs: clock.wall(), monoTs: clock.now() });
    store.saveState("totals", { m3: 5 });
    expect(store.loadState("totals")).toEqual({ m3: 5 }); // read back from memory meanwhile
    // What was committed is still there and readable.
    expect(store.historyRaw("T7", 0, Infinity).rows.map((r) => r.value).slice(0, 20)).toEqual(committed);

    // Space returns.
    store.setMaxPageCount(1_000_000);
    for (let i = 0; i < 5; i++) await clock.advance(1000);
    expect(store.health()).toMatchObject({ ok: true, diskFull: false, queueDepth: 0 });
    expect(alarms.filter((a) => a.code === "STORE_DISK_FULL").map((a) => a.active)).toEqual([true, false]);
    const during = store.events({ from: 0, to: Infinity, types: ["state"] }).rows;
    expect(during).toHaveLength(100); // events are never dropped
    expect(store.auditList().rows.map((r) => r.action)).toEqual(["before", ...durable, "queued during"]);
    expect(store.auditList().rows[0]?.hash).toBe(audit.hash);
    expect(store.verifyAudit()).toMatchObject({ ok: true });
    expect(store.loadState("totals")).toEqual({ m3: 5 });
    const t7 = store.historyRaw("T7", 0, Infinity).rows.map((r) => r.value as number);
    expect(t7.slice(0, 20)).toEqual(committed);
    expect(t7.at(-1)).toBe(119); // the newest survived; the oldest queued ones were dropped
    const storeEvents = store.events({ from: 0, to: Infinity, types: ["store"] }).rows.map((e) => e.message);
    expect(storeEvents).toContainEqual(expect.stringMatching(/disk full/));
    expect(storeEvents).toContainEqual(expect.stringMatching(/disk space is back/));
    await store.stop();

    const db = new Database(tmp.path(), { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
  });
});
