// The poll planner: the read requests each line makes per poll group, coalesced per device,
// and whether they fit the line's time budget (REFERENCE-SKID.md: "the poll plan must fit
// each line's budget and say so when it does not").
import type { Config, DeviceConfig, LineConfig, ModbusSource } from "../../config/schema.js";
import { formatDuration } from "../../config/units.js";
import { describeSource, sourceSpan } from "./codec.js";

export type ReadFc = 1 | 2 | 3 | 4;
export type PlanPath = (string | number)[];

/** Modbus application protocol v1.1b3 §6.1–6.4: the most one read request may ask for. */
export const PROTOCOL_MAX_REGISTERS = 125;
export const PROTOCOL_MAX_BITS = 2000;

/** One thing a block carries: a tag's value, or the status word that qualifies it. */
export interface BlockItem {
  tag: string;
  /** From the block's first address. */
  offset: number;
  /** Registers (or bits) of this item. */
  count: number;
  role: "value" | "status";
}

export interface ReadBlock {
  line: string;
  device: string;
  unit: number;
  fc: ReadFc;
  address: number;
  count: number;
  /** Poll period of the group (ms). */
  period: number;
  tags: BlockItem[];
}

export interface DevicePlan {
  device: string;
  unit: number;
  blocks: ReadBlock[];
}

export interface GroupPlan {
  period: number;
  devices: DevicePlan[];
}

export interface LinePlan {
  line: string;
  type: LineConfig["type"];
  groups: GroupPlan[];
}

export interface PlanProblem {
  path: PlanPath;
  message: string;
}

export interface PollPlan {
  lines: LinePlan[];
  /** Values a device cannot serve in one request (wider than its maxRegisters); planned anyway. */
  problems: PlanProblem[];
}

export interface PlanOptions {
  /** false: one request per value (what a driver without a planner does); for comparisons. */
  coalesce?: boolean;
}

const TABLE_FC: Record<ModbusSource["table"], ReadFc> = { coil: 1, discrete: 2, holding: 3, input: 4 };

interface Item extends Omit<BlockItem, "offset"> {
  start: number;
  end: number; // exclusive
  path: PlanPath;
}

interface Bucket {
  lineIdx: number;
  deviceIdx: number;
  period: number;
  table: ModbusSource["table"];
  fc: ReadFc;
  items: Item[];
}

/** A run of overlapping items: always read together, so a value is never split across blocks. */
interface Atom {
  start: number;
  end: number;
  items: Item[];
}

function capOf(device: DeviceConfig, fc: ReadFc): number {
  return fc <= 2 ? Math.min(device.maxBits, PROTOCOL_MAX_BITS) : Math.min(device.maxRegisters, PROTOCOL_MAX_REGISTERS);
}

