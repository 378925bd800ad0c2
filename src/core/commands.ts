// The one command intake for every source (OPC UA, CLI): checks the role, the state or mode,
// and the range, applies the command to the core state, and says what happened in a form
// the audit trail records (who, from where, what, old value, new value, result). Pure.
import { alarmCommand, type AlarmCommand } from "./alarms.js";
import { requestReset } from "./divert.js";
import type { CoreModel } from "./model.js";
import { divertOutputs } from "./outputs.js";
import { PACKML_OPTIONS } from "./packml-run.js";
import { packmlCommand, type PackmlCommand } from "./packml.js";
import type { CoreEvent } from "./scan.js";
import type { CoreState, OperatingMode } from "./state.js";

export type Role = "viewer" | "operator" | "engineer";
export type CommandSource = "cli" | "opcua" | "system";

export type CoreCommand =
  | { kind: "packml"; command: PackmlCommand }
  | { kind: "reset-divert" }
  | { kind: "mode"; mode: OperatingMode }
  | { kind: "force"; tag: string; value: boolean | number }
  | { kind: "unforce"; tag: string }
  | { kind: "setpoint"; name: string; value: number }
  | { kind: "alarm"; action: "acknowledge" | "unshelve"; alarm: string; comment?: string }
  | { kind: "alarm"; action: "shelve"; alarm: string; duration?: number; oneShot?: boolean; comment?: string };

export interface CommandRequest {
  command: CoreCommand;
  user: string;
  role: Role;
  source: CommandSource;
  /** Where it came from: a client address, "local socket", … */
  from?: string;
}

export type RejectCode = "role" | "state" | "mode" | "range" | "unknown";

export type CommandResult =
  | { ok: true; message: string; old?: unknown; new?: unknown }
  | { ok: false; code: RejectCode; message: string };

export interface AuditEntry {
  user: string;
  role: Role;
  source: CommandSource;
  from: string | null;
  command: string;
  args: Record<string, unknown>;
  old: unknown;
  new: unknown;
  result: "accepted" | "rejected";
  reason: string | null;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, engineer: 2 };

/** The least role each command needs. */
export function requiredRole(c: CoreCommand): Role {
  switch (c.kind) {
    case "packml":
    case "reset-divert":
    case "alarm":
    case "setpoint":
      return "operator";
    case "mode":
    case "force":
    case "unforce":
      return "engineer";
  }
}

export function describeCommand(c: CoreCommand): string {
  switch (c.kind) {
    case "packml":
      return c.command;
    case "reset-divert":
      return "ResetDivert";
    case "mode":
      return `mode ${c.mode}`;
    case "force":
      return `force ${c.tag} = ${String(c.value)}`;
    case "unforce":
      return `unforce ${c.tag}`;
    case "setpoint":
      return `setpoint ${c.name} = ${c.value}`;
    case "alarm":
      return `${c.action} ${c.alarm}`;
  }
}

interface Applied {
  state: CoreState;
  result: CommandResult;
  events: CoreEvent[];
}

const reject = (state: CoreState, code: RejectCode, message: string): Applied => ({ state, result: { ok: false, code, message }, events: [] });

