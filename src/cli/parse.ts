// Parsers for command-line values. A wrong type ("fast" for a number, "10" for a duration)
// is a usage error (exit 2) caught here, before anything is sent to the controller.
import { InvalidArgumentError } from "commander";
import { parseDuration } from "../config/units.js";

export function number(text: string): number {
  const v = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(v)) throw new InvalidArgumentError(`"${text}" is not a number`);
  return v;
}

export function integer(text: string): number {
  const v = number(text);
  if (!Number.isInteger(v)) throw new InvalidArgumentError(`"${text}" is not a whole number`);
  return v;
}

/** "10m", "90s", "1h": a duration with its unit, as everywhere in Reclaim (STYLE.md 3). */
export function duration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new InvalidArgumentError(`"${text}" is not a duration: write it with its unit, such as 90s, 10m or 2h`);
  return ms;
}

/** A forced output's value: true/false (on/off) for a bool, a number for an analog output. */
export function outputValue(text: string): boolean | number {
  const t = text.trim().toLowerCase();
  if (t === "true" || t === "on") return true;
  if (t === "false" || t === "off") return false;
  const v = Number(t);
  if (t === "" || !Number.isFinite(v)) throw new InvalidArgumentError(`"${text}" is neither true/false (on/off) nor a number`);
  return v;
}

/** "5", "1-16", "1..16": a range of Modbus unit ids. */
export function unitRange(text: string): { from: number; to: number } {
  const m = /^(\d+)(?:\s*(?:-|\.\.)\s*(\d+))?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a unit id or a range such as 1-16`);
  const from = Number(m[1]);
  return { from, to: m[2] === undefined ? from : Number(m[2]) };
}

/** Comma-separated names, each once. */
export function names(text: string): string[] {
  const list = [...new Set(text.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
  if (list.length === 0) throw new InvalidArgumentError("name at least one");
  return list;
}

/**
 * A point in time: "now", "today", "yesterday" (local midnight), an ISO date or date-time
 * (local time unless it carries Z or an offset), or "now-2h" / "-2h" (a duration ago).
 */
export function parseTime(text: string, now = Date.now()): number {
  const t = text.trim();
  if (t === "now") return now;
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  if (t === "today") return midnight.getTime();
  if (t === "yesterday") return midnight.getTime() - 86_400_000;
  const rel = /^(?:now)?-(.+)$/.exec(t);
  if (rel?.[1]) {
    const ms = parseDuration(rel[1]);
    if (ms !== undefined) return now - ms;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const [y, m, d] = t.split("-").map(Number) as [number, number, number];
    return new Date(y, m - 1, d).getTime();
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t)) {
    const v = Date.parse(t.replace(" ", "T"));
    if (Number.isFinite(v)) return v;
  }
  throw new InvalidArgumentError(`"${text}" is not a time: use now, today, yesterday, -2h, 2025-11-28 or 2025-11-28T14:00`);
}

export function time(text: string): number {
  return parseTime(text);
}

export interface RangeOpts {
  from?: number;
  to?: number;
  last?: number;
}

/** The period of --from/--to/--last; `defaultLast` when none is given. */
export function period(o: RangeOpts, defaultLast: number, now = Date.now()): { from: number; to: number } {
  const to = o.to ?? now;
  const from = o.from ?? to - (o.last ?? defaultLast);
  if (!(from < to)) throw new InvalidArgumentError(`the period must start before it ends (from ${new Date(from).toISOString()} to ${new Date(to).toISOString()})`);
  return { from, to };
}
