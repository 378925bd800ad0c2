// Checks that the schema alone cannot make: references between parts of the config,
// limits that contradict each other, and the CCP transport-time budget.
import { buildModel } from "../core/model.js";
import { budgetProblems } from "../field/modbus/planner.js";
import type { Config, TagConfig } from "./schema.js";
import { formatDuration } from "./units.js";

export interface SemanticProblem {
  path: (string | number)[];
  message: string;
}

/** The verification period may never be shorter than this (REFERENCE-SKID.md). */
export const MIN_VERIFICATION_MS = 60_000;

type Check = (c: Config) => SemanticProblem[];

function duplicates<T>(items: readonly T[], key: (t: T) => string, path: string, what: string): SemanticProblem[] {
  const seen = new Set<string>();
  const out: SemanticProblem[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) out.push({ path: [path, i, "name"], message: `duplicate ${what} "${k}"` });
    seen.add(k);
  });
  return out;
}

const uniqueNames: Check = (c) => [
  ...duplicates(c.lines, (l) => l.name, "lines", "line"),
  ...duplicates(c.devices, (d) => d.name, "devices", "device"),
  ...duplicates(c.tags, (t) => t.name, "tags", "tag"),
  ...duplicates(c.quality.ccps, (p) => p.name, "quality.ccps", "CCP"),
];

const references: Check = (c) => {
  const out: SemanticProblem[] = [];
  const lines = new Set(c.lines.map((l) => l.name));
  const devices = new Set(c.devices.map((d) => d.name));
  const tags = new Set(c.tags.map((t) => t.name));
  c.devices.forEach((d, i) => {
    if (!lines.has(d.line)) out.push({ path: ["devices", i, "line"], message: `unknown line "${d.line}"` });
  });
  c.tags.forEach((t, i) => {
    if (t.modbus && !devices.has(t.modbus.device))
      out.push({ path: ["tags", i, "modbus", "device"], message: `unknown device "${t.modbus.device}"` });
  });
  const q = c.quality;
  for (const key of ["valve", "reuseFeedback", "divertFeedback", "permissive", "flowTag", "flowBackup"] as const) {
    const ref = q[key];
    if (ref !== undefined && !tags.has(ref)) out.push({ path: ["quality", key], message: `unknown tag "${ref}"` });
  }
  q.ccps.forEach((p, i) => {
    if (!tags.has(p.tag)) out.push({ path: ["quality", "ccps", i, "tag"], message: `unknown tag "${p.tag}"` });
  });
  return out;
};

const duplicateAddresses: Check = (c) => {
  const out: SemanticProblem[] = [];
  const seen = new Map<string, string>();
  c.tags.forEach((t, i) => {
    const m = t.modbus;
    if (!m) return;
    const key = `${m.device}/${m.table}/${m.address}/${m.bit ?? "-"}`;
    const other = seen.get(key);
    if (other) out.push({ path: ["tags", i, "modbus", "address"], message: `same ${m.table} address ${m.address} as tag "${other}"` });
    else seen.set(key, t.name);
  });
  return out;
};

/** Alert limits must sit inside the critical limits: the alert warns before the divert. */
const limitOrder: Check = (c) => {
  const out: SemanticProblem[] = [];
  c.quality.ccps.forEach((p, i) => {
    const at = ["quality", "ccps", i, "alert"];
    if (p.alert.high !== undefined && p.critical.high !== undefined && p.alert.high > p.critical.high)
      out.push({ path: [...at, "high"], message: `alert limit ${p.alert.high} is beyond the critical limit ${p.critical.high}` });
    if (p.alert.low !== undefined && p.critical.low !== undefined && p.alert.low < p.critical.low)
      out.push({ path: [...at, "low"], message: `alert limit ${p.alert.low} is beyond the critical limit ${p.critical.low}` });
  });
  return out;
};

const verification: Check = (c) =>
  c.quality.verification < MIN_VERIFICATION_MS
    ? [{ path: ["quality", "verification"], message: `verification period ${formatDuration(c.quality.verification)} is below the minimum of 60s` }]
    : [];

/** The poll period that bounds how stale a tag's value can be (derived tags: their slowest input). */
export function pollPeriodOf(c: Config, tag: TagConfig, seen = new Set<string>()): number {
  if (tag.modbus) return tag.modbus.poll;
  if (tag.gpio || !tag.expr || seen.has(tag.name)) return 0;
  seen.add(tag.name);
  const names = tag.expr.match(/[A-Za-z][A-Za-z0-9_.-]*/g) ?? [];
  let worst = 0;
  for (const n of names) {
    const input = c.tags.find((t) => t.name === n);
    if (input) worst = Math.max(worst, pollPeriodOf(c, input, seen));
  }
  return worst;
}

export interface CcpBudget {
  ccp: string;
  transportMs: number;
  reactionMs: number;
  parts: { response: number; poll: number; scan: number; delay: number; travel: number };
}

/** Analyzer response + poll + scan + CCP delay + valve travel, against the transport time to the valve. */
export function ccpBudgets(c: Config): CcpBudget[] {
  return c.quality.ccps.map((p) => {
    const tag = c.tags.find((t) => t.name === p.tag);
    const parts = {
      response: p.response,
      poll: tag ? pollPeriodOf(c, tag) : 0,
      scan: c.skid.scanPeriod,
      delay: p.delay,
      travel: c.quality.travel,
    };
    const reactionMs = parts.response + parts.poll + parts.scan + parts.delay + parts.travel;
    const transportMs = (p.transportVolume / c.quality.designFlow) * 3_600_000;
    return { ccp: p.name, transportMs, reactionMs, parts };
  });
}

const transportBudget: Check = (c) =>
  ccpBudgets(c).flatMap((b, i) =>
    b.reactionMs < b.transportMs
      ? []
      : [
          {
            path: ["quality", "ccps", i, "delay"],
            message:
              `${b.ccp} cannot divert in time: response ${formatDuration(b.parts.response)} + poll ${formatDuration(b.parts.poll)} + ` +
              `scan ${formatDuration(b.parts.scan)} + delay ${formatDuration(b.parts.delay)} + valve travel ${formatDuration(b.parts.travel)} = ` +
              `${(b.reactionMs / 1000).toFixed(1)} s, but water reaches the valve in ${(b.transportMs / 1000).toFixed(1)} s at the design flow`,
          },
        ],
  );

/** The poll plan must fit each line's time budget (and every value fit one request). */
const pollBudget: Check = (c) => budgetProblems(c);

/** Every expression parses and names only what exists; outputs, sequences and alarms fit together. */
const coreModel: Check = (c) => {
  const r = buildModel(c);
  return r.ok ? [] : r.problems;
};

const CHECKS: Check[] = [uniqueNames, references, duplicateAddresses, limitOrder, verification, transportBudget, pollBudget, coreModel];

export function semanticProblems(c: Config): SemanticProblem[] {
  return CHECKS.flatMap((check) => check(c));
}
