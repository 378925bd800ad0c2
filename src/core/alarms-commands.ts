// Operator commands on alarms (ISA-18.2): acknowledge, shelve (timed, bounded by a
// maximum, or one-shot), unshelve, out of service and return to service, and first-out
// reset. Each names its user, and either returns the new state with its events or a
// reason a person can act on. Pure, like the scan step in alarms.ts.
import {
  type AlarmDef,
  type AlarmEvent,
  type AlarmOptions,
  type AlarmRecord,
  type AlarmsState,
  type FloodState,
  displayState,
  isInhibited,
  maxShelveOf,
  noteTransition,
  priorityName,
  settle,
} from "./alarms-model.js";

export type AlarmCommand =
  | { kind: "acknowledge"; alarm: string; user: string; comment?: string }
  /** Timed shelve for `duration` ms, or one-shot: until the alarm returns to normal. */
  | { kind: "shelve"; alarm: string; user: string; duration: number; comment?: string }
  | { kind: "shelve"; alarm: string; user: string; oneShot: true; comment?: string }
  | { kind: "unshelve"; alarm: string; user: string; comment?: string }
  | { kind: "outOfService"; alarm: string; user: string; comment?: string }
  | { kind: "returnToService"; alarm: string; user: string; comment?: string }
  | { kind: "resetFirstOut"; group: string; user: string };

export type AlarmCommandResult = { ok: true; state: AlarmsState; events: AlarmEvent[] } | { ok: false; reason: string };

const reject = (reason: string): AlarmCommandResult => ({ ok: false, reason });

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The record after the command, or why the command does not apply. */
function apply(cmd: Exclude<AlarmCommand, { kind: "resetFirstOut" }>, def: AlarmDef, r: AlarmRecord, now: number, options: AlarmOptions): AlarmRecord | string {
  const name = `alarm ${def.name}`;
  switch (cmd.kind) {
    case "acknowledge": {
      const shown = displayState(r);
      if (r.state === "Unacknowledged" && !isInhibited(r)) return { ...r, state: "Acknowledged" };
      if (r.state === "RTNUnacknowledged" && !isInhibited(r)) return { ...r, state: "Normal" };
      return `${name} is ${shown}: nothing to acknowledge`;
    }
    case "shelve": {
      if (def.shelvable === false) return `${name} may not be shelved (alarm philosophy)`;
      if (r.outOfService !== null) return `${name} is out of service; return it to service first`;
      if ("oneShot" in cmd) {
        if (!r.active) return `${name} is not active: a one-shot shelve lasts until an active alarm returns to normal`;
        return { ...r, shelved: { by: cmd.user, at: now, until: null } };
      }
      const max = maxShelveOf(def, options);
      if (!(cmd.duration > 0)) return `shelve duration must be positive, not ${cmd.duration} ms`;
      if (cmd.duration > max) return `${name} may be shelved for at most ${formatMs(max)}, not ${formatMs(cmd.duration)}`;
      return { ...r, shelved: { by: cmd.user, at: now, until: now + cmd.duration } };
    }
    case "unshelve":
      if (r.shelved === null) return `${name} is not shelved`;
      return { ...r, shelved: null };
    case "outOfService":
      if (r.outOfService !== null) return `${name} is already out of service (since ${r.outOfService.by} took it out)`;
      // Out of service supersedes a shelve: returning to service must not revive an old one.
      return { ...r, outOfService: { by: cmd.user, at: now }, shelved: null };
    case "returnToService":
      if (r.outOfService === null) return `${name} is not out of service`;
      return { ...r, outOfService: null };
  }
}

function resetFirstOut(defs: readonly AlarmDef[], state: AlarmsState, group: string, user: string, now: number): AlarmCommandResult {
  const g = state.groups[group];
  if (g === undefined && !defs.some((d) => d.group === group)) return reject(`unknown first-out group '${group}'`);
  const first = g?.firstOut ?? null;
  const alarms = { ...state.alarms };
  if (first !== null && alarms[first]) alarms[first] = { ...alarms[first], firstOut: false };
  return {
    ok: true,
    state: { ...state, alarms, groups: { ...state.groups, [group]: { firstOut: null } } },
    events: [{ kind: "firstOutReset", group, alarm: first, at: now, user }],
  };
}

/** Carries out an operator command at monotonic time `now`. */
export function alarmCommand(
  defs: readonly AlarmDef[],
  state: AlarmsState,
  cmd: AlarmCommand,
  now: number,
  options: AlarmOptions = {},
): AlarmCommandResult {
  if (cmd.user.trim() === "") return reject("a command on alarms must name its user");
  if (cmd.kind === "resetFirstOut") return resetFirstOut(defs, state, cmd.group, cmd.user, now);
  const def = defs.find((d) => d.name === cmd.alarm);
  const before = state.alarms[cmd.alarm];
  if (def === undefined || before === undefined) return reject(`unknown alarm '${cmd.alarm}'`);
  const applied = apply(cmd, def, before, now, options);
  if (typeof applied === "string") return reject(applied);
  const after = settle(applied, isInhibited(before));
  const events: AlarmEvent[] = [];
  const flood: FloodState = { annunciations: [...state.flood.annunciations], active: state.flood.active };
  const extra = cmd.comment === undefined ? { user: cmd.user } : { user: cmd.user, note: cmd.comment };
  // A command that leaves the displayed state alone (a re-shelve) is still journalled.
  if (noteTransition(events, flood, def, before, after, now, extra) === undefined) {
    const shown = displayState(after);
    events.push({ kind: "alarm", alarm: def.name, from: shown, to: shown, at: now, priority: priorityName(def.priority), ...extra, note: extra.note ?? cmd.kind });
  }
  return { ok: true, state: { ...state, alarms: { ...state.alarms, [def.name]: after }, flood }, events };
}
