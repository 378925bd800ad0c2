// The store's public surface: what main, the runtime, the CLI and OPC UA import.
export { openStore, Store } from "./store.js";
export type { StoreLog, StoreOptions } from "./store-options.js";
export { openStoreReadOnly, StoreReader } from "./reader.js";
export { STORE_ERROR_CODES, StoreError, type StoreAlarm, type StoreAlarmCode, type StoreErrorCode } from "./errors.js";
export { HistoryPolicy, DEFAULT_POLICY, policyProblems, type HistoryPolicyConfig, type TagPolicyInput } from "./history-policy.js";
export { ClockWatch, CLOCK_STEP_THRESHOLD_MS, type ClockStep } from "./clock-watch.js";
export { SCHEMA_VERSION } from "./migrations.js";
export type { RetentionPolicy } from "./retention.js";
export type { CheckpointResult } from "./checkpointer.js";
export type * from "./types.js";
