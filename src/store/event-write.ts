// Writes queued events inside the caller's transaction, each tagged with this process
// start's row in `boots` (written with the first transaction that needs it).
import { FLAG_UNSYNCED } from "./codec.js";
import type { Db } from "./open.js";
import type { QueuedEvent } from "./queue.js";

export interface BootInfo {
  uuid: string;
  wallTs: number;
  monoTs: number;
  clockSynced: boolean;
}

export class EventWriter {
  private bootRowId?: number;

  constructor(
    private readonly db: Db,
    private readonly boot: () => BootInfo,
  ) {}

  write(evs: readonly QueuedEvent[]): void {
    if (evs.length === 0) return;
    const insert = this.db.prepare(
      "INSERT INTO events (wall_ts, mono_ts, boot_id, type, source, message, data, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const boot = this.bootRow();
    for (const { ev, data, unsynced } of evs) {
      insert.run(Math.round(ev.wallTs), ev.monoTs, boot, ev.type, ev.source ?? null, ev.message, data, unsynced ? FLAG_UNSYNCED : 0);
    }
  }

  private bootRow(): number {
    if (this.bootRowId === undefined) {
      const b = this.boot();
      this.db
        .prepare("INSERT INTO boots (uuid, wall_ts, mono_ts, clock_synced) VALUES (?, ?, ?, ?) ON CONFLICT (uuid) DO NOTHING")
        .run(b.uuid, Math.round(b.wallTs), b.monoTs, b.clockSynced ? 1 : 0);
      this.bootRowId = this.db.prepare("SELECT id FROM boots WHERE uuid = ?").pluck().get(b.uuid) as number;
    }
    return this.bootRowId;
  }

  /** After a rolled-back transaction the boots row may be gone again. */
  afterRollback(): void {
    this.bootRowId = undefined;
  }
}
