// What the OPC UA server needs from the rest of the controller, as interfaces: the live
// picture (OpcuaSource), the command intake (role, state, range, audit), history from the
// store, the alarms, and an audit sink. main.ts provides them; tests provide fakes. Every
// part beyond the live tags is optional, and the server leaves out what is not given.
import type { Quality, TagValue } from "../core/quality.js";
import type { UserRole } from "./users-file.js";

export interface Unsubscribable {
  unsubscribe(): void;
}
/** An rxjs Observable fits; nothing else of rxjs is needed. */
export interface Subscribable<T> {
  subscribe(fn: (value: T) => void): Unsubscribable;
}

export interface TagReading {
  value: TagValue;
  quality: Quality;
  /** Wall-clock time the value was read from the field (epoch ms; 0 = never). */
  sourceTs: number;
}
export interface TagUpdate extends TagReading {
  tag: string;
}

/** One CCP as the interlock logic sees it (core/ccp.ts CcpState fits, plus the tag's time). */
export interface InterlockReading {
  status: "in-spec" | "alert" | "pending" | "off-spec";
  value: number | null;
  quality: Quality;
  sourceTs: number;
  reason: string | null;
}

export interface DeviceReading {
  online: boolean;
  responseMs: number | null;
  errorCount: number;
  lastError: string | null;
}

export interface SkidStatus {
  /** PackML state name (core/packml.ts). */
  state: string;
  qualityMode: string;
  /** PackML unit mode; "Production" when the controller has no other. */
  mode?: string;
  /** The CCP that tripped the divert first, until the divert is reset (null: none). */
  firstOut?: string | null;
}

export interface TotalDef {
  name: string;
  unit: string;
  description?: string;
}
export interface TotalReading {
  value: number | null;
  quality?: Quality;
  /** Wall clock of the value (epoch ms). */
  ts: number;
}

export interface SetpointDef {
  name: string;
  unit: string;
  range: readonly [number, number];
  description?: string;
  /** The least role that may write it; the intake decides finally. */
  role: "operator" | "engineer";
}

export interface OpcuaSnapshot extends SkidStatus {
  tags: Record<string, TagReading>;
  interlocks?: Record<string, InterlockReading>;
  devices?: Record<string, DeviceReading>;
  totals?: Record<string, TotalReading>;
  setpoints?: Record<string, number>;
}

export interface OpcuaSource {
  snapshot(): OpcuaSnapshot;
  /** Tags whose value or quality changed, once per scan. */
  readonly updates$: Subscribable<readonly TagUpdate[]>;
  readonly status$: Subscribable<SkidStatus>;
  /** CCPs that changed (by name). */
  readonly interlocks$?: Subscribable<Record<string, InterlockReading>>;
  readonly devices$?: Subscribable<DeviceReading & { device: string }>;
  readonly totals$?: Subscribable<Record<string, TotalReading>>;
  readonly setpoints$?: Subscribable<Record<string, number>>;
  /** The totals and setpoints this controller has; must not change for an unchanged config (NodeIds). */
  readonly totals?: readonly TotalDef[];
  readonly setpoints?: readonly SetpointDef[];
}

/** The caller's role as the intake sees it: a users-file role, or anonymous. */
export type CallerRole = UserRole | "anonymous";

/**
 * Commands from SCADA. PackML commands and ResetDivert take no args; "setpoint" takes
 * { name, value }; the alarm commands take { alarm, comment? } and, for "alarm.shelve",
 * { durationMs } or { oneShot: true }.
 */
export type OpcuaCommand =
  | "Reset" | "Start" | "Stop" | "Hold" | "Unhold" | "Suspend" | "Unsuspend" | "Abort" | "Clear"
  | "ResetDivert"
  | "setpoint"
  | "alarm.acknowledge" | "alarm.confirm" | "alarm.comment" | "alarm.shelve" | "alarm.unshelve";

export interface CommandRequest {
  source: "opcua";
  user: string;
  role: CallerRole;
  command: OpcuaCommand;
  args: Record<string, unknown>;
}

export type CommandRefusal = "role" | "state" | "range" | "unknown";
export type CommandResult = { ok: true } | { ok: false; code: CommandRefusal; message: string };

/** The core's one way in for commands: checks role, state and range, and writes the audit record. */
export interface CommandIntake {
  submit(req: CommandRequest): Promise<CommandResult>;
}

/** An audit record without its timestamps (the sink stamps wall and monotonic time). */
export interface OpcuaAuditRecord {
  kind: "login";
  user: string;
  action: "login" | "login-failed" | "login-locked-out";
  target: "opcua";
  data: { address: string; reason?: string; failures?: number; securityMode?: string };
}
export type OpcuaAudit = (record: OpcuaAuditRecord) => void;

export interface HistorySample {
  /** Row id: orders samples with the same timestamp. */
  id: number;
  /** Source timestamp, epoch ms. */
  ts: number;
  value: TagValue;
  quality: Quality;
}
export interface HistoryCursor {
  ts: number;
  id: number;
}
export interface HistoryPage {
  rows: HistorySample[];
  /** Present when more rows may follow: passed back as after/before. */
  next?: HistoryCursor;
}
export interface HistoryBucket {
  start: number;
  min: number;
  max: number;
  avg: number;
  count: number;
}
type MaybeAsync<T> = T | Promise<T>;

/** The store's history, as store/reader.ts StoreReader serves it. */
export interface HistorySource {
  /** Samples with from <= ts < to, ascending by (ts, id), after the cursor. */
  historyRaw(tag: string, from: number, to: number, opts: { limit?: number; after?: HistoryCursor }): MaybeAsync<HistoryPage>;
  /**
   * Samples with from < ts <= to, descending by (ts, id), before the cursor: for reads with
   * the end before the start (Part 11 6.4.3.2). Without it such reads are refused.
   */
  historyRawReverse?(tag: string, from: number, to: number, opts: { limit?: number; before?: HistoryCursor }): MaybeAsync<HistoryPage>;
  /** Min, max, mean, count of usable samples per interval from `from`; empty intervals left out. */
  historyAggregate(tag: string, from: number, to: number, intervalMs: number): MaybeAsync<HistoryBucket[]>;
}

export interface AlarmDefinition {
  name: string;
  message: string;
  /** OPC UA severity 1–1000 (core/alarms-model.ts PRIORITY_SEVERITY). */
  severity: number;
  /** Limit alarms watch an analog tag against limits; discrete ones a condition (off-normal). */
  kind: "limit" | "discrete";
  /** The tag the alarm is about (its InputNode and SourceNode). */
  tag?: string;
  limits?: { highHigh?: number; high?: number; low?: number; lowLow?: number };
  shelvable?: boolean;
  /** Longest timed shelve (ms). */
  maxShelveMs?: number;
}

export interface AlarmView {
  name: string;
  active: boolean;
  acked: boolean;
  confirmed: boolean;
  /** Which limit is exceeded, for limit alarms. */
  limitState?: "HighHigh" | "High" | "Low" | "LowLow" | null;
  shelved: null | { oneShot: boolean; untilWall: number | null; by: string };
  suppressed: boolean;
  outOfService: boolean;
  value: number | null;
  comment: null | { text: string; user: string; at: number };
  /** Wall clock of the last change (epoch ms). */
  at: number;
  message?: string;
}

export interface AlarmSource {
  definitions(): readonly AlarmDefinition[];
  snapshot(): readonly AlarmView[];
  readonly changes$: Subscribable<AlarmView>;
}
