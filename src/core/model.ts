// The config compiled for the core, once at load: every expression parsed and checked
// against the names it may use, derived tags in dependency order, alarms and sequences in
// the shapes the pure modules take. Problems come back with the config path they belong to.
import { tagSchema, type Config, type TagConfig } from "../config/schema.js";
import type { AlarmDef } from "./alarms.js";
import { compile, orderDerived, type Compiled, type ExprType } from "./expr/index.js";
import type { SequenceDef } from "./sequence.js";
import { PACKML_STATES } from "./packml.js";

export interface ModelProblem {
  path: (string | number)[];
  message: string;
}

/** Names an expression may use besides tags and setpoints. */
export const BUILTIN_NAMES: ReadonlyMap<string, ExprType> = new Map<string, ExprType>([
  ["state", "string"],
  ["mode", "string"],
  ["qualityMode", "string"],
]);

/** The system tag that says whether a device answers (for cause expressions like `not rio-1.online`). */
export function deviceOnlineTag(device: string): string {
  return `${device}.online`;
}

export interface CompiledProtection {
  index: number;
  cause: Compiled;
  clear: Compiled | null;
}

export interface CoreModel {
  config: Config;
  tagByName: ReadonlyMap<string, TagConfig>;
  /** Every name an expression may read, with its type. */
  names: ReadonlyMap<string, ExprType>;
  /** Derived tags in evaluation order. */
  derived: ReadonlyArray<{ name: string; expr: Compiled }>;
  outputs: ReadonlyArray<{ tag: string; expr: Compiled }>;
  protection: readonly CompiledProtection[];
  /** Configured alarms, protection-row alarms and the built-in ones, for alarmsStep. */
  alarmDefs: readonly AlarmDef[];
  /** The condition of each configured alarm. */
  alarmConditions: ReadonlyMap<string, Compiled>;
  sequences: readonly SequenceDef[];
  /** Every sequence condition text, compiled (sequences reference conditions by their text). */
  conditions: ReadonlyMap<string, Compiled>;
  /** Tags the controller writes (Modbus writable, GPIO outputs). */
  outputTags: readonly string[];
  devices: readonly string[];
  /** Measured (not derived) tags, for the per-scan quality check without a lookup per tag. */
  fieldTags: ReadonlyArray<readonly [string, TagConfig]>;
  /** The built-in alarms' names, precomputed because the scan fills them every period. */
  builtinAlarmNames: {
    ccps: ReadonlyArray<{ ccp: string; alert: string }>;
    devices: ReadonlyArray<{ alarm: string; onlineTag: string }>;
  };
}

export type BuiltModel = { ok: true; model: CoreModel } | { ok: false; problems: ModelProblem[] };

/** Built-in alarms: each CCP, the valve discrepancy, scan overruns, each device offline. */
function builtinAlarms(config: Config): AlarmDef[] {
  const defs: AlarmDef[] = [];
  // CCP alarms matter while producing; outside Execute (RO stopped, tank drained) the analyzers
  // read what stands in the pipe, and the product is diverted anyway: suppressed by design.
  const notProducing = PACKML_STATES.filter((s) => s !== "Execute");
  for (const c of config.quality.ccps) {
    defs.push({ name: c.name, message: `${c.name} off-spec: ${c.description || c.tag}`, priority: "critical", group: "reuse-quality", offDelay: 5000, suppressWhen: notProducing });
    defs.push({ name: `${c.name}.alert`, message: `${c.name} past its alert limit`, priority: "medium", offDelay: 5000, suppressWhen: notProducing });
  }
  defs.push({ name: "DISCREPANCY", message: `${config.quality.valve} did not reach its commanded position`, priority: "critical", group: "reuse-quality" });
  defs.push({ name: "SCAN-OVERRUN", message: "control scan overran its period", priority: "medium" });
  defs.push({ name: "SEQUENCE-FAILED", message: "a sequence step timed out", priority: "high" });
  for (const d of config.devices) defs.push({ name: `${d.name}.offline`, message: `${d.name} does not answer`, priority: "high", onDelay: 0 });
  return defs;
}

