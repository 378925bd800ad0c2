// What a config change would change, for `reclaim config diff` and `apply`: added, removed
// and changed keys, list items matched by name (tags, devices, CCPs, …), and for each change
// whether it goes live or needs a controlled restart.
//
// The rule (README "For technicians"): a setpoint's value goes live through the command
// intake, like `reclaim setpoint set`; everything else restarts the controller in-process.
// CCP limits restart on purpose: they are safety-relevant, and a restart puts the product on
// divert until every CCP has been verified against the new limits, so no value judged under
// the old limit ever counts toward the new one.
import type { Config } from "./schema.js";

export type Applies = "live" | "restart";

export interface ConfigChange {
  /** "tags[AIT-403].modbus.poll", "quality.ccps[CCP-1].critical.high". */
  path: string;
  /** The top-level key it belongs to. */
  section: string;
  kind: "added" | "removed" | "changed";
  /** As written in the YAML where it was written, else the validated value. */
  old?: unknown;
  new?: unknown;
  applies: Applies;
  why: string;
}

export interface ConfigDiff {
  changes: ConfigChange[];
  /** Whether applying it restarts the controller. */
  restart: boolean;
}

type Seg = { key: string } | { name: string };

/** Lists whose items are matched by a name (so that reordering is not a change). */
const NAMED: Record<string, string> = {
  lines: "name",
  devices: "name",
  tags: "name",
  setpoints: "name",
  alarms: "name",
  protection: "name",
  sequences: "name",
  outputs: "tag",
  "quality.ccps": "name",
};

const WHY: Record<string, string> = {
  lines: "field I/O is built at start",
  devices: "field I/O and the poll plan are built at start",
  tags: "the tag table, poll plan and address space are built at start",
  quality: "safety-relevant: a restart re-verifies every CCP from divert",
  opcua: "the OPC UA server is built at start",
  store: "the store is opened at start",
  control: "the control socket is opened at start",
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function pathText(segs: readonly Seg[]): string {
  return segs.reduce<string>((acc, s) => ("name" in s ? `${acc}[${s.name}]` : acc ? `${acc}.${s.key}` : s.key), "");
}

/** The key path without item names: "quality.ccps" for quality.ccps[CCP-1]. */
function shape(segs: readonly Seg[]): string {
  return segs.filter((s): s is { key: string } => "key" in s).map((s) => s.key).join(".");
}

/** The value at a path in the YAML as written (undefined where the file relies on a default). */
function rawAt(root: unknown, segs: readonly Seg[], keyField: (shape: string) => string | undefined): unknown {
  let node = root;
  const seen: Seg[] = [];
  for (const s of segs) {
    if ("key" in s) node = isObject(node) ? node[s.key] : undefined;
    else {
      const field = keyField(shape(seen)) ?? "name";
      node = Array.isArray(node) ? node.find((item) => isObject(item) && item[field] === s.name) : undefined;
    }
    seen.push(s);
    if (node === undefined) return undefined;
  }
  return node;
}

function classify(segs: readonly Seg[]): { applies: Applies; why: string } {
  const first = segs[0];
  const section = first && "key" in first ? first.key : "";
  const last = segs[segs.length - 1];
  if (section === "setpoints" && segs.length === 3 && last && "key" in last && last.key === "value") {
    return { applies: "live", why: "setpoint value, set through the command intake" };
  }
  return { applies: "restart", why: WHY[section] ?? "built at start" };
}

/** Differences between two validated configs; `raw` are the YAML documents, for display. */
export function diffConfigs(before: Config, after: Config, raw: { before?: unknown; after?: unknown } = {}): ConfigDiff {
  const changes: ConfigChange[] = [];
  const keyField = (s: string): string | undefined => NAMED[s];
  const shown = (which: "before" | "after", segs: readonly Seg[], parsed: unknown): unknown => {
    const r = rawAt(raw[which], segs, keyField);
    return r === undefined ? parsed : r;
  };
  const push = (segs: readonly Seg[], kind: ConfigChange["kind"], a: unknown, b: unknown): void => {
    const first = segs[0];
    const change: ConfigChange = { path: pathText(segs), section: first && "key" in first ? first.key : "", kind, ...classify(segs) };
    if (kind !== "added") change.old = shown("before", segs, a);
    if (kind !== "removed") change.new = shown("after", segs, b);
    // Adding or removing a setpoint is not a value change: it changes the model.
    if (kind !== "changed") Object.assign(change, { applies: "restart", why: "adds or removes an item; the model is built at start" });
    changes.push(change);
  };
  const walk = (segs: Seg[], a: unknown, b: unknown): void => {
    if (deepEqual(a, b)) return;
    const field = NAMED[shape(segs)];
    if (field && Array.isArray(a) && Array.isArray(b)) {
      const nameOf = (x: unknown): string => (isObject(x) ? String(x[field]) : JSON.stringify(x));
      const before = new Map(a.map((x) => [nameOf(x), x]));
      const after = new Map(b.map((x) => [nameOf(x), x]));
      for (const [n, x] of before) {
        if (!after.has(n)) push([...segs, { name: n }], "removed", x, undefined);
        else walk([...segs, { name: n }], x, after.get(n));
      }
      for (const [n, x] of after) if (!before.has(n)) push([...segs, { name: n }], "added", undefined, x);
      return;
    }
    if (isObject(a) && isObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const next = [...segs, { key: k }];
        if (!(k in b) || b[k] === undefined) {
          if (a[k] !== undefined) push(next, "removed", a[k], undefined);
        } else if (!(k in a) || a[k] === undefined) push(next, "added", undefined, b[k]);
        else walk(next, a[k], b[k]);
      }
      return;
    }
    push(segs, "changed", a, b);
  };
  walk([], before, after);
  return { changes, restart: changes.some((c) => c.applies === "restart") };
}

/** The setpoint values a diff sets live: name → new value (validated numbers). */
export function liveSetpoints(diff: ConfigDiff, after: Config): Array<{ name: string; value: number }> {
  return diff.changes
    .filter((c) => c.applies === "live")
    .map((c) => /^setpoints\[(.+)\]\.value$/.exec(c.path)?.[1])
    .flatMap((name) => {
      const sp = after.setpoints.find((s) => s.name === name);
      return sp ? [{ name: sp.name, value: sp.value }] : [];
    });
}
