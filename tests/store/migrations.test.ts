// Schema migrations: a file at every earlier version migrates to the current one with its
// data intact and the same schema as a fresh file; newer or foreign files are refused.
import Database from "better-sqlite3";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/system/errors.js";
import { insertAudit } from "../../src/store/audit-log.js";
import { APPLICATION_ID, migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from "../../src/store/migrations.js";
import { openStore, openStoreReadOnly } from "../../src/store/index.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { T0, tempDir, testStore, type TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const BOOT = "11111111-1111-4111-8111-111111111111";

/** Rows an older program would have written at version v. */
function fillAt(db: Database.Database, v: number): void {
  if (v >= 1) {
    db.prepare("INSERT INTO boots (id, uuid, wall_ts, mono_ts, clock_synced) VALUES (1, ?, ?, 0, 1)").run(BOOT, T0);
    db.prepare("INSERT INTO tags (id, name) VALUES (1, 'FIT-101')").run();
    db.prepare("INSERT INTO history (tag_id, ts, id, value, q, text) VALUES (1, ?, 1, 12.5, 0, NULL)").run(T0);
    db.prepare("INSERT INTO history_recent (id, tag_id, ts, value, q, text) VALUES (2, 1, ?, 13.5, 0, NULL)").run(T0 + 1000);
    db.prepare("INSERT INTO meta (key, value) VALUES ('history_merge', '{\"mergedThrough\":1}')").run();
    db.prepare("INSERT INTO events (wall_ts, mono_ts, boot_id, type, source, message, data, flags) VALUES (?, 0, 1, 'state', NULL, 'Execute', NULL, 0)").run(T0);
  }
  if (v >= 2) {
    db.transaction(() => insertAudit(db, { kind: "command", user: "op", action: "start", wallTs: T0, monoTs: 0 }, BOOT, false))();
    db.prepare("INSERT INTO state (key, json, wall_ts) VALUES ('totals', '{\"m3\":42}', ?)").run(T0);
    db.prepare("INSERT INTO alarm_state (name, json, wall_ts) VALUES ('AIT-403.hi', '{\"acked\":true}', ?)").run(T0);
  }
  if (v >= 3) {
    db.prepare("INSERT INTO config_versions (wall_ts, user, text, sha256, note) VALUES (?, 'op', 'version: 1', 'x', '')").run(T0);
  }
}

function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as { type: string; name: string; sql: string }[];
  db.close();
  return rows.map((r) => `${r.type} ${r.name}: ${r.sql.replace(/\s+/g, " ")}`);
}

describe("migrations", () => {
  it("has one step per version, numbered 1..n", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  for (let v = 0; v < SCHEMA_VERSION; v++) {
    it(`migrates a store from version ${v} to ${SCHEMA_VERSION} with its data`, async () => {
      const path = tmp.path(`v${v}.sqlite`);
      const old = new Database(path);
      old.pragma("journal_mode = WAL");
      migrate(old, { to: v });
      expect(schemaVersion(old)).toBe(v);
      fillAt(old, v);
      old.close();

      const clock = new VirtualClock(T0 + 3_600_000);
      const store = testStore(path, clock);
      expect(schemaOf(path)).toEqual(schemaOf(freshStorePath()));
      if (v >= 1) {
        expect(store.historyRaw("FIT-101", T0, T0 + 10_000).rows.map((r) => r.value)).toEqual([12.5, 13.5]);
        expect(store.events({ from: T0, to: T0 + 1, types: ["state"] }).rows[0]).toMatchObject({ message: "Execute", bootId: BOOT });
      }
      if (v >= 2) {
        expect(store.loadState("totals")).toEqual({ m3: 42 });
        expect(store.loadAlarmStates()).toEqual({ "AIT-403.hi": { acked: true } });
      }
      if (v >= 3) expect(store.listConfigVersions()).toHaveLength(1);
      // And it works as a current store: the chain continues, new history lands.
      store.appendAuditNow({ kind: "command", user: "op", action: "stop", wallTs: clock.wall(), monoTs: clock.now() });
      expect(store.verifyAudit()).toEqual({ ok: true, rows: v >= 2 ? 2 : 1 });
      await store.stop();
    });
  }

  function freshStorePath(): string {
    const path = tmp.path("fresh.sqlite");
    const db = new Database(path);
    migrate(db);
    db.close();
    return path;
  }

  it("rolls a failed step back whole, leaving the previous version", () => {
    const db = new Database(tmp.path());
    migrate(db, { to: 1 });
    const broken = [...MIGRATIONS.slice(0, 1), { version: 2, description: "broken", sql: "CREATE TABLE half (x); SELECT * FROM no_such_table;" }];
    expect(() => migrate(db, { steps: broken })).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it("refuses a store from a newer version without touching it", () => {
    const path = tmp.path();
    const db = new Database(path);
    migrate(db);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = readFileSync(path);
    const open = () => openStore({ path, clock: new VirtualClock(), checkpoint: "inline" });
    expect(open).toThrow(`schema version ${SCHEMA_VERSION + 1} is newer than this program's ${SCHEMA_VERSION}`);
    expect(open).toThrow(expect.objectContaining({ code: ERROR_CODES.STORE_UNUSABLE }) as Error);
    expect(() => openStoreReadOnly(path)).toThrow(/newer/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("refuses an SQLite file that is not a Reclaim store", () => {
    const path = tmp.path();
    const db = new Database(path);
    db.exec("CREATE TABLE other (x)");
    db.close();
    expect(() => openStore({ path, clock: new VirtualClock(), checkpoint: "inline" })).toThrow(/not a Reclaim store/);
    expect(schemaOf(path)).toEqual(["table other: CREATE TABLE other (x)"]);
  });

  it("marks its files with the application id", async () => {
    const store = testStore(tmp.path(), new VirtualClock());
    await store.stop();
    const db = new Database(tmp.path(), { readonly: true });
    expect(db.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
    db.close();
  });

  it("refuses a path it cannot create, with RECLAIM_E_STORE_UNUSABLE", () => {
    writeFileSync(tmp.path("file"), "x");
    expect(() => openStore({ path: tmp.path("file/sub/store.sqlite"), clock: new VirtualClock() })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.STORE_UNUSABLE }) as Error,
    );
  });
});
