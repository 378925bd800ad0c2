// The database file, opened read-only for the commands that work without the controller
// (history export, audit, report, config history). SQLite's WAL lets them read while the
// controller writes.
import { openStoreReadOnly, type StoreReader } from "../store/index.js";
import { resolveDb, type DbOpts } from "./options.js";

export async function withReader<T>(opts: DbOpts, fn: (reader: StoreReader, path: string) => T | Promise<T>): Promise<T> {
  const path = resolveDb(opts);
  const reader = openStoreReadOnly(path);
  try {
    return await fn(reader, path);
  } finally {
    reader.close();
  }
}
