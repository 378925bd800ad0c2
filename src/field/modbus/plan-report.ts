// The poll plan as a person reads it (`reclaim devices plan`): per line, the load of each
// poll group, then every request with the tags it carries.
import { formatDuration } from "../../config/units.js";
import type { LineBudget, PollPlan, ReadBlock } from "./planner.js";
import { describeRequest } from "./transport.js";

const MAX_TAGS_SHOWN = 6;

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows.map((r) => indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  ").trimEnd());
}

function ms(x: number): string {
  return `${x.toFixed(x < 10 ? 1 : 0)} ms`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function blockLine(b: ReadBlock): string {
  const values = b.tags.filter((t) => t.role === "value").map((t) => t.tag);
  const statuses = b.tags.length - values.length;
  const shown = values.slice(0, MAX_TAGS_SHOWN).join(", ") + (values.length > MAX_TAGS_SHOWN ? `, +${values.length - MAX_TAGS_SHOWN} more` : "");
  const status = statuses > 0 ? ` (+${statuses} status word${statuses > 1 ? "s" : ""})` : "";
  return `${b.device} unit ${b.unit} ${describeRequest({ fc: b.fc, unit: b.unit, address: b.address, count: b.count })}: ${shown || "-"}${status}`;
}

/** A human table of the plan and its load; budgets from lineBudgets(). */
export function formatPlan(plan: PollPlan, budgets: readonly LineBudget[]): string {
  const out: string[] = [];
  for (const lp of plan.lines) {
    const b = budgets.find((x) => x.line === lp.line);
    const verdict = b ? `${pct(b.utilization)} (budget ${pct(b.budget)}): ${b.fits ? "fits" : "OVER BUDGET"}` : "no budget";
    const rps = b ? `, ${b.requestsPerSecond.toFixed(1)} requests/s` : "";
    out.push(`line ${lp.line} (${lp.type}${b?.measured ? ", measured" : ", estimated"})${rps}, utilization ${verdict}`);
    const rows = [["poll group", "devices", "requests/cycle", "line time/cycle", "utilization"]];
    for (const g of lp.groups) {
      const load = b?.groups.find((x) => x.period === g.period);
      const requests = g.devices.reduce((n, d) => n + d.blocks.length, 0);
      rows.push([formatDuration(g.period), String(g.devices.length), String(requests), load ? ms(load.cycleMs) : "?", load ? pct(load.utilization) : "?"]);
    }
    out.push(...table(rows, "  "));
    for (const g of lp.groups) {
      out.push(`  every ${formatDuration(g.period)}:`);
      for (const d of g.devices) for (const blk of d.blocks) out.push(`    ${blockLine(blk)}`);
    }
  }
  for (const p of plan.problems) out.push(`problem: ${p.message}`);
  return out.join("\n");
}
