// The shapes the store takes in and gives back: events, audit records, history rows, pages.
import type { Quality, TagValue } from "../core/quality.js";

/** What producers record; the store adds the boot id and the clock-not-synced flag. */
export interface StoreEventInput {
  /** "alarm", "state", "trip", "command", "device", "store", "clock", … */
  type: string;
  source?: string;
  message: string;
  data?: object;
  /** Wall clock (epoch ms). */
  wallTs: number;
  /** Monotonic clock (ms) of the same moment. */
  monoTs: number;
}

export interface StoredEvent {
  id: number;
  type: string;
  source?: string;
  message: string;
  data?: Record<string, unknown>;
  wallTs: number;
  monoTs: number;
  /** The process start that recorded it (a UUID per start, see boots()). */
  bootId: string;
  /** The wall clock was not yet synchronized when this was recorded. */
  clockUnsynced: boolean;
}

/** A record that must survive: a command, a setpoint change, a config change, a login. */
export interface AuditRecord {
  /** "command", "setpoint", "config", "alarm", "login", … ("checkpoint" is the store's own). */
  kind: string;
  user: string;
  action: string;
  target?: string;
  data?: unknown;
  wallTs: number;
  monoTs: number;
}

export interface AuditRow extends AuditRecord {
  /** Position in the chain: 1, 2, 3, … (also the row id when written). */
  seq: number;
  id: number;
  bootId: string;
  clockUnsynced: boolean;
  prevHash: string;
  hash: string;
}

export type AuditVerdict =
  | { ok: true; rows: number }
  | {
      ok: false;
      rows: number;
      /** Row id of the first row where the chain breaks. */
      firstBadId: number;
      reason: "edited" | "deleted" | "reordered" | "inserted";
      detail: string;
    };

export interface HistorySample {
  id: number;
  tag: string;
  /** Source timestamp (epoch ms). */
  ts: number;
  value: TagValue;
  quality: Quality;
  clockUnsynced: boolean;
}

/** Continuation of a paged query: the last row returned. */
export interface HistoryCursor {
  ts: number;
  id: number;
}

export interface EventCursor {
  wallTs: number;
  id: number;
}

export interface Page<T, C> {
  rows: T[];
  /** Present when more rows may follow: pass it back as `after`. */
  next?: C;
}

/** One interval of an aggregate; intervals without usable samples are left out. */
export interface AggregateBucket {
  start: number;
  min: number;
  max: number;
  /** Mean of the samples (not time-weighted). */
  avg: number;
  count: number;
}

export interface EventQuery {
  from: number;
  to: number;
  types?: readonly string[];
  limit?: number;
  after?: EventCursor;
}

export interface AuditQuery {
  from?: number;
  to?: number;
  limit?: number;
  /** Row id of the last row already seen. */
  afterId?: number;
}

export interface ConfigVersionInput {
  user: string;
  text: string;
  note?: string;
  wallTs?: number;
}

export interface ConfigVersion {
  id: number;
  wallTs: number;
  user: string;
  sha256: string;
  note: string;
  text: string;
}

export type ConfigVersionSummary = Omit<ConfigVersion, "text">;

export interface BootRow {
  id: number;
  bootId: string;
  wallTs: number;
  clockSynced: boolean;
}

export interface StoreHealth {
  ok: boolean;
  /** Samples, events and audit records waiting in memory. */
  queueDepth: number;
  /** History samples dropped because the queue overflowed (never events or audit). */
  dropped: number;
  /** Samples refused because they could never be stored (no tag name, no valid time). */
  rejected: number;
  lastError?: string;
  diskFull: boolean;
  corruptMovedTo?: string;
  /** Bytes in use inside the file (pages minus free pages): what the size cap measures. */
  sizeBytes: number;
  /** Bytes of the file and its WAL on disk. */
  fileBytes: number;
  /** Rows removed by retention since start. */
  pruned: { history: number; events: number; audit: number };
}

/** What one flush() wrote. */
export interface FlushResult {
  /** False when a write failed; what was not written stays queued. */
  ok: boolean;
  transactions: number;
  samples: number;
  events: number;
  audit: number;
  error?: string;
}
