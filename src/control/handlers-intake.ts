// The control socket's commands that change the skid: PackML, ResetDivert, operating mode,
// forced outputs, setpoints and alarm actions. Each one is handed to the core's command
// intake (controller.submit), which checks role, state, mode and range and writes the audit
// record; a refusal comes back as a ControlError whose code says which kind (exit codes).
//
// Role policy: the control socket grants the engineer role. The gate is the filesystem: the
// socket is mode 0660, owned by the service user and the `reclaim` group, so only root and
// members of that group can connect at all (README "For technicians").
import type { CommandResult, CoreCommand, RejectCode } from "../core/commands.js";
import { displayState, priorityName } from "../core/alarms.js";
import { PACKML_COMMANDS } from "../core/packml.js";
import { ERROR_CODES, type ErrorCode } from "../system/errors.js";
import type { ControlContext } from "./handlers.js";
import { num, oneOf, optBool, optNum, optStr, str, userOf } from "./handlers-args.js";
import { ControlError, type ControlHandler, type ControlRequest } from "./protocol.js";

export const SOCKET_ROLE = "engineer" as const;

const REFUSAL: Record<RejectCode, ErrorCode> = {
  role: ERROR_CODES.COMMAND_REJECTED,
  state: ERROR_CODES.COMMAND_REJECTED,
  mode: ERROR_CODES.COMMAND_REJECTED,
  range: ERROR_CODES.OUT_OF_RANGE,
  unknown: ERROR_CODES.UNKNOWN_NAME,
};

/**
 * Submits through the intake; throws the refusal with its code, returns what changed.
 * `refine` may give a refusal a more precise code than the core's (the core calls a shelve
 * beyond the maximum a "state" refusal; to the technician it is a value out of range).
 */
export function submit(
  ctx: ControlContext,
  user: string,
  command: CoreCommand,
  from = "local socket",
  refine?: (message: string) => ErrorCode | undefined,
): Extract<CommandResult, { ok: true }> {
  const r = ctx.controller.submit({ command, user, role: SOCKET_ROLE, source: "cli", from });
  if (!r.ok) throw new ControlError(refine?.(r.message) ?? REFUSAL[r.code], r.message);
  return r;
}

/** Monotonic time of this process → wall-clock ISO time, for a person. */
export function wallIso(ctx: ControlContext, mono: number | null): string | null {
  return mono === null ? null : new Date(ctx.clock.wall() - (ctx.clock.now() - mono)).toISOString();
}

function result(r: Extract<CommandResult, { ok: true }>): { message: string; old: unknown; new: unknown } {
  return { message: r.message, old: r.old ?? null, new: r.new ?? null };
}

function packml(ctx: ControlContext, req: ControlRequest): unknown {
  const command = oneOf(req, "command", PACKML_COMMANDS);
  return result(submit(ctx, userOf(req), { kind: "packml", command }));
}

function mode(ctx: ControlContext, req: ControlRequest): unknown {
  const m = oneOf(req, "mode", ["Automatic", "Maintenance"] as const);
  return result(submit(ctx, userOf(req), { kind: "mode", mode: m }));
}

function force(ctx: ControlContext, req: ControlRequest): unknown {
  const tag = str(req, "tag");
  const raw = req.args?.value;
  if (typeof raw !== "boolean" && (typeof raw !== "number" || !Number.isFinite(raw))) {
    throw new ControlError(ERROR_CODES.BAD_ARGUMENT, `"value" must be true, false or a number`);
  }
  // The core calls both of these "range"; to the technician the divert valve is a refusal
  // (it may never be forced) and a number for a bool output is a wrong type.
  const refine = (m: string): ErrorCode | undefined =>
    /cannot be forced/.test(m) ? ERROR_CODES.COMMAND_REJECTED : /takes (true or false|a number)/.test(m) ? ERROR_CODES.BAD_ARGUMENT : undefined;
  return { tag, ...result(submit(ctx, userOf(req), { kind: "force", tag, value: raw }, "local socket", refine)) };
}

