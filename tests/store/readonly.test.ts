// The offline CLI's read-only open: works beside a running controller and after it stopped,
// refuses what it cannot read, never writes.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/system/errors.js";
import { openStoreReadOnly } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { sample, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

describe("read-only open", () => {
  it("reads what a running store committed, and keeps reading after it stops", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { checkpoint: "worker" });
    store.recordSamples([sample("A", 1, clock)]);
    store.appendAuditNow({ kind: "command", user: "op", action: "start", wallTs: clock.wall(), monoTs: 0 });
    store.addConfigVersion({ user: "op", text: "version: 1" });
    store.flush({ all: true });
    const reader = openStoreReadOnly(tmp.path());
    expect(reader.historyRaw("A", 0, Infinity).rows.map((r) => r.value)).toEqual([1]);
    expect(reader.verifyAudit()).toEqual({ ok: true, rows: 1 });
    store.recordSamples([sample("A", 2, clock)]);
    store.flush({ all: true });
    expect(reader.historyRaw("A", 0, Infinity).rows.map((r) => r.value)).toEqual([1, 2]);
    reader.close();
    await store.stop();

    const before = readFileSync(tmp.path());
    const offline = openStoreReadOnly(tmp.path());
    expect(offline.listConfigVersions()).toHaveLength(1);
    expect(offline.events({ from: 0, to: Infinity }).rows.length).toBeGreaterThan(0);
    expect(offline.integrityCheck()).toEqual(["ok"]);
    expect(offline.tags()).toEqual(["A"]);
    offline.close();
    expect(readFileSync(tmp.path()).equals(before)).toBe(true);
  });

  it("refuses a missing file with RECLAIM_E_STORE_UNUSABLE", () => {
    expect(() => openStoreReadOnly(tmp.path("none.sqlite"))).toThrow(expect.objectContaining({ code: ERROR_CODES.STORE_UNUSABLE }) as Error);
  });
});
