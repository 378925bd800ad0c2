// The status as a person reads it at the skid: state, quality and operating mode, anything
// forced (always shown, so a force is never out of sight), the config version and a pending
// confirmation, CCPs with their limits (and trend lines when watching), alarms and devices.
import type { StatusSnapshot } from "../runtime/status.js";
import { localTime, table, valueText } from "./format.js";
import { sparkline, type TrendWindow } from "./sparkline.js";

interface Limit {
  high?: number;
  low?: number;
}

export interface AlarmView {
  name: string;
  message: string;
  priority: string;
  state: string;
  active: boolean;
  since: string | null;
  value: number | null;
  shelved: { by: string; until: string | null } | null;
  firstOut: boolean;
}

/** What the controller's "status" answers: the runtime snapshot and the control socket's additions. */
export interface ControllerStatus extends Omit<StatusSnapshot, "ccps" | "alarms"> {
  ccps: Record<string, StatusSnapshot["ccps"][string] & { unit?: string; alert?: Limit; critical?: Limit }>;
  alarms: AlarmView[];
  mode?: string;
  forced?: Record<string, boolean | number | string | null>;
  config?: {
    file: string | null;
    sha256: string | null;
    version: number | null;
    pending: { version: number; rollbackTo: number; deadline: number; user: string } | null;
  };
}

export function limitText(l: Limit | undefined): string {
  if (!l) return "";
  if (l.low !== undefined && l.high !== undefined) return `${l.low}..${l.high}`;
  if (l.high !== undefined) return `≤ ${l.high}`;
  if (l.low !== undefined) return `≥ ${l.low}`;
  return "";
}

export function forcedLine(forced: ControllerStatus["forced"]): string | null {
  const entries = Object.entries(forced ?? {});
  if (entries.length === 0) return null;
  return `FORCED (maintenance): ${entries.map(([t, v]) => `${t} = ${String(v)}`).join(", ")}`;
}

function header(s: ControllerStatus): string[] {
  const lines = [`skid ${s.skid}   state ${s.state}   quality ${s.qualityMode}   mode ${s.mode ?? "?"}${s.divert.cause ? `   (divert: ${s.divert.cause})` : ""}`];
  if (s.divert.firstOut) lines.push(`first-out: ${s.divert.firstOut}`);
  if (s.divert.verificationRemainingS !== null) {
    const flushed = s.divert.flushNeededM3 !== undefined ? `, pipes flushed ${(s.divert.flushedM3 ?? 0).toFixed(2)} of ${s.divert.flushNeededM3} m³` : "";
    lines.push(`verification: ${Math.ceil(s.divert.verificationRemainingS)} s to go${flushed}`);
  }
  const forced = forcedLine(s.forced);
  if (forced) lines.push(forced);
  const c = s.config;
  if (c?.sha256) lines.push(`config: version ${c.version ?? "?"} (sha256 ${c.sha256.slice(0, 12)})`);
  if (c?.pending) {
    lines.push(`config version ${c.pending.version} awaits confirmation until ${localTime(c.pending.deadline)}: 'reclaim config confirm' keeps it, else it rolls back to version ${c.pending.rollbackTo}`);
  }
  return lines;
}

function ccpRows(s: ControllerStatus, trends?: TrendWindow): string[] {
  const head = ["CCP", "status", "tag", "value", "critical", "alert"];
  if (trends) head.push(`trend (last ${trends.length})`, "range");
  const rows = [head];
  for (const [name, c] of Object.entries(s.ccps)) {
    const row = [name, c.status, c.tag, valueText(c.value, c.unit), limitText(c.critical), limitText(c.alert)];
    if (trends) row.push(sparkline(trends.values(name)).padEnd(trends.length), trends.range(name));
    rows.push(row);
  }
  const out = table(rows);
  for (const [name, c] of Object.entries(s.ccps)) if (c.reason) out.push(`  ${name}: ${c.reason}`);
  return out;
}

function alarmRows(alarms: readonly AlarmView[]): string[] {
  if (alarms.length === 0) return ["alarms: none"];
  return [`alarms (${alarms.length}):`, ...table(alarms.map((a) => ["", a.priority, a.name, a.state, a.message])).map((l) => `  ${l.trimStart()}`)];
}

function deviceRows(s: ControllerStatus): string[] {
  const rows = [["device", "status", "response", "errors", "last error"]];
  for (const [name, d] of Object.entries(s.devices)) {
    rows.push([name, d.status, d.responseMs === null ? "—" : `${d.responseMs} ms`, String(d.errorCount), d.status === "online" ? "" : (d.lastError ?? "")]);
  }
  return table(rows, [2, 3]);
}

export function formatStatus(s: ControllerStatus, trends?: TrendWindow): string {
  const lines = [...header(s), "", ...ccpRows(s, trends), "", ...alarmRows(s.alarms ?? []), "", ...deviceRows(s)];
  return `${lines.join("\n")}\n`;
}
