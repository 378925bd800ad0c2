// What SCADA may ask of the skid: the PackML commands and ResetDivert as Methods on the skid
// object, and writable Setpoints/. Every request is checked here (secured channel, role,
// type, range) and then handed to the core's command intake, which decides on role, state
// and range and writes the audit record; its refusal comes back as a StatusCode saying why.
import {
  DataType,
  StatusCodes,
  type DataValue,
  type ISessionContext,
  type MethodResult,
  type Namespace,
  type NumericRange,
  type StatusCode,
  type UAObject,
  type UAVariable,
  type Variant,
} from "node-opcua";
import type { Logger } from "../system/log.js";
import { authorize, callPermissions, callerOf, writePermissions, type Caller } from "./access.js";
import { addAnalog } from "./model.js";
import type { CommandIntake, CommandRefusal, OpcuaCommand, OpcuaSource, SetpointDef, Unsubscribable } from "./ports.js";
import type { UserRole } from "./users-file.js";

export interface CommandContext {
  intake: CommandIntake | undefined;
  roleOf: (user: string) => UserRole | undefined;
  log: Logger;
  /** How long the intake may take before the call is answered BadTimeout (ms). */
  timeoutMs: number;
}

export interface Outcome {
  statusCode: StatusCode;
  statusText?: string;
}

export function refusalStatus(code: CommandRefusal): StatusCode {
  switch (code) {
    case "role":
      return StatusCodes.BadUserAccessDenied;
    case "state":
      return StatusCodes.BadInvalidState;
    case "range":
      return StatusCodes.BadOutOfRange;
    case "unknown":
      return StatusCodes.BadNotSupported;
  }
}

/** Checks the caller, then submits to the intake; never throws. */
export async function submitCommand(ctx: CommandContext, caller: Caller, minRole: UserRole, command: OpcuaCommand, args: Record<string, unknown>): Promise<Outcome> {
  const allowed = authorize(caller, minRole);
  if (allowed.isNotGood()) return { statusCode: allowed, statusText: `${command} refused for ${caller.user} (${caller.role})` };
  if (!ctx.intake) return { statusCode: StatusCodes.BadNotImplemented, statusText: "the controller takes no commands over OPC UA" };
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ctx.timeoutMs);
    });
    const r = await Promise.race([ctx.intake.submit({ source: "opcua", user: caller.user, role: caller.role, command, args }), timeout]);
    if (r === "timeout") return { statusCode: StatusCodes.BadTimeout, statusText: `${command}: no answer from the controller in ${ctx.timeoutMs} ms` };
    if (r.ok) return { statusCode: StatusCodes.Good };
    return { statusCode: refusalStatus(r.code), statusText: r.message };
  } catch (err) {
    ctx.log.error({ err, command }, `OPC UA ${command}: command intake failed`);
    return { statusCode: StatusCodes.BadInternalError, statusText: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

const METHODS: ReadonlyArray<readonly [OpcuaCommand, string]> = [
  ["Reset", "PackML Reset: Stopped or Complete → Resetting → Idle"],
  ["Start", "PackML Start: Idle → Starting → Execute"],
  ["Stop", "PackML Stop"],
  ["Hold", "PackML Hold: Execute → Holding → Held"],
  ["Unhold", "PackML Unhold: Held → Unholding → Execute"],
  ["Suspend", "PackML Suspend: Execute → Suspending → Suspended"],
  ["Unsuspend", "PackML Unsuspend: Suspended → Unsuspending → Execute"],
  ["Abort", "PackML Abort"],
  ["Clear", "PackML Clear: Aborted → Clearing → Stopped"],
  ["ResetDivert", "Ask for the return to reuse: honoured once every CCP has been verified in spec"],
];

/** The command Methods on the skid object (NodeIds s=Start, s=ResetDivert, …). */
export function addCommandMethods(ns: Namespace, skid: UAObject, ctx: CommandContext): void {
  for (const [command, description] of METHODS) {
    const method = ns.addMethod(skid, {
      browseName: command,
      nodeId: `s=${command}`,
      description,
      inputArguments: [],
      outputArguments: [],
      rolePermissions: callPermissions("operator"),
    });
    method.bindMethod(async (_args: Variant[], context: ISessionContext): Promise<MethodResult> => {
      const o = await submitCommand(ctx, callerOf(context, ctx.roleOf), "operator", command, {});
      return { statusCode: o.statusCode, ...(o.statusText ? { statusText: o.statusText } : {}) };
    });
  }
}

const NUMERIC = new Set<DataType>([DataType.Double, DataType.Float, DataType.Int16, DataType.Int32, DataType.Int64, DataType.UInt16, DataType.UInt32, DataType.UInt64, DataType.Byte, DataType.SByte]);

type WriteCallback = (err: Error | null, statusCode?: StatusCode) => void;

/** Setpoints/<name>: writable analog items; a write goes through the intake, never straight to the value. */
export function addSetpoints(ns: Namespace, skid: UAObject, source: OpcuaSource, ctx: CommandContext): Unsubscribable[] {
  const folder = ns.addObject({ componentOf: skid, browseName: "Setpoints", nodeId: "s=Setpoints" });
  const nodes = new Map<string, UAVariable>();
  const defs: readonly SetpointDef[] = source.setpoints ?? [];
  for (const def of defs) {
    const node = addAnalog(ns, folder, { browseName: def.name, unit: def.unit, range: def.range, writable: true, ...(def.description ? { description: def.description } : {}) });
    node.setRolePermissions(writePermissions(def.role));
    const write = async (context: ISessionContext, dataValue: DataValue): Promise<StatusCode> => {
      const v = dataValue.value;
      if (!NUMERIC.has(v.dataType) || Array.isArray(v.value)) return StatusCodes.BadTypeMismatch;
      const value = Number(v.value);
      if (!Number.isFinite(value)) return StatusCodes.BadTypeMismatch;
      const caller = callerOf(context, ctx.roleOf);
      const allowed = authorize(caller, def.role);
      if (allowed.isNotGood()) return allowed;
      if (value < def.range[0] || value > def.range[1]) return StatusCodes.BadOutOfRange;
      const o = await submitCommand(ctx, caller, def.role, "setpoint", { name: def.name, value });
      // Shown at once; the source's setpoints$ confirms (or corrects) it.
      if (o.statusCode.isGood()) node.setValueFromSource({ dataType: DataType.Double, value });
      return o.statusCode;
    };
    // UAVariable.writeValue is called with a callback by the Write service and may be awaited
    // by in-process callers; both forms are kept.
    const writeValue = (context: ISessionContext, dataValue: DataValue, ...rest: unknown[]): Promise<StatusCode> | undefined => {
      const cb = rest.find((r): r is WriteCallback => typeof r === "function");
      const p = write(context, dataValue);
      if (!cb) return p;
      p.then((s) => cb(null, s), (err: unknown) => cb(err as Error));
      return undefined;
    };
    Object.assign(node, { writeValue: writeValue as (c: ISessionContext, d: DataValue, r?: NumericRange | null) => Promise<StatusCode> });
    nodes.set(def.name, node);
  }
  const setValues = (values: Record<string, number>): void => {
    for (const [name, value] of Object.entries(values)) nodes.get(name)?.setValueFromSource({ dataType: DataType.Double, value });
  };
  setValues(source.snapshot().setpoints ?? {});
  return source.setpoints$ ? [source.setpoints$.subscribe(setValues)] : [];
}