function apply(model: CoreModel, s: CoreState, req: CommandRequest, now: number): Applied {
  const c = req.command;
  switch (c.kind) {
    case "packml": {
      const r = packmlCommand(s.state, c.command, PACKML_OPTIONS);
      if (!r.ok) return reject(s, "state", r.reason);
      const events: CoreEvent[] = [{ type: "state", at: now, from: s.state, to: r.next, cause: `${c.command} by ${req.user}` }];
      // An operator's command ends the controller's own start-up sequence of commands.
      return { state: { ...s, state: r.next, autoStart: false }, result: { ok: true, message: `${s.state} → ${r.next}`, old: s.state, new: r.next }, events };
    }
    case "reset-divert": {
      if (!s.divert.latched) return reject(s, "state", "the product is not held on divert; nothing to reset");
      return { state: { ...s, divert: requestReset(s.divert) }, result: { ok: true, message: "divert reset requested: reuse resumes once every CCP is verified in spec" }, events: [] };
    }
    case "mode": {
      if (c.mode === s.mode) return reject(s, "mode", `already in ${c.mode}`);
      // Leaving Maintenance drops every force: nothing forced may survive into Automatic.
      const forced = c.mode === "Maintenance" ? s.forced : {};
      return { state: { ...s, mode: c.mode, forced }, result: { ok: true, message: `${s.mode} → ${c.mode}`, old: s.mode, new: c.mode }, events: [] };
    }
    case "force":
    case "unforce": {
      if (s.mode !== "Maintenance") return reject(s, "mode", `outputs can be forced only in Maintenance mode (now ${s.mode}); run 'reclaim mode maintenance' first`);
      if (!model.outputTags.includes(c.tag)) return reject(s, "unknown", `"${c.tag}" is not a controller-written output`);
      if (divertOutputs(model).includes(c.tag)) return reject(s, "range", `${c.tag} follows the quality mode only and cannot be forced`);
      const old = s.forced[c.tag] ?? null;
      const forced = { ...s.forced };
      if (c.kind === "force") {
        const kind = model.tagByName.get(c.tag)?.kind;
        if ((kind === "bool") !== (typeof c.value === "boolean")) return reject(s, "range", `${c.tag} takes ${kind === "bool" ? "true or false" : "a number"}`);
        forced[c.tag] = c.value;
      } else delete forced[c.tag];
      return { state: { ...s, forced }, result: { ok: true, message: describeCommand(c), old, new: c.kind === "force" ? c.value : null }, events: [] };
    }
    case "setpoint": {
      const sp = model.config.setpoints.find((p) => p.name === c.name);
      if (!sp) return reject(s, "unknown", `unknown setpoint "${c.name}"`);
      if (!Number.isFinite(c.value) || c.value < sp.min || c.value > sp.max) {
        return reject(s, "range", `${c.name} = ${c.value} is outside its engineering limits ${sp.min}..${sp.max} ${sp.unit}`.trim());
      }
      const old = s.setpoints[c.name];
      return { state: { ...s, setpoints: { ...s.setpoints, [c.name]: c.value } }, result: { ok: true, message: `${c.name} ${old} → ${c.value} ${sp.unit}`.trim(), old, new: c.value }, events: [] };
    }
    case "alarm": {
      const comment = c.comment !== undefined ? { comment: c.comment } : {};
      let cmd: AlarmCommand;
      if (c.action === "shelve") {
        cmd = c.oneShot || c.duration === undefined
          ? { kind: "shelve", alarm: c.alarm, user: req.user, oneShot: true, ...comment }
          : { kind: "shelve", alarm: c.alarm, user: req.user, duration: c.duration, ...comment };
      } else cmd = { kind: c.action, alarm: c.alarm, user: req.user, ...comment };
      const r = alarmCommand(model.alarmDefs, s.alarms, cmd, now);
      if (!r.ok) return reject(s, /unknown alarm/.test(r.reason) ? "unknown" : "state", r.reason);
      return { state: { ...s, alarms: r.state }, result: { ok: true, message: describeCommand(c) }, events: r.events.map((e) => ({ type: "alarm" as const, ...e })) };
    }
  }
}

/** Applies one command, role first; every command, accepted or not, yields an audit entry. */
export function applyCommand(model: CoreModel, s: CoreState, req: CommandRequest, now: number): Applied & { audit: AuditEntry } {
  const need = requiredRole(req.command);
  const applied =
    RANK[req.role] < RANK[need]
      ? reject(s, "role", `${describeCommand(req.command)} needs the ${need} role; ${req.user} has ${req.role}`)
      : apply(model, s, req, now);
  const { kind: _kind, ...args } = req.command;
  const r = applied.result;
  return {
    ...applied,
    audit: {
      user: req.user,
      role: req.role,
      source: req.source,
      from: req.from ?? null,
      command: describeCommand(req.command),
      args,
      old: r.ok ? (r.old ?? null) : null,
      new: r.ok ? (r.new ?? null) : null,
      result: r.ok ? "accepted" : "rejected",
      reason: r.ok ? null : r.message,
    },
  };
}
