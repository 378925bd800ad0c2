// The alarm state model of ANSI/ISA-18.2 (IEC 62682), as plain data: definitions, the
// per-alarm record, the events a transition produces, and the helpers that the scan step
// (alarms.ts) and the operator commands (alarms-commands.ts) share.

/** ISA-18.2 practice: priority 1 is the most urgent. Names are accepted too. */
export type AlarmPriorityName = "critical" | "high" | "medium" | "low";
export type AlarmPriority = 1 | 2 | 3 | 4 | AlarmPriorityName;

const BY_NUMBER: Record<1 | 2 | 3 | 4, AlarmPriorityName> = { 1: "critical", 2: "high", 3: "medium", 4: "low" };

/** OPC UA Part 9 severity (1–1000) used for each priority on the A&C server. */
export const PRIORITY_SEVERITY: Readonly<Record<AlarmPriorityName, number>> = { critical: 900, high: 700, medium: 500, low: 300 };

export function priorityName(p: AlarmPriority): AlarmPriorityName {
  return typeof p === "number" ? BY_NUMBER[p] : p;
}

export interface AlarmDef {
  name: string;
  /** What the operator reads; defaults to the name. */
  message?: string;
  priority: AlarmPriority;
  /** The condition must hold this long (ms) before the alarm activates (ISA-18.2 on-delay). */
  onDelay?: number;
  /** The condition must be clear this long (ms) before the alarm returns (off-delay). */
  offDelay?: number;
  /** Analog limits only: the value must come back past the limit by this much to clear. */
  deadband?: number;
  /** First-out group: the first alarm of the group to activate since its reset is marked. */
  group?: string;
  /** Suppressed by design in these PackML states (e.g. low-flow alarms while Stopped). */
  suppressWhen?: readonly string[];
  /** May an operator shelve it? Default true; a philosophy may forbid it for some alarms. */
  shelvable?: boolean;
  /** The longest timed shelve allowed (ms); default AlarmOptions.maxShelve. */
  maxShelve?: number;
}

/**
 * One alarm's condition for one scan: a boolean, a boolean with the value to report, or
 * an analog value against a limit (the deadband then applies on the way back).
 */
export type AlarmInput =
  | boolean
  | { active: boolean; value?: number }
  | { value: number; limit: number; direction: "high" | "low" };

/** The four states of the ISA-18.2 model that an operator sees when nothing inhibits them. */
export type AlarmCondition = "Normal" | "Unacknowledged" | "Acknowledged" | "RTNUnacknowledged";
/** What is shown and reported: an inhibition (out of service > shelved > suppressed) hides the condition. */
export type AlarmDisplayState = AlarmCondition | "Shelved" | "Suppressed" | "OutOfService";

export interface Shelve {
  by: string;
  at: number;
  /** Monotonic time the shelve ends; null = one-shot (until the alarm returns to normal). */
  until: number | null;
}

export interface AlarmRecord {
  state: AlarmCondition;
  /** The condition after the deadband, before the delays. */
  raw: boolean;
  /** When `raw` last changed (start of the on/off delay). */
  rawSince: number | null;
  /** The alarm condition after the on/off delays. */
  active: boolean;
  activeSince: number | null;
  /** The last analog value seen, for events and the HMI. */
  value: number | null;
  shelved: Shelve | null;
  outOfService: { by: string; at: number } | null;
  suppressed: boolean;
  firstOut: boolean;
}

export interface FloodState {
  /** Times of the annunciations inside the rolling window. */
  annunciations: number[];
  active: boolean;
}

export interface AlarmsState {
  alarms: Record<string, AlarmRecord>;
  /** First-out per group: the alarm that came first since the group's reset. */
  groups: Record<string, { firstOut: string | null }>;
  flood: FloodState;
}