function forcedList(ctx: ControlContext): unknown {
  const s = ctx.controller.state;
  return { mode: s.mode, forced: s.forced, outputs: ctx.controller.model.outputTags };
}

function setpoints(ctx: ControlContext): unknown {
  const s = ctx.controller.state;
  return ctx.config.setpoints.map((sp) => ({
    name: sp.name,
    description: sp.description,
    unit: sp.unit,
    value: s.setpoints[sp.name] ?? sp.value,
    configValue: sp.value,
    min: sp.min,
    max: sp.max,
  }));
}

function setpointSet(ctx: ControlContext, req: ControlRequest): unknown {
  const name = str(req, "name");
  const value = num(req, "value");
  const unit = ctx.config.setpoints.find((s) => s.name === name)?.unit ?? "";
  return { name, unit, ...result(submit(ctx, userOf(req), { kind: "setpoint", name, value })) };
}

/** The alarms as a person reads them; without `all`, only those not Normal. */
export function alarmViews(ctx: ControlContext, all: boolean) {
  const s = ctx.controller.state.alarms;
  return ctx.controller.model.alarmDefs
    .map((d) => {
      const r = s.alarms[d.name];
      if (!r) return null;
      const state = displayState(r);
      return {
        name: d.name,
        message: d.message ?? d.name,
        priority: priorityName(d.priority),
        state,
        active: r.active,
        since: wallIso(ctx, r.activeSince),
        value: r.value,
        shelved: r.shelved ? { by: r.shelved.by, until: wallIso(ctx, r.shelved.until) } : null,
        firstOut: r.firstOut,
        shelvable: d.shelvable !== false,
      };
    })
    .filter((a): a is NonNullable<typeof a> => a !== null && (all || a.state !== "Normal" || a.active));
}

function alarmAction(ctx: ControlContext, req: ControlRequest, action: "acknowledge" | "unshelve"): unknown {
  const alarm = str(req, "alarm");
  const comment = optStr(req, "comment");
  const r = submit(ctx, userOf(req), { kind: "alarm", action, alarm, ...(comment !== undefined ? { comment } : {}) });
  return { alarm, message: r.message };
}

function shelve(ctx: ControlContext, req: ControlRequest): unknown {
  const alarm = str(req, "alarm");
  const duration = optNum(req, "duration");
  const oneShot = optBool(req, "oneShot");
  const comment = optStr(req, "comment");
  const command: CoreCommand = {
    kind: "alarm",
    action: "shelve",
    alarm,
    ...(duration !== undefined ? { duration } : {}),
    ...(oneShot !== undefined ? { oneShot } : {}),
    ...(comment !== undefined ? { comment } : {}),
  };
  const r = submit(ctx, userOf(req), command, "local socket", (m) => (/shelved for at most|must be positive/.test(m) ? ERROR_CODES.OUT_OF_RANGE : undefined));
  return { alarm, message: r.message };
}

export function intakeHandlers(ctx: ControlContext): Array<[string, ControlHandler]> {
  return [
    ["state", (req) => packml(ctx, req)],
    ["divert.reset", (req) => result(submit(ctx, userOf(req), { kind: "reset-divert" }))],
    ["mode", (req) => mode(ctx, req)],
    ["io.force", (req) => force(ctx, req)],
    ["io.unforce", (req) => ({ tag: str(req, "tag"), ...result(submit(ctx, userOf(req), { kind: "unforce", tag: str(req, "tag") })) })],
    ["io.list", () => forcedList(ctx)],
    ["setpoint.get", () => setpoints(ctx)],
    ["setpoint.set", (req) => setpointSet(ctx, req)],
    ["alarms.list", (req) => alarmViews(ctx, optBool(req, "all") ?? false)],
    ["alarms.ack", (req) => alarmAction(ctx, req, "acknowledge")],
    ["alarms.unshelve", (req) => alarmAction(ctx, req, "unshelve")],
    ["alarms.shelve", (req) => shelve(ctx, req)],
  ];
}
