// Alarm processing per ANSI/ISA-18.2, once per scan and pure: each alarm's condition goes
// through its deadband and on/off delays, then the ISA-18.2 state model (Normal,
// Unacknowledged, Acknowledged, RTN-Unacknowledged) with shelving, suppression by design
// and out-of-service; first-out per group and the flood counter ride along. Operator
// commands are in alarms-commands.ts, the data model in alarms-model.ts.
import {
  ALARM_DEFAULTS,
  type AlarmDef,
  type AlarmEvent,
  type AlarmInput,
  type AlarmOptions,
  type AlarmRecord,
  type AlarmTransitionEvent,
  type AlarmsState,
  type FloodState,
  initialAlarmRecord,
  isInhibited,
  noteTransition,
  settle,
} from "./alarms-model.js";

export * from "./alarms-model.js";
export { alarmCommand, type AlarmCommand, type AlarmCommandResult } from "./alarms-commands.js";

export interface AlarmsStepResult {
  state: AlarmsState;
  events: AlarmEvent[];
}

/**
 * The condition after the deadband. A high limit trips above the limit and clears only
 * below limit − deadband (low: mirrored), so a value hovering at the limit does not chatter.
 * A non-finite value gives no information: the previous condition stands.
 */
function condition(input: AlarmInput, wasRaw: boolean, deadband: number): { raw: boolean; value: number | null } {
  if (typeof input === "boolean") return { raw: input, value: null };
  if ("active" in input) return { raw: input.active, value: input.value ?? null };
  const { value, limit, direction } = input;
  if (!Number.isFinite(value)) return { raw: wasRaw, value: null };
  if (direction === "high") return { raw: wasRaw ? value >= limit - deadband : value > limit, value };
  return { raw: wasRaw ? value <= limit + deadband : value < limit, value };
}

/** Applies the on/off delays: `active` follows `raw` once raw has held for the delay. */
function delayed(r: AlarmRecord, def: AlarmDef, now: number): AlarmRecord {
  if (r.raw === r.active) return r;
  const since = r.rawSince ?? now;
  const delay = r.raw ? (def.onDelay ?? 0) : (def.offDelay ?? 0);
  if (now - since < delay) return r;
  return { ...r, active: r.raw, activeSince: r.raw ? now : r.activeSince };
}

/** The ISA-18.2 transitions that the process condition drives (not the operator). */
function follow(r: AlarmRecord, wasActive: boolean): AlarmRecord {
  if (isInhibited(r) || r.active === wasActive) return r;
  if (r.active) return r.state === "Acknowledged" ? r : { ...r, state: "Unacknowledged" };
  switch (r.state) {
    case "Unacknowledged":
      return { ...r, state: "RTNUnacknowledged" };
    case "Acknowledged":
      return { ...r, state: "Normal" };
    case "Normal":
    case "RTNUnacknowledged":
      return r;
  }
}

/** Shelves end on their own: a timed shelve at its time, a one-shot one when the alarm clears. */
function shelveExpiry(r: AlarmRecord, now: number): { r: AlarmRecord; note?: string } {
  const s = r.shelved;
  if (s === null) return { r };
  if (s.until !== null && now >= s.until) return { r: { ...r, shelved: null }, note: "shelve expired" };
  if (s.until === null && !r.active) return { r: { ...r, shelved: null }, note: "one-shot shelve ended: returned to normal" };
  return { r };
}

function updateFlood(flood: FloodState, now: number, options: AlarmOptions, events: AlarmEvent[]): FloodState {
  const window = options.floodWindow ?? ALARM_DEFAULTS.floodWindow;
  // Annunciations are pushed in time order: only filter when the oldest has left the window.
  const oldest = flood.annunciations[0];
  const annunciations = oldest !== undefined && oldest <= now - window ? flood.annunciations.filter((t) => t > now - window) : flood.annunciations;
  const count = annunciations.length;
  let active = flood.active;
  if (!active && count > (options.floodThreshold ?? ALARM_DEFAULTS.floodThreshold)) active = true;
  else if (active && count <= (options.floodEnd ?? ALARM_DEFAULTS.floodEnd)) active = false;
  if (active !== flood.active) events.push({ kind: "flood", active, count, at: now });
  return { annunciations, active };
}

