// What the store is built from, with defaults. Durations in milliseconds, as the config
// loader gives them.
import type { Logger } from "../system/log.js";
import type { Clock } from "../time/clock.js";
import { DEFAULT_MERGE, type MergeOptions } from "./history-merge.js";
import type { TagPolicyInput } from "./history-policy.js";
import type { RetentionPolicy } from "./retention.js";

export type StoreLog = Pick<Logger, "info" | "warn" | "error">;

export interface StoreOptions {
  path: string;
  clock: Clock;
  /** Tags and their `history` logging policy (the config's tags fit). */
  tags?: readonly TagPolicyInput[];
  /** How often the queue is written (config store.flushInterval). */
  flushInterval?: number;
  /** Config store.retention (default 90 days, 2 GB). */
  retention?: RetentionPolicy;
  /** History samples held in memory before the oldest are dropped. */
  maxQueueSamples?: number;
  /** Rows per transaction. */
  batchSize?: number;
  /** Real milliseconds of disk work per tick for flushing, and again for maintenance. */
  flushBudgetMs?: number;
  maintenanceBudgetMs?: number;
  /** How often retention looks for rows to remove. */
  pruneInterval?: number;
  /** Rows removed per retention transaction. */
  pruneBatchRows?: number;
  merge?: Partial<MergeOptions>;
  /** "worker": checkpoints on a worker thread (production); "inline": SQLite's own, on this thread. */
  checkpoint?: "worker" | "inline";
  /** Checkpoint when the WAL reaches this size… */
  walCheckpointBytes?: number;
  /** …or this long after the last one (bounds what a power cut can take from NORMAL commits). */
  checkpointInterval?: number;
  /** Hard cap on the file's pages (tests use it to fill the "disk"). */
  maxPageCount?: number;
  cacheKiB?: number;
  /** Whether the wall clock is already synchronized at start (see setClockSynced). */
  clockSynced?: boolean;
  /** Fixed boot id (tests); a random UUID otherwise. */
  bootId?: string;
  log?: StoreLog;
}

export type ResolvedOptions = Required<Omit<StoreOptions, "maxPageCount" | "cacheKiB" | "bootId" | "log" | "merge">> &
  Pick<StoreOptions, "maxPageCount" | "cacheKiB" | "bootId" | "log"> & { merge: MergeOptions };

export function resolveOptions(o: StoreOptions): ResolvedOptions {
  return {
    ...o,
    tags: o.tags ?? [],
    flushInterval: o.flushInterval ?? 1000,
    retention: o.retention ?? { maxAge: 90 * 86_400_000, maxSize: 2e9 },
    maxQueueSamples: o.maxQueueSamples ?? 200_000,
    batchSize: o.batchSize ?? 5000,
    flushBudgetMs: o.flushBudgetMs ?? 20,
    maintenanceBudgetMs: o.maintenanceBudgetMs ?? 20,
    pruneInterval: o.pruneInterval ?? 60_000,
    pruneBatchRows: o.pruneBatchRows ?? 5000,
    merge: { ...DEFAULT_MERGE, ...o.merge },
    checkpoint: o.checkpoint ?? "worker",
    walCheckpointBytes: o.walCheckpointBytes ?? 4 * 1024 * 1024,
    checkpointInterval: o.checkpointInterval ?? 10_000,
    clockSynced: o.clockSynced ?? false,
  };
}
