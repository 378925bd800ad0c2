// Small JSON values the store keeps about itself (audit head, merge progress) in `meta`.
import type { Database } from "better-sqlite3";

export function getMeta<T>(db: Database, key: string): T | undefined {
  const text = db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(key) as string | undefined;
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

export function setMeta(db: Database, key: string, value: unknown): void {
  db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
    key,
    JSON.stringify(value),
  );
}