/** Tags the controller itself provides: whether each device answers. */
function systemTags(config: Config): TagConfig[] {
  return config.devices.map((d) => tagSchema.parse({ name: deviceOnlineTag(d.name), description: `${d.name} answers`, kind: "bool" }));
}

export function buildModel(config: Config): BuiltModel {
  const problems: ModelProblem[] = [];
  const names = new Map<string, ExprType>(BUILTIN_NAMES);
  for (const t of config.tags) names.set(t.name, t.kind === "bool" ? "boolean" : "number");
  for (const s of config.setpoints) names.set(s.name, "number");
  for (const d of config.devices) names.set(deviceOnlineTag(d.name), "boolean");

  const cache = new Map<string, Compiled>();
  const expr = (text: string, path: (string | number)[], want?: ExprType): Compiled | null => {
    const r = compile(text, names);
    if (Array.isArray(r)) {
      for (const e of r) problems.push({ path, message: `${e.message} in "${text}"` });
      return null;
    }
    if (want && r.type !== want && r.type !== "any") problems.push({ path, message: `"${text}" is ${r.type}, expected ${want}` });
    cache.set(text, r);
    return r;
  };

  const derivedDefs: Array<{ name: string; expr: Compiled }> = [];
  config.tags.forEach((t, i) => {
    if (t.expr === undefined) return;
    const c = expr(t.expr, ["tags", i, "expr"]);
    if (c) derivedDefs.push({ name: t.name, expr: c });
  });
  const order = orderDerived(derivedDefs);
  let derived: Array<{ name: string; expr: Compiled }> = [];
  if (order.ok) derived = order.order.flatMap((n) => derivedDefs.filter((d) => d.name === n));
  else problems.push({ path: ["tags"], message: order.message });

  const outputTags = config.tags.filter((t) => t.modbus?.writable || t.gpio?.direction === "out").map((t) => t.name);
  const writable = new Set(outputTags);
  const checkOutputs = (rec: Record<string, unknown>, path: (string | number)[]): void => {
    for (const tag of Object.keys(rec)) if (!writable.has(tag)) problems.push({ path: [...path, tag], message: `"${tag}" is not a controller-written tag` });
  };

  const outputs: Array<{ tag: string; expr: Compiled }> = [];
  config.outputs.forEach((o, i) => {
    if (!writable.has(o.tag)) problems.push({ path: ["outputs", i, "tag"], message: `"${o.tag}" is not a controller-written tag` });
    const c = expr(o.value, ["outputs", i, "value"]);
    if (c) outputs.push({ tag: o.tag, expr: c });
  });

  const seqNames = new Set(config.sequences.map((s) => s.name));
  const protection: CompiledProtection[] = [];
  config.protection.forEach((p, i) => {
    const cause = expr(p.cause, ["protection", i, "cause"], "boolean");
    const clear = p.clear !== undefined ? expr(p.clear, ["protection", i, "clear"], "boolean") : null;
    checkOutputs(p.force, ["protection", i, "force"]);
    if (p.sequence !== undefined && !seqNames.has(p.sequence)) problems.push({ path: ["protection", i, "sequence"], message: `unknown sequence "${p.sequence}"` });
    if (cause) protection.push({ index: i, cause, clear });
  });

  // A row whose inputs come from a device that stops answering does not trip (protection.ts):
  // so every such device needs a row of its own that acts on `not <device>.online`.
  const derivedDeps = new Map(derivedDefs.map((d) => [d.name, d.expr.deps]));
  const fieldTags = (deps: readonly string[], seen = new Set<string>()): string[] =>
    deps.flatMap((d) => {
      if (seen.has(d)) return [];
      seen.add(d);
      const inner = derivedDeps.get(d);
      return inner ? fieldTags(inner, seen) : [d];
    });
  const watched = new Set(protection.flatMap((p) => p.cause.deps.filter((d) => d.endsWith(".online"))));
  for (const p of protection) {
    for (const tag of fieldTags(p.cause.deps)) {
      const device = config.tags.find((t) => t.name === tag)?.modbus?.device;
      if (device && !watched.has(deviceOnlineTag(device))) {
        problems.push({
          path: ["protection", p.index, "cause"],
          message: `reads ${tag} from ${device}, but no protection row acts on "not ${deviceOnlineTag(device)}": add one (rows do not trip on a device that stops answering)`,
        });
        watched.add(deviceOnlineTag(device));
      }
    }
  }

  const alarmConditions = new Map<string, Compiled>();
  const alarmDefs: AlarmDef[] = builtinAlarms(config);
  config.alarms.forEach((a, i) => {
    const c = expr(a.condition, ["alarms", i, "condition"], "boolean");
    if (c) alarmConditions.set(a.name, c);
    alarmDefs.push({
      name: a.name,
      message: a.message ?? a.name,
      priority: a.priority,
      onDelay: a.onDelay,
      offDelay: a.offDelay,
      shelvable: a.shelvable,
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.suppressWhen ? { suppressWhen: a.suppressWhen } : {}),
    });
  });
  for (const p of config.protection) {
    if (p.alarm) alarmDefs.push({ name: p.name, message: p.alarm.message ?? p.description ?? p.name, priority: p.alarm.priority, group: "protection" });
  }
  const seenAlarms = new Set<string>();
  for (const a of alarmDefs) {
    if (seenAlarms.has(a.name)) problems.push({ path: ["alarms"], message: `two alarms are named "${a.name}"` });
    seenAlarms.add(a.name);
  }

  const sequences: SequenceDef[] = config.sequences.map((s, i) => {
    const at = ["sequences", i];
    for (const k of ["while", "when", "permit"] as const) {
      const text = s.trigger?.[k];
      if (text !== undefined) expr(text, [...at, "trigger", k], "boolean");
    }
    checkOutputs(s.outputs, [...at, "outputs"]);
    s.steps.forEach((st, j) => {
      if (st.until !== undefined) expr(st.until, [...at, "steps", j, "until"], "boolean");
      checkOutputs(st.outputs, [...at, "steps", j, "outputs"]);
    });
    return {
      name: s.name,
      divert: s.divert,
      outputs: s.outputs,
      steps: s.steps.map((st) => ({
        name: st.name,
        outputs: st.outputs,
        ...(st.until !== undefined ? { until: st.until } : {}),
        ...(st.duration !== undefined ? { duration: st.duration } : {}),
        ...(st.timeout !== undefined ? { timeout: st.timeout } : {}),
      })),
      ...(s.trigger ? { trigger: Object.fromEntries(Object.entries(s.trigger).filter(([, v]) => v !== undefined)) } : {}),
    };
  });
  if (config.startSequence !== undefined && !seqNames.has(config.startSequence)) problems.push({ path: ["startSequence"], message: `unknown sequence "${config.startSequence}"` });

  if (problems.length > 0) return { ok: false, problems };
  const tagByName = new Map([...config.tags, ...systemTags(config)].map((t) => [t.name, t]));
  const derivedNames = new Set(derived.map((d) => d.name));
  return {
    ok: true,
    model: {
      config,
      tagByName,
      names,
      derived,
      outputs,
      protection,
      alarmDefs,
      alarmConditions,
      sequences,
      conditions: cache,
      outputTags,
      devices: config.devices.map((d) => d.name),
      fieldTags: [...tagByName].filter(([name]) => !derivedNames.has(name)),
      builtinAlarmNames: {
        ccps: config.quality.ccps.map((c) => ({ ccp: c.name, alert: `${c.name}.alert` })),
        devices: config.devices.map((d) => ({ alarm: `${d.name}.offline`, onlineTag: deviceOnlineTag(d.name) })),
      },
    },
  };
}

/** The model of a config already validated by the loader (which reports problems with locations). */
export function modelOf(config: Config): CoreModel {
  const r = buildModel(config);
  if (!r.ok) throw new Error(`config has problems the loader should have reported: ${r.problems.map((p) => p.message).join("; ")}`);
  return r.model;
}