function bucketsOf(config: Config): Bucket[] {
  const deviceIdx = new Map(config.devices.map((d, i) => [d.name, i]));
  const lineIdx = new Map(config.lines.map((l, i) => [l.name, i]));
  const buckets = new Map<string, Bucket>();
  const add = (li: number, di: number, period: number, table: ModbusSource["table"], item: Item): void => {
    const fc = TABLE_FC[table];
    const key = `${li}/${di}/${period}/${fc}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { lineIdx: li, deviceIdx: di, period, table, fc, items: [] }));
    b.items.push(item);
  };
  config.tags.forEach((t, i) => {
    const m = t.modbus;
    if (!m) return;
    // Unknown devices and lines are the semantic check's to report; they have nothing to plan.
    const di = deviceIdx.get(m.device);
    const li = di === undefined ? undefined : lineIdx.get((config.devices[di] as DeviceConfig).line);
    if (di === undefined || li === undefined) return;
    const span = sourceSpan(m);
    const path = ["tags", i, "modbus"];
    add(li, di, m.poll, m.table, { tag: t.name, role: "value", start: m.address, end: m.address + span, count: span, path });
    if (m.status) {
      const s = m.status.address;
      add(li, di, m.poll, m.status.table, { tag: t.name, role: "status", start: s, end: s + 1, count: 1, path: [...path, "status"] });
    }
  });
  return [...buckets.values()].sort((a, b) => a.lineIdx - b.lineIdx || a.period - b.period || a.deviceIdx - b.deviceIdx || a.fc - b.fc);
}

function atomsOf(items: Item[]): Atom[] {
  const sorted = [...items].sort(
    (a, b) => a.start - b.start || a.end - b.end || a.role.localeCompare(b.role) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0),
  );
  const atoms: Atom[] = [];
  for (const it of sorted) {
    const last = atoms[atoms.length - 1];
    if (last && it.start < last.end) {
      last.end = Math.max(last.end, it.end);
      last.items.push(it);
    } else atoms.push({ start: it.start, end: it.end, items: [it] });
  }
  return atoms;
}

/**
 * Greedy left-to-right: extend the block while the gap of unused addresses is ≤ maxGap and
 * the block stays within the cap. Both conditions hold for every contiguous sub-run of a valid
 * run of disjoint atoms, so the greedy partition has the fewest requests (exchange argument;
 * tests/field/modbus/planner.test.ts checks it against brute force).
 */
function coalesce(atoms: Atom[], maxGap: number, cap: number, merge: boolean): Atom[][] {
  const runs: Atom[][] = [];
  let run: Atom[] = [];
  for (const a of atoms) {
    const first = run[0];
    const last = run[run.length - 1];
    if (merge && first && last && a.start - last.end <= maxGap && a.end - first.start <= cap) run.push(a);
    else {
      if (run.length > 0) runs.push(run);
      run = [a];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Plans every Modbus read of the config. Deterministic: the same config in any tag order gives the same plan. */
export function planPoll(config: Config, opts: PlanOptions = {}): PollPlan {
  const problems: PlanProblem[] = [];
  const lines = new Map<number, LinePlan>();
  for (const b of bucketsOf(config)) {
    const line = config.lines[b.lineIdx] as LineConfig;
    const device = config.devices[b.deviceIdx] as DeviceConfig;
    let lp = lines.get(b.lineIdx);
    if (!lp) lines.set(b.lineIdx, (lp = { line: line.name, type: line.type, groups: [] }));
    let gp = lp.groups[lp.groups.length - 1];
    if (gp?.period !== b.period) lp.groups.push((gp = { period: b.period, devices: [] }));
    let dp = gp.devices[gp.devices.length - 1];
    if (dp?.device !== device.name) gp.devices.push((dp = { device: device.name, unit: device.unit, blocks: [] }));

    const cap = capOf(device, b.fc);
    const atoms = atomsOf(b.items);
    for (const a of atoms) {
      if (a.end - a.start <= cap) continue;
      const what = b.fc <= 2 ? "maxBits" : "maxRegisters";
      const src = { device: device.name, table: b.table, address: a.start };
      problems.push({
        path: (a.items[0] as Item).path,
        message: `${describeSource(src)}: ${a.items.map((i) => i.tag).join(", ")} need ${a.end - a.start} in one request, but ${device.name} allows ${what} ${cap}`,
      });
    }
    for (const run of coalesce(atoms, device.maxGap, cap, opts.coalesce !== false)) {
      const start = (run[0] as Atom).start;
      const end = (run[run.length - 1] as Atom).end;
      const tags = run.flatMap((a) => a.items.map(({ tag, start: s, count, role }) => ({ tag, offset: s - start, count, role })));
      dp.blocks.push({ line: line.name, device: device.name, unit: device.unit, fc: b.fc, address: start, count: end - start, period: b.period, tags });
    }
  }
  return { lines: [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, lp]) => lp), problems };
}

/** Every block of a plan, line by line, group by group. */
export function planBlocks(plan: PollPlan): ReadBlock[] {
  return plan.lines.flatMap((l) => l.groups.flatMap((g) => g.devices.flatMap((d) => d.blocks)));
}

export interface BudgetOptions {
  /** RTU: time a device takes between the end of a request and the start of its answer (ms). */
  turnaroundMs?: number;
  /** TCP: assumed time from request to answer when none was measured (ms). */
  tcpResponseMs?: number;
  /** TCP lines have no budget in the config; the share of time they may use. */
  tcpBudget?: number;
}

const DEFAULTS: Required<BudgetOptions> = { turnaroundMs: 5, tcpResponseMs: 5, tcpBudget: 0.7 };

export interface GroupLoad {
  period: number;
  /** Requests in one cycle of the group. */
  requests: number;
  /** Line time one cycle of the group takes (ms). */
  cycleMs: number;
  /** Share of the line's time this group uses (0..). */
  utilization: number;
}

export interface LineBudget {
  line: string;
  type: LineConfig["type"];
  groups: GroupLoad[];
  requestsPerSecond: number;
  /** Share of the line's time the plan needs: 1 = every millisecond busy. */
  utilization: number;
  budget: number;
  fits: boolean;
  /** Whether the request times came from measurements rather than the estimate. */
  measured: boolean;
}

/** Bits on the wire per character: start + data + parity + stop. */
export function bitsPerChar(line: Extract<LineConfig, { type: "rtu" }>): number {
  return 1 + line.dataBits + (line.parity === "none" ? 0 : 1) + line.stopBits;
}

/**
 * Estimated RTU transaction time (ms): request + response frames, the 3.5-character silence
 * after each, and the device's turnaround. Modbus over serial line v1.02 §2.5.1.1: above
 * 19200 baud the silence is a fixed 1.75 ms.
 */
export function rtuRequestMs(block: Pick<ReadBlock, "fc" | "count">, line: Extract<LineConfig, { type: "rtu" }>, turnaroundMs = DEFAULTS.turnaroundMs): number {
  const charMs = (bitsPerChar(line) * 1000) / line.baud;
  const request = 8; // unit, fc, address(2), quantity(2), CRC(2)
  const data = block.fc <= 2 ? Math.ceil(block.count / 8) : block.count * 2;
  const response = 5 + data; // unit, fc, byte count, data, CRC(2)
  const silenceMs = line.baud > 19200 ? 1.75 : 3.5 * charMs;
  return (request + response) * charMs + 2 * silenceMs + turnaroundMs;
}

/**
 * The load of each line under the plan. `measured` maps a line to its measured time per
 * request (ms), replacing the estimate. A TCP device answering maxInFlight requests at once
 * serves maxInFlight × 1000 / responseMs requests a second.
 */
export function lineBudgets(plan: PollPlan, config: Config, measured: Record<string, number> = {}, opts: BudgetOptions = {}): LineBudget[] {
  const o = { ...DEFAULTS, ...opts };
  const byName = new Map(config.lines.map((l) => [l.name, l]));
  return plan.lines.flatMap((lp): LineBudget[] => {
    const line = byName.get(lp.line);
    if (!line) return [];
    const m = measured[lp.line];
    const timeOf = (b: ReadBlock): number => {
      if (line.type === "rtu") return m ?? rtuRequestMs(b, line, o.turnaroundMs);
      return (m ?? o.tcpResponseMs) / line.maxInFlight;
    };
    const groups = lp.groups.map((g): GroupLoad => {
      const blocks = g.devices.flatMap((d) => d.blocks);
      const cycleMs = blocks.reduce((sum, b) => sum + timeOf(b), 0);
      return { period: g.period, requests: blocks.length, cycleMs, utilization: cycleMs / g.period };
    });
    const utilization = groups.reduce((s, g) => s + g.utilization, 0);
    const budget = line.type === "rtu" ? line.budget : o.tcpBudget;
    return [
      {
        line: lp.line,
        type: lp.type,
        groups,
        requestsPerSecond: groups.reduce((s, g) => s + (g.requests * 1000) / g.period, 0),
        utilization,
        budget,
        fits: utilization <= budget,
        measured: m !== undefined,
      },
    ];
  });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
}

// The period (rounded up to 10 ms) at which this group would bring the line within budget.
function slowEnough(g: GroupLoad, others: number, budget: number): number | undefined {
  if (others >= budget) return undefined;
  return Math.ceil(g.cycleMs / (budget - others) / 10) * 10;
}

function overBudgetMessage(b: LineBudget, line: LineConfig): string {
  const worst = b.groups.reduce((w, g) => (g.utilization > w.utilization ? g : w));
  const others = b.utilization - worst.utilization;
  const period = slowEnough(worst, others, b.budget);
  const slow =
    period !== undefined
      ? `slow poll group ${formatDuration(worst.period)} to ${formatDuration(period)} or more`
      : `slowing poll group ${formatDuration(worst.period)} alone is not enough (the other groups need ${pct(others)})`;
  const remedy = line.type === "rtu" ? "raise the baud rate or move devices to another line" : "raise maxInFlight if the device allows it";
  return (
    `line ${b.line} is over its poll budget by ${pct(b.utilization - b.budget)} of the line's time: the plan needs ${pct(b.utilization)}, ` +
    `the budget is ${pct(b.budget)}; poll group ${formatDuration(worst.period)} uses the most ` +
    `(${worst.requests} requests a cycle, ${pct(worst.utilization)}): ${slow}, or ${remedy}`
  );
}

/** Problems of the poll plan, for config checking: lines over budget and values a device cannot serve. */
export function budgetProblems(config: Config, measured: Record<string, number> = {}, opts: BudgetOptions = {}): PlanProblem[] {
  const plan = planPoll(config);
  const over = lineBudgets(plan, config, measured, opts).flatMap((b): PlanProblem[] => {
    const i = config.lines.findIndex((l) => l.name === b.line);
    const line = config.lines[i];
    if (b.fits || !line) return [];
    return [{ path: line.type === "rtu" ? ["lines", i, "budget"] : ["lines", i], message: overBudgetMessage(b, line) }];
  });
  return [...plan.problems, ...over];
}

export { formatPlan } from "./plan-report.js";
