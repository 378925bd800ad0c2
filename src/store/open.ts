// Opening the file: pragmas, quick_check, migrations, and the corrupt-file path (move the
// damaged file aside with its WAL, start a fresh one, and say so loudly).
import Database from "better-sqlite3";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { ReclaimError } from "../system/errors.js";
import { errorText, isCorruption, unusable } from "./errors.js";
import { checkOwnership, migrate, SCHEMA_VERSION, schemaVersion } from "./migrations.js";

export type Db = Database.Database;

/** A checkpoint resets the WAL to at most this size, so the file cannot grow without bound. */
export const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export interface OpenOptions {
  /** Wall clock now, for the name of a moved-aside file. */
  wallNow: number;
  /** SQLite's automatic checkpoints; off when the checkpoint worker runs them. */
  autoCheckpoint: boolean;
  /** Caps the file at this many pages (a full disk in tests, a hard ceiling in production). */
  maxPageCount?: number;
  /** Page cache size (default 32 MB: the hot pages of a thousand tags). */
  cacheKiB?: number;
}

export interface Opened {
  db: Db;
  migratedFrom: number;
  /** Where a corrupt file was moved, when it was. */
  corruptMovedTo?: string;
  corruptReason?: string;
}

class Corrupt extends Error {}

/** The file was found damaged and has been moved aside (to `movedTo`). */
class MovedAside extends Error {
  constructor(
    readonly reason: string,
    readonly movedTo: string,
  ) {
    super(reason);
  }
}

function configure(db: Db, opts: OpenOptions): void {
  const mode = db.pragma("journal_mode = WAL", { simple: true });
  if (mode !== "wal") throw unusable(`${db.name}: cannot use WAL (journal_mode stays ${String(mode)})`);
  // Set explicitly: better-sqlite3's default depends on how WAL was enabled. NORMAL in WAL
  // survives a process crash; audit, setpoint and config writes raise it to FULL (tx.ts).
  db.pragma("synchronous = NORMAL");
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  db.pragma(`wal_autocheckpoint = ${opts.autoCheckpoint ? 1000 : 0}`);
  db.pragma(`cache_size = -${opts.cacheKiB ?? 32768}`);
  if (opts.maxPageCount !== undefined) db.pragma(`max_page_count = ${opts.maxPageCount}`);
}

function quickCheck(db: Db): void {
  const rows = db.pragma("quick_check") as { quick_check: string }[];
  const first = rows[0]?.quick_check;
  if (first !== "ok") throw new Corrupt(`quick_check: ${rows.map((r) => r.quick_check).slice(0, 3).join("; ")}`);
}

function attempt(path: string, opts: OpenOptions): Opened {
  // A short busy timeout: only WAL recovery by another process can hold us up here.
  const db = new Database(path, { timeout: 250 });
  try {
    checkOwnership(db, path);
    configure(db, opts);
    quickCheck(db);
    const migratedFrom = migrate(db);
    return { db, migratedFrom };
  } catch (err) {
    if (!(err instanceof Corrupt) && !isCorruption(err)) {
      closeQuietly(db);
      throw err;
    }
    const reason = err instanceof Corrupt ? err.message : errorText(err);
    // Rename first, close after: closing may delete the WAL by name, and the WAL holds
    // committed transactions that belong with the damaged file.
    let movedTo: string;
    try {
      movedTo = moveAside(path, opts.wallNow);
    } catch (moveErr) {
      closeQuietly(db);
      throw unusable(`${path} is corrupt (${reason}) and cannot be moved aside: ${errorText(moveErr)}`, moveErr);
    }
    closeQuietly(db);
    throw new MovedAside(reason, movedTo);
  }
}

export function closeQuietly(db: Db): void {
  try {
    db.close();
  } catch {
    // A damaged or vanished file may refuse a clean close; it is being abandoned anyway.
  }
}

function stamp(wall: number): string {
  return new Date(wall).toISOString().replace(/[:.]/g, "-");
}

/** Moves the file and its WAL and shared-memory files aside; returns the new name. */
export function moveAside(path: string, wallNow: number): string {
  let target = `${path}.corrupt-${stamp(wallNow)}`;
  for (let i = 1; existsSync(target); i++) target = `${path}.corrupt-${stamp(wallNow)}-${i}`;
  for (const suffix of ["-wal", "-shm"]) if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  if (existsSync(path)) renameSync(path, target);
  return target;
}

/** Opens (creating if needed) and migrates; a corrupt file is replaced by a fresh one. */
export function openWritable(path: string, opts: OpenOptions): Opened {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw unusable(`${path}: cannot create its directory: ${errorText(err)}`, err);
  }
  let moved: MovedAside;
  try {
    return attempt(path, opts);
  } catch (err) {
    if (err instanceof ReclaimError) throw err;
    if (!(err instanceof MovedAside)) throw unusable(`${path}: cannot open the store: ${errorText(err)}`, err);
    moved = err;
  }
  try {
    return { ...attempt(path, opts), corruptMovedTo: moved.movedTo, corruptReason: moved.reason };
  } catch (err) {
    throw unusable(`${path}: corrupt file moved to ${moved.movedTo}, but a fresh store cannot be started: ${errorText(err)}`, err);
  }
}

/** For the offline CLI: no writes, no migration; the file must be at this program's version. */
export function openReadOnly(path: string): Db {
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 1000 });
  } catch (err) {
    throw unusable(`${path}: cannot open the store: ${errorText(err)}`, err);
  }
  try {
    checkOwnership(db, path);
    const version = schemaVersion(db);
    if (version !== SCHEMA_VERSION) {
      throw unusable(`${path}: schema version ${version}; start the controller once to migrate it to ${SCHEMA_VERSION}`);
    }
    return db;
  } catch (err) {
    db.close();
    if (err instanceof ReclaimError) throw err;
    throw unusable(`${path}: cannot read the store: ${errorText(err)}`, err);
  }
}