export interface AlarmTransitionEvent {
  kind: "alarm";
  alarm: string;
  from: AlarmDisplayState;
  to: AlarmDisplayState;
  at: number;
  priority: AlarmPriorityName;
  user?: string;
  value?: number;
  firstOut?: boolean;
  note?: string;
}
export interface FloodEvent {
  kind: "flood";
  active: boolean;
  count: number;
  at: number;
}
export interface FirstOutResetEvent {
  kind: "firstOutReset";
  group: string;
  alarm: string | null;
  at: number;
  user: string;
}
export type AlarmEvent = AlarmTransitionEvent | FloodEvent | FirstOutResetEvent;

export interface AlarmOptions {
  /** Rolling window of the flood counter (ms); default 10 min (ISA-18.2, EEMUA 191). */
  floodWindow?: number;
  /** A flood starts when more than this many alarms are annunciated in the window; default 10. */
  floodThreshold?: number;
  /** ...and ends when the count falls to this or below (hysteresis, so the flag does not flap); default 5. */
  floodEnd?: number;
  /** Default longest timed shelve (ms); default 8 h, one shift. */
  maxShelve?: number;
}

export const ALARM_DEFAULTS: Required<AlarmOptions> = {
  floodWindow: 600_000,
  floodThreshold: 10,
  floodEnd: 5,
  maxShelve: 8 * 3_600_000,
};

export function initialAlarmRecord(): AlarmRecord {
  return {
    state: "Normal",
    raw: false,
    rawSince: null,
    active: false,
    activeSince: null,
    value: null,
    shelved: null,
    outOfService: null,
    suppressed: false,
    firstOut: false,
  };
}

export function initialAlarmsState(defs: readonly AlarmDef[]): AlarmsState {
  const alarms: Record<string, AlarmRecord> = {};
  const groups: Record<string, { firstOut: string | null }> = {};
  for (const d of defs) {
    alarms[d.name] = initialAlarmRecord();
    if (d.group !== undefined) groups[d.group] = { firstOut: null };
  }
  return { alarms, groups, flood: { annunciations: [], active: false } };
}

export function isInhibited(r: AlarmRecord): boolean {
  return r.outOfService !== null || r.shelved !== null || r.suppressed;
}

export function displayState(r: AlarmRecord): AlarmDisplayState {
  if (r.outOfService !== null) return "OutOfService";
  if (r.shelved !== null) return "Shelved";
  if (r.suppressed) return "Suppressed";
  return r.state;
}

/**
 * The condition state after an inhibition changed. While inhibited the alarm is not
 * annunciated; when released it comes back Unacknowledged if still active, else Normal
 * (ISA-18.2 state diagram: shelved, suppressed and out of service return to A or B).
 */
export function settle(r: AlarmRecord, wasInhibited: boolean): AlarmRecord {
  if (isInhibited(r)) return r.state === "Normal" ? r : { ...r, state: "Normal" };
  if (wasInhibited) return { ...r, state: r.active ? "Unacknowledged" : "Normal" };
  return r;
}

/**
 * Records a change of displayed state as an event, and counts it toward the flood when
 * the alarm is annunciated (its display becomes Unacknowledged).
 */
export function noteTransition(
  events: AlarmEvent[],
  flood: FloodState,
  def: AlarmDef,
  before: AlarmRecord,
  after: AlarmRecord,
  at: number,
  extra: Partial<Pick<AlarmTransitionEvent, "user" | "note">> = {},
): AlarmTransitionEvent | undefined {
  const from = displayState(before);
  const to = displayState(after);
  if (from === to) return undefined;
  const ev: AlarmTransitionEvent = { kind: "alarm", alarm: def.name, from, to, at, priority: priorityName(def.priority), ...extra };
  if (after.value !== null) ev.value = after.value;
  events.push(ev);
  if (to === "Unacknowledged") flood.annunciations.push(at);
  return ev;
}

export function maxShelveOf(def: AlarmDef, options: AlarmOptions): number {
  return def.maxShelve ?? options.maxShelve ?? ALARM_DEFAULTS.maxShelve;
}
