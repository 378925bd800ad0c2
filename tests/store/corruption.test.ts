// A damaged file: moved aside with its WAL, a fresh store started, an alarm raised and the
// loss recorded; control-side calls keep working throughout.
import Database from "better-sqlite3";
import { closeSync, copyFileSync, existsSync, openSync, statSync, truncateSync, writeSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoreAlarm } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { sample, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

/** A store with some pages of history, cleanly closed (everything in the main file). */
async function populated(): Promise<string> {
  const clock = new VirtualClock();
  const store = testStore(tmp.path(), clock);
  for (let i = 0; i < 50; i++) store.recordSamples(Array.from({ length: 100 }, (_, t) => sample(`T${t}`, i, clock)));
  store.flush({ all: true });
  store.settle();
  store.appendAuditNow({ kind: "command", user: "op", action: "start", wallTs: clock.wall(), monoTs: clock.now() });
  await store.stop();
  return tmp.path();
}

/** Overwrites `length` bytes at `offset` with a pattern no page would hold. */
function damage(path: string, offset: number, length: number): void {
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, offset);
  closeSync(fd);
}

async function expectRecovered(path: string): Promise<void> {
  const clock = new VirtualClock();
  const store = testStore(path, clock);
  const alarms: StoreAlarm[] = [];
  store.alarms$.subscribe((a) => alarms.push(a)); // subscribed after open: replayed
  const movedTo = store.health().corruptMovedTo;
  expect(movedTo).toMatch(/\.sqlite\.corrupt-2026-01-01T00-00-00-000Z$/);
  expect(existsSync(movedTo as string)).toBe(true);
  expect(alarms).toEqual([expect.objectContaining({ code: "STORE_CORRUPT_RECOVERED", active: true })]);
  // The fresh store works and says what happened.
  store.recordSamples([sample("A", 1, clock)]);
  store.flush({ all: true });
  expect(store.historyRaw("A", 0, Infinity).rows).toHaveLength(1);
  expect(store.events({ from: 0, to: Infinity, types: ["store"] }).rows[0]?.message).toMatch(/^corrupt store moved to/);
  expect(store.auditList().rows.map((r) => r.action)).toEqual(["chain-restart"]);
  expect(store.verifyAudit()).toEqual({ ok: true, rows: 1 });
  await store.stop();
}

describe("corruption", () => {
  it("replaces a file whose pages are damaged", async () => {
    const path = await populated();
    const db = new Database(path, { readonly: true });
    const root = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_history_1'").pluck().get() as number;
    db.close();
    damage(path, (root - 1) * 4096 + 8, 4096 - 8);
    await expectRecovered(path);
  });

  it("replaces a file whose header is damaged", async () => {
    const path = await populated();
    damage(path, 0, 100);
    await expectRecovered(path);
  });

  it("replaces a truncated file", async () => {
    const path = await populated();
    truncateSync(path, Math.floor(statSync(path).size / 3));
    await expectRecovered(path);
  });

  it("moves the WAL aside with the file", async () => {
    const path = await populated();
    // The state a crash leaves: committed frames still in the WAL.
    const db = new Database(path);
    db.pragma("wal_autocheckpoint = 0");
    db.exec("INSERT INTO tags (name) VALUES ('in-wal')");
    const crashed = tmp.path("crashed.sqlite");
    copyFileSync(path, crashed);
    copyFileSync(`${path}-wal`, `${crashed}-wal`);
    db.close();
    damage(crashed, 0, 100);
    const store = testStore(crashed, new VirtualClock());
    const movedTo = store.health().corruptMovedTo as string;
    expect(existsSync(movedTo)).toBe(true);
    expect(statSync(`${movedTo}-wal`).size).toBeGreaterThan(0);
    await store.stop();
  });

  it("recovers from damage found while running, keeping what was queued", async () => {
    const path = tmp.path();
    const clock = new VirtualClock();
    const store = testStore(path, clock, { cacheKiB: 64, merge: { minRows: 1, intervalMs: 0, stepRows: 100_000, deleteRows: 100_000 } });
    for (let i = 0; i < 100; i++) store.recordSamples(Array.from({ length: 100 }, (_, t) => sample(`T${t}`, i, clock)));
    store.flush({ all: true });
    await store.checkpointNow();
    const db = new Database(path);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    damage(path, 4 * 4096, statSync(path).size - 8 * 4096);
    store.recordEvent({ type: "state", message: "queued across the damage", wallTs: clock.wall(), monoTs: clock.now() });
    store.settle(); // the merge reads damaged pages
    store.flush({ all: true });
    const h = store.health();
    expect(h.corruptMovedTo).toBeDefined();
    expect(store.events({ from: 0, to: Infinity, types: ["state"] }).rows.map((e) => e.message)).toEqual(["queued across the damage"]);
    await store.stop();
  });
});
