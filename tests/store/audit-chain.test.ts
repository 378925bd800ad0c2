// The audit hash chain: every kind of tampering is found at the first row where it breaks,
// and pruning leaves a checkpoint that keeps the rest verifiable.
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson, rowHash } from "../../src/store/audit-chain.js";
import { openStoreReadOnly } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

/** Writes n audit rows (some durable now, some queued) and closes the store. */
async function writeAudit(n: number): Promise<string> {
  const clock = new VirtualClock();
  const store = testStore(tmp.path(), clock);
  for (let i = 1; i <= n; i++) {
    const rec = { kind: "command", user: "op", action: `cmd-${i}`, target: "skid", data: { i, z: [1, { b: 2, a: 1 }] }, wallTs: clock.wall(), monoTs: clock.now() };
    if (i % 2 === 0) store.appendAuditNow(rec);
    else store.recordAudit(rec);
    await clock.advance(1000);
  }
  await store.stop();
  return tmp.path();
}

interface RawAudit {
  seq: number;
  wall_ts: number;
  mono_ts: number;
  boot: string;
  kind: string;
  action: string;
  target: string | null;
  data: string | null;
  flags: number;
  prev_hash: string;
  hash: string;
}

function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

const verify = (path: string) => {
  const r = openStoreReadOnly(path);
  try {
    return r.verifyAudit();
  } finally {
    r.close();
  }
};