/**
 * One scan of alarm processing. Alarms without an input this scan keep their condition
 * (their delays still run). `packmlState` drives suppression by design.
 */
export function alarmsStep(
  defs: readonly AlarmDef[],
  state: AlarmsState,
  inputs: Readonly<Record<string, AlarmInput | undefined>>,
  now: number,
  packmlState: string,
  options: AlarmOptions = {},
): AlarmsStepResult {
  const events: AlarmEvent[] = [];
  const flood: FloodState = { annunciations: [...state.flood.annunciations], active: state.flood.active };
  // Only defined alarms are kept: an alarm removed from the config drops out of the state. A
  // record table this function made for these same defs has exactly their keys, so it is
  // copied only once a record changes (most scans, none does); any other is rebuilt.
  let alarms: Record<string, AlarmRecord> | null = madeFor.get(state.alarms) === defs ? null : {};
  let groups = state.groups;
  // Alarms of a group that activated this scan, for first-out: the earliest wins.
  const candidates: { def: AlarmDef; at: number; order: number; ev: AlarmTransitionEvent | undefined }[] = [];

  for (let order = 0; order < defs.length; order++) {
    const def = defs[order] as AlarmDef;
    const before = state.alarms[def.name] ?? initialAlarmRecord();
    let r = before;
    const input = inputs[def.name];
    if (input !== undefined) {
      const c = condition(input, r.raw, def.deadband ?? 0);
      const value = c.value ?? r.value;
      if (c.raw !== r.raw || r.rawSince === null) r = { ...r, raw: c.raw, rawSince: now, value };
      else if (value !== r.value) r = { ...r, value };
    }
    r = delayed(r, def, now);
    const wasInhibited = isInhibited(before);
    const expiry = r.shelved === null ? null : shelveExpiry(r, now);
    if (expiry) r = expiry.r;
    const suppressed = def.suppressWhen?.includes(packmlState) ?? false;
    if (r.suppressed !== suppressed) r = { ...r, suppressed };
    r = settle(follow(r, before.active), wasInhibited);
    let note = expiry?.note;
    if (note === undefined && before.suppressed !== r.suppressed) {
      note = r.suppressed ? `suppressed by design in ${packmlState}` : `suppression by design ended in ${packmlState}`;
    }
    const ev = r === before ? undefined : noteTransition(events, flood, def, before, r, now, note === undefined ? undefined : { note });
    if (def.group !== undefined && r.active && !before.active && !isInhibited(r))
      candidates.push({ def, at: (r.rawSince ?? now) + (def.onDelay ?? 0), order, ev });
    if (alarms !== null) alarms[def.name] = r;
    else if (r !== before) alarms = { ...state.alarms, [def.name]: r };
  }

  candidates.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const c of candidates) {
    const group = c.def.group as string;
    if ((groups[group]?.firstOut ?? null) !== null) continue;
    groups = { ...groups, [group]: { firstOut: c.def.name } };
    alarms ??= { ...state.alarms };
    alarms[c.def.name] = { ...(alarms[c.def.name] as AlarmRecord), firstOut: true };
    if (c.ev) c.ev.firstOut = true;
  }

  const table = alarms ?? state.alarms;
  madeFor.set(table, defs);
  return { state: { alarms: table, groups, flood: updateFlood(flood, now, options, events) }, events };
}

// Which defs each record table was made for (see alarmsStep): a cache, not state.
const madeFor = new WeakMap<Readonly<Record<string, AlarmRecord>>, readonly AlarmDef[]>();

/** Problems in alarm definitions that config validation should report. */
export function checkAlarmDefs(defs: readonly AlarmDef[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const d of defs) {
    if (seen.has(d.name)) problems.push(`duplicate alarm "${d.name}"`);
    seen.add(d.name);
    for (const key of ["onDelay", "offDelay", "deadband", "maxShelve"] as const) {
      const v = d[key];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) problems.push(`alarm "${d.name}": ${key} must be a number ≥ 0, not ${v}`);
    }
  }
  return problems;
}
