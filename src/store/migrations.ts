// Versioned schema migrations, in code. PRAGMA user_version holds the version; each step runs
// in its own transaction together with the version bump, so a crash mid-migration leaves the
// file at the previous version, never half-migrated.
import type { Database } from "better-sqlite3";
import { unusable } from "./errors.js";

/** "RCLM": marks the file as ours, so a stray SQLite file is refused instead of moved aside. */
export const APPLICATION_ID = 0x52434c4d;

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "history, events, boots, tags",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE boots (
        id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, wall_ts INTEGER NOT NULL,
        mono_ts REAL NOT NULL, clock_synced INTEGER NOT NULL);
      CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      -- Clustered by tag then time: a tag's day is a few hundred contiguous pages to read.
      CREATE TABLE history (
        tag_id INTEGER NOT NULL, ts INTEGER NOT NULL, id INTEGER NOT NULL,
        value REAL, q INTEGER NOT NULL, text TEXT,
        PRIMARY KEY (tag_id, ts, id)) WITHOUT ROWID;
      -- Append-only landing table in arrival order: a flush appends a few pages instead of
      -- touching one page per tag (flash wear); merged into history in large sorted steps.
      CREATE TABLE history_recent (
        id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL, ts INTEGER NOT NULL,
        value REAL, q INTEGER NOT NULL, text TEXT);
      CREATE TABLE events (
        id INTEGER PRIMARY KEY, wall_ts INTEGER NOT NULL, mono_ts REAL NOT NULL,
        boot_id INTEGER NOT NULL, type TEXT NOT NULL, source TEXT, message TEXT NOT NULL,
        data TEXT, flags INTEGER NOT NULL);
      CREATE INDEX events_time ON events (wall_ts);
    `,
  },
  {
    version: 2,
    description: "hash-chained audit, persisted state, alarm state",
    sql: `
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, wall_ts INTEGER NOT NULL,
        mono_ts REAL NOT NULL, boot TEXT NOT NULL, kind TEXT NOT NULL, user TEXT NOT NULL,
        action TEXT NOT NULL, target TEXT, data TEXT, flags INTEGER NOT NULL,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE INDEX audit_time ON audit (wall_ts);
      CREATE TABLE state (key TEXT PRIMARY KEY, json TEXT NOT NULL, wall_ts INTEGER NOT NULL);
      CREATE TABLE alarm_state (name TEXT PRIMARY KEY, json TEXT NOT NULL, wall_ts INTEGER NOT NULL);
      CREATE INDEX events_type_time ON events (type, wall_ts);
    `,
  },
  {
    version: 3,
    description: "config versions",
    sql: `
      CREATE TABLE config_versions (
        id INTEGER PRIMARY KEY, wall_ts INTEGER NOT NULL, user TEXT NOT NULL,
        text TEXT NOT NULL, sha256 TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Refuses files that are not ours or are newer than this program (never "fixes" them). */
export function checkOwnership(db: Database, path: string): void {
  const appId = db.pragma("application_id", { simple: true }) as number;
  const version = schemaVersion(db);
  const hasTables = (db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number) > 0;
  if (appId !== APPLICATION_ID && (appId !== 0 || hasTables)) {
    throw unusable(`${path}: not a Reclaim store (application_id ${appId}); refusing to touch it`);
  }
  if (version > SCHEMA_VERSION) {
    throw unusable(`${path}: schema version ${version} is newer than this program's ${SCHEMA_VERSION}; upgrade Reclaim`);
  }
}

/**
 * Brings the file to `to` (default: the latest), one step per transaction; returns the
 * version it started from. `steps` is for tests that exercise a failing migration.
 */
export function migrate(db: Database, opts: { to?: number; steps?: readonly Migration[] } = {}): number {
  const steps = opts.steps ?? MIGRATIONS;
  const target = opts.to ?? steps.length;
  const from = schemaVersion(db);
  for (const step of steps) {
    if (step.version <= from || step.version > target) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return from;
}
