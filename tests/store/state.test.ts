// Persisted state, alarm state, config versions, health and the store's alarm stream.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoreAlarm } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { tempDir, testStore, type TempDir } from "./helpers.js";
import { createHash } from "node:crypto";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

describe("store state", () => {
  it("saves and loads state and alarm state across restarts", async () => {
    const clock = new VirtualClock();
    let store = testStore(tmp.path(), clock);
    store.saveState("totals", { reusedM3: 12.5, divertedM3: 1 });
    store.saveState("totals", { reusedM3: 13, divertedM3: 1 });
    store.saveAlarmState("AIT-403.hi", { acked: true, by: "op" });
    store.saveAlarmState("FIT-101.lo", { shelvedUntil: 123 });
    expect(store.loadState("totals")).toEqual({ reusedM3: 13, divertedM3: 1 });
    expect(store.loadState("missing")).toBeUndefined();
    await store.stop();
    store = testStore(tmp.path(), clock);
    expect(store.loadState("totals")).toEqual({ reusedM3: 13, divertedM3: 1 });
    expect(store.loadAlarmStates()).toEqual({ "AIT-403.hi": { acked: true, by: "op" }, "FIT-101.lo": { shelvedUntil: 123 } });
    await store.stop();
  });

  it("keeps config versions with their hash", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock);
    const a = store.addConfigVersion({ user: "tech", text: "version: 1\n", note: "initial" });
    await clock.advance(1000);
    const b = store.addConfigVersion({ user: "tech", text: "version: 1\nskid: {}\n" });
    expect(a.sha256).toBe(createHash("sha256").update("version: 1\n").digest("hex"));
    expect(store.listConfigVersions()).toEqual([
      { id: a.id, wallTs: a.wallTs, user: "tech", sha256: a.sha256, note: "initial" },
      { id: b.id, wallTs: a.wallTs + 1000, user: "tech", sha256: b.sha256, note: "" },
    ]);
    expect(store.getConfigVersion(b.id)?.text).toBe("version: 1\nskid: {}\n");
    expect(store.getConfigVersion(99)).toBeUndefined();
    await store.stop();
  });

  it("reports health, and replays active alarms to a late subscriber", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { retention: { maxAge: 86_400_000, maxSize: 10_000 } });
    store.start();
    await clock.advance(1000); // the first tick sees the file over 80 % of a 10 kB cap
    const seen: StoreAlarm[] = [];
    const sub = store.alarms$.subscribe((a) => seen.push(a));
    expect(seen).toEqual([expect.objectContaining({ code: "STORE_NEAR_CAP", active: true })]);
    sub.unsubscribe();
    store.flush({ all: true }); // the alarm's own event was queued after the tick's flush
    const h = store.health();
    expect(h).toMatchObject({ ok: true, queueDepth: 0, dropped: 0, diskFull: false, pruned: { history: 0, audit: 0 } });
    expect(h.pruned.events).toBeGreaterThan(0); // over the size cap, the oldest events went
    expect(h.sizeBytes).toBeGreaterThan(0);
    expect(h.fileBytes).toBeGreaterThanOrEqual(h.sizeBytes);
    expect(store.events({ from: 0, to: Infinity, types: ["store"] }).rows.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/% of its 10000 byte cap/),
    );
    await store.stop();
  });
});