describe("audit chain", () => {
  it("encodes canonically: key order does not change the text", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
  });

  it("verifies an untouched chain, in seq order, linking each row to the one before", async () => {
    const path = await writeAudit(10);
    expect(verify(path)).toEqual({ ok: true, rows: 10 });
    const r = openStoreReadOnly(path);
    const rows = r.auditList().rows;
    r.close();
    expect(rows.map((x) => x.action)).toEqual(Array.from({ length: 10 }, (_, i) => `cmd-${i + 1}`));
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
  });

  it("finds an edited row", async () => {
    const path = await writeAudit(10);
    tamper(path, "UPDATE audit SET user = 'someone-else' WHERE id = 4");
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 4, reason: "edited" });
  });

  it("finds an edit to the data, the time or the flags", async () => {
    for (const sql of [`UPDATE audit SET data = '{"i":6}' WHERE id = 6`, "UPDATE audit SET wall_ts = wall_ts + 1 WHERE id = 6", "UPDATE audit SET flags = 1024 WHERE id = 6"]) {
      const path = await writeAudit(8);
      tamper(path, sql);
      expect(verify(path)).toMatchObject({ ok: false, firstBadId: 6, reason: "edited" });
      tmp.cleanup();
      tmp = tempDir();
    }
  });

  it("finds a row rewritten whole with a recomputed hash (the next row no longer links)", async () => {
    const path = await writeAudit(10);
    const db = new Database(path);
    const row = db.prepare("SELECT * FROM audit WHERE id = 5").get() as RawAudit;
    const content = { seq: row.seq, wallTs: row.wall_ts, monoTs: row.mono_ts, boot: row.boot, kind: row.kind, user: "forger", action: row.action, target: row.target, data: row.data, flags: row.flags };
    db.prepare("UPDATE audit SET user = 'forger', hash = ? WHERE id = 5").run(rowHash(row.prev_hash, content));
    db.close();
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 5, reason: "edited" });
  });

  it("finds a deleted row, in the middle, at the start and at the end", async () => {
    let path = await writeAudit(10);
    tamper(path, "DELETE FROM audit WHERE id = 5");
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 6, reason: "deleted" });

    tmp.cleanup();
    tmp = tempDir();
    path = await writeAudit(10);
    tamper(path, "DELETE FROM audit WHERE id <= 2");
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 3, reason: "deleted" });

    tmp.cleanup();
    tmp = tempDir();
    path = await writeAudit(10);
    tamper(path, "DELETE FROM audit WHERE id >= 9");
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 9, reason: "deleted" });
  });

  it("finds a deletion hidden by renumbering the rows after it", async () => {
    const path = await writeAudit(10);
    tamper(path, "DELETE FROM audit WHERE id = 5; UPDATE audit SET id = id - 1 WHERE id > 5");
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 5, reason: "deleted" });
  });

  it("finds reordered rows", async () => {
    const path = await writeAudit(10);
    tamper(path, "UPDATE audit SET id = -1 WHERE id = 6; UPDATE audit SET id = 6 WHERE id = 7; UPDATE audit SET id = 7 WHERE id = -1");
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 6, reason: "reordered" });
  });

  it("finds rows appended outside the store", async () => {
    const path = await writeAudit(4);
    const db = new Database(path);
    const last = db.prepare("SELECT * FROM audit WHERE id = 4").get() as RawAudit;
    const content = { seq: 5, wallTs: last.wall_ts, monoTs: last.mono_ts, boot: last.boot, kind: "command", user: "forger", action: "x", target: null, data: null, flags: 0 };
    db.prepare(
      "INSERT INTO audit (id, seq, wall_ts, mono_ts, boot, kind, user, action, target, data, flags, prev_hash, hash) VALUES (5, 5, ?, ?, ?, 'command', 'forger', 'x', NULL, NULL, 0, ?, ?)",
    ).run(last.wall_ts, last.mono_ts, last.boot, last.hash, rowHash(last.hash, content));
    db.close();
    expect(verify(path)).toMatchObject({ ok: false, firstBadId: 5, reason: "inserted" });
  });

  it("stays verifiable after pruning: a checkpoint row attests the removed rows", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { retention: { maxAge: 10_000, maxSize: 1e12 }, pruneBatchRows: 3 });
    for (let i = 1; i <= 10; i++) {
      store.appendAuditNow({ kind: "command", user: "op", action: `cmd-${i}`, wallTs: clock.wall(), monoTs: clock.now() });
      await clock.advance(1000);
    }
    await clock.advance(4_500); // rows 1..5 (t = 0..4 s) are now older than 10 s
    store.settle();
    const rows = store.auditList().rows;
    expect(rows[0]?.action).toBe("cmd-6");
    const checkpoints = rows.filter((r) => r.kind === "checkpoint");
    expect(checkpoints.map((c) => (c.data as { count: number }).count)).toEqual([3, 2]); // batches of 3
    expect(store.verifyAudit()).toEqual({ ok: true, rows: 7 });
    expect(store.health().pruned.audit).toBe(5);
    // Further appends chain on, and removing a kept row is still caught.
    store.appendAuditNow({ kind: "command", user: "op", action: "after", wallTs: clock.wall(), monoTs: clock.now() });
    expect(store.verifyAudit()).toEqual({ ok: true, rows: 8 });
    await store.stop();
    tamper(tmp.path(), "DELETE FROM audit WHERE id = 6");
    expect(verify(tmp.path())).toMatchObject({ ok: false, firstBadId: 7, reason: "deleted" });
  });

  it("survives pruning every row: the checkpoint alone carries the chain", async () => {
    const clock = new VirtualClock();
    const store = testStore(tmp.path(), clock, { retention: { maxAge: 1000, maxSize: 1e12 } });
    store.appendAuditNow({ kind: "command", user: "op", action: "one", wallTs: clock.wall(), monoTs: clock.now() });
    await clock.advance(5000);
    store.settle();
    expect(store.auditList().rows.map((r) => r.kind)).toEqual(["checkpoint"]);
    expect(store.verifyAudit()).toEqual({ ok: true, rows: 1 });
    expect(store.appendAuditNow({ kind: "command", user: "op", action: "two", wallTs: clock.wall(), monoTs: clock.now() }).seq).toBe(3);
    expect(store.verifyAudit()).toEqual({ ok: true, rows: 2 });
    await store.stop();
  });
});
