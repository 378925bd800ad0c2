// Store failures and store alarms, each with a stable code (STYLE.md 10). Opening failures
// use the project's RECLAIM_E_STORE_UNUSABLE; these are the finer causes met at run time.
import { ERROR_CODES, ReclaimError } from "../system/errors.js";

export const STORE_ERROR_CODES = {
  /** The disk (or the page cap) is full: the record was not written. */
  DISK_FULL: "RECLAIM_E_STORE_DISK_FULL",
  /** A write failed for another reason (I/O error, corruption found while running). */
  WRITE_FAILED: "RECLAIM_E_STORE_WRITE_FAILED",
  /** The store was used after stop(). */
  CLOSED: "RECLAIM_E_STORE_CLOSED",
} as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** The store cannot be opened at all (the composition root maps this to its exit code). */
export function unusable(message: string, cause?: unknown): ReclaimError {
  return new ReclaimError(ERROR_CODES.STORE_UNUSABLE, message, cause === undefined ? undefined : { cause });
}

export type StoreAlarmCode = "STORE_DISK_FULL" | "STORE_NEAR_CAP" | "STORE_CORRUPT_RECOVERED" | "STORE_WRITE_FAILED";

/** A store condition for the alarm system: raised (active) and cleared (not active). */
export interface StoreAlarm {
  code: StoreAlarmCode;
  active: boolean;
  message: string;
}

/** SQLite's extended result code of a better-sqlite3 error, e.g. "SQLITE_FULL". */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

export function isDiskFull(err: unknown): boolean {
  // The unix VFS maps ENOSPC to SQLITE_FULL, and so does max_page_count.
  return sqliteCode(err) === "SQLITE_FULL";
}

/** The file itself is damaged (as opposed to a full disk or a busy lock). */
export function isCorruption(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${sqliteCode(err) ?? err.name}: ${err.message}` : String(err);
}
