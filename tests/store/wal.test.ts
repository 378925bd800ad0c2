// The WAL is checkpointed (on a worker thread in production) so it cannot grow without
// bound; a crash-free stop leaves no WAL behind.
import Database from "better-sqlite3";
import { existsSync, statSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GOOD } from "../../src/core/quality.js";
import type { Store } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { T0, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

/** Writes about 20 MB of pages through the timer; returns the largest WAL seen. */
async function writeLots(store: Store, clock: VirtualClock, path: string, settleWorker: boolean): Promise<number> {
  let largest = 0;
  for (let s = 0; s < 40; s++) {
    store.recordSamples(Array.from({ length: 5000 }, (_, i) => ({ tag: `T${i % 500}`, value: s * 1e4 + i, quality: GOOD, sourceTs: T0 + s * 1000 + i, mono: s })));
    await clock.advance(1000);
    // Give the worker's checkpoint (real time, another thread) a chance to finish.
    if (settleWorker) await new Promise((r) => setTimeout(r, 5));
    largest = Math.max(largest, walSize(path));
  }
  return largest;
}

describe("WAL", () => {
  it("stays bounded with checkpoints on the worker thread", async () => {
    const clock = new VirtualClock();
    const path = tmp.path();
    const store = testStore(path, clock, { checkpoint: "worker", walCheckpointBytes: 1 << 20, merge: { minRows: 50_000 } });
    store.start();
    const largest = await writeLots(store, clock, path, true);
    const r = await store.checkpointNow();
    expect(r.busy).toBe(false);
    expect(statSync(path).size).toBeGreaterThan(5 << 20);
    // Without checkpoints this WAL would hold every page written: over 20 MB.
    expect(largest).toBeLessThan(8 << 20);
    await store.stop();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
  });

  it("stays bounded with SQLite's own checkpoints (inline)", async () => {
    const clock = new VirtualClock();
    const path = tmp.path();
    const store = testStore(path, clock, { checkpoint: "inline", merge: { minRows: 50_000 } });
    store.start();
    expect(await writeLots(store, clock, path, false)).toBeLessThan(8 << 20);
    await store.stop();
  });
});
