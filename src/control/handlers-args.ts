// Checks a control request's arguments before anything acts on them: the socket speaks JSON,
// so a wrong type is refused here with RECLAIM_E_BAD_ARGUMENT (exit 2) and nothing changes.
import { ERROR_CODES } from "../system/errors.js";
import { ControlError, type ControlRequest } from "./protocol.js";

export function badArgument(message: string): ControlError {
  return new ControlError(ERROR_CODES.BAD_ARGUMENT, message);
}

function args(req: ControlRequest): Record<string, unknown> {
  return req.args ?? {};
}

export function str(req: ControlRequest, key: string): string {
  const v = args(req)[key];
  if (typeof v !== "string" || v === "") throw badArgument(`"${key}" must be a non-empty string`);
  return v;
}

export function optStr(req: ControlRequest, key: string): string | undefined {
  const v = args(req)[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badArgument(`"${key}" must be a string`);
  return v;
}

export function num(req: ControlRequest, key: string): number {
  const v = args(req)[key];
  if (typeof v !== "number" || !Number.isFinite(v)) throw badArgument(`"${key}" must be a finite number`);
  return v;
}

export function optNum(req: ControlRequest, key: string): number | undefined {
  const v = args(req)[key];
  return v === undefined || v === null ? undefined : num(req, key);
}

export function optBool(req: ControlRequest, key: string): boolean | undefined {
  const v = args(req)[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw badArgument(`"${key}" must be true or false`);
  return v;
}

export function oneOf<T extends string>(req: ControlRequest, key: string, allowed: readonly T[]): T {
  const v = str(req, key);
  if (!(allowed as readonly string[]).includes(v)) throw badArgument(`"${key}" must be one of ${allowed.join(", ")}, not "${v}"`);
  return v as T;
}

/** The OS user the CLI ran as (client.ts sends it); "unknown" if a client left it out. */
export function userOf(req: ControlRequest): string {
  return typeof req.user === "string" && req.user.trim() !== "" ? req.user.trim() : "unknown";
}
