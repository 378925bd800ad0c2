// Write transactions at two durability levels on the one writer connection.
//
// Why this gives audit, setpoint and config records real FULL durability: `synchronous` is a
// connection setting that SQLite reads when a transaction commits. In WAL mode, NORMAL
// appends the transaction's frames to the WAL and returns (safe against a process crash,
// not against power loss); FULL also fsyncs the WAL after the commit frame, before COMMIT
// returns. We switch to FULL before BEGIN and back after COMMIT, on the only connection
// that writes, so nothing else can commit in between. The fsync covers the whole WAL file,
// so it also hardens every earlier NORMAL commit, and WAL frames are replayed in order, so
// a durable record can never be followed on disk by a missing earlier one. A second
// connection at FULL would do the same, but two writers on one file contend for the write
// lock and could make the control loop's flush wait (SQLITE_BUSY), which one writer cannot.
import type { Db } from "./open.js";

export type Durability = "normal" | "full";

export function writeTx<T>(db: Db, durability: Durability, fn: () => T): T {
  if (durability === "normal") return db.transaction(fn).immediate();
  db.pragma("synchronous = FULL");
  try {
    return db.transaction(fn).immediate();
  } finally {
    db.pragma("synchronous = NORMAL");
  }
}

/** A consistent snapshot for multi-statement reads (merge progress plus rows). */
export function readTx<T>(db: Db, fn: () => T): T {
  return db.inTransaction ? fn() : db.transaction(fn).deferred();
}
