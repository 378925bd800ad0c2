// Persisted state (totals, KPIs, alarm acknowledgement and shelving) and config versions.
// State is written at once; if that fails (a full disk) it is kept in memory, read back from
// there, and retried with every flush, so a caller never has to handle the failure.
import { createHash } from "node:crypto";
import type { Db } from "./open.js";
import type { Durability } from "./tx.js";
import type { ConfigVersion, ConfigVersionInput } from "./types.js";

export interface PendingState {
  table: "state" | "alarm_state";
  key: string;
  json: string;
  wallTs: number;
}

export class StateWrites {
  private readonly pending = new Map<string, PendingState>();

  add(p: PendingState): void {
    this.pending.set(`${p.table}:${p.key}`, p);
  }

  /** Writes everything pending in one transaction (FULL if alarm state is among it). */
  flush(guard: (durability: Durability, fn: () => void) => boolean, db: () => Db): boolean {
    if (this.pending.size === 0) return true;
    const items = [...this.pending.values()];
    const durability: Durability = items.some((p) => p.table === "alarm_state") ? "full" : "normal";
    const ok = guard(durability, () => {
      for (const p of items) {
        db()
          .prepare(
            `INSERT INTO ${p.table} (${p.table === "state" ? "key" : "name"}, json, wall_ts) VALUES (?, ?, ?)
             ON CONFLICT DO UPDATE SET json = excluded.json, wall_ts = excluded.wall_ts`,
          )
          .run(p.key, p.json, p.wallTs);
      }
    });
    // A newer value saved meanwhile stays pending.
    if (ok) for (const p of items) if (this.pending.get(`${p.table}:${p.key}`) === p) this.pending.delete(`${p.table}:${p.key}`);
    return ok;
  }

  /** The pending JSON of a state key, if it has not reached the disk yet. */
  pendingState(key: string): string | undefined {
    return this.pending.get(`state:${key}`)?.json;
  }

  /** Lays pending alarm state over what was read from the disk. */
  overlayAlarms(out: Record<string, unknown>): Record<string, unknown> {
    for (const p of this.pending.values()) if (p.table === "alarm_state") out[p.key] = JSON.parse(p.json) as unknown;
    return out;
  }
}

/** Inserts a config version; run inside a FULL transaction. */
export function insertConfigVersion(db: Db, input: ConfigVersionInput, wallNow: number): ConfigVersion {
  const v = {
    wallTs: Math.round(input.wallTs ?? wallNow),
    user: input.user,
    text: input.text,
    sha256: createHash("sha256").update(input.text).digest("hex"),
    note: input.note ?? "",
  };
  const id = db.prepare("INSERT INTO config_versions (wall_ts, user, text, sha256, note) VALUES (@wallTs, @user, @text, @sha256, @note)").run(v).lastInsertRowid;
  return { id: Number(id), ...v };
}
