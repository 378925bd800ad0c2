// One scan of the control core: (model, state, inputs, now) → (state, outputs, events).
// Order (issue 5): field samples → tag qualities → derived tags → CCPs → protection →
// valve discrepancy → divert latch → PackML state → sequences → output intents → alarms →
// totals. Synchronous, deterministic, no I/O: time comes in as `now` (monotonic) and `wall`.
import { alarmsStep, type AlarmEvent, type AlarmInput } from "./alarms.js";
import { ccpStep, initialCcp, type CcpState } from "./ccp.js";
import { divertStep, type DivertState, type QualityMode } from "./divert.js";
import { evaluate, type TagLookup } from "./expr/index.js";
import type { CoreModel } from "./model.js";
import { applyPackml, type StateEvent } from "./packml-run.js";
import { protectionStep, type ProtectionEvent } from "./protection.js";
import { bad, GOOD, type Quality, type TagSample, type TagValue } from "./quality.js";
import type { TagConfig } from "../config/schema.js";
import { runSequences } from "./sequences-run.js";
import type { SequenceEvent } from "./sequence.js";
import type { CoreState } from "./state.js";
import { applySample, effectiveQuality, type TagState, type TagTable } from "./tags.js";
import { FLOW_ROLES, totalsStep, type FlowRole, type Reading } from "./totals.js";
import { composeOutputs } from "./outputs.js";
import { confirmedInReuse, valveStep } from "./valve.js";

export { initialState, safeOutputs, type CoreState } from "./state.js";

export type CoreEvent =
  | { type: "quality-mode"; at: number; mode: QualityMode; cause: string | null; firstOut: DivertState["firstOut"] }
  | { type: "ccp"; at: number; ccp: string; from: CcpState["status"]; to: CcpState["status"]; value: number | null; reason: string | null }
  | { type: "discrepancy"; at: number; side: "reuse" | "divert"; message: string }
  | StateEvent
  | ProtectionEvent
  | ({ type: "alarm" } & AlarmEvent)
  | ({ type: "sequence" } & SequenceEvent);

export interface TagUpdate {
  tag: string;
  value: TagValue;
  quality: Quality;
  sourceTs: number;
}

export interface ScanInputs {
  samples: readonly TagSample[];
  /** The previous scan started late (counted by the runtime). */
  overrun?: boolean;
}

export interface ScanResult {
  state: CoreState;
  /** Intents for every controller-written tag; the field layer writes those that changed. */
  outputs: Record<string, TagValue>;
  events: CoreEvent[];
  /** Tags whose value or effective quality changed in this scan. */
  updates: TagUpdate[];
}

function sameQuality(a: Quality, b: Quality): boolean {
  return a.code === b.code && a.reason === b.reason;
}

/** Name lookup for expressions: tags, setpoints and the core's own state words. */
export function lookupFor(tags: TagTable, setpoints: Record<string, number>, words: { state: string; mode: string; qualityMode: string }): TagLookup {
  return (name) => {
    // The tag's record has the value and quality: no copy (lookups are never mutated).
    const t = tags[name];
    if (t) return t;
    const sp = setpoints[name];
    if (sp !== undefined) return { value: sp, quality: GOOD };
    if (name === "state" || name === "mode" || name === "qualityMode") return { value: words[name], quality: GOOD };
    return undefined;
  };
}

const NO_WORDS = lookupFor({}, {}, { state: "", mode: "", qualityMode: "" });

function takeSamples(model: CoreModel, prev: TagTable, samples: readonly TagSample[], now: number, wall: number, forced: ReadonlySet<string>): { tags: TagTable; updates: TagUpdate[] } {
  // Copied on the first change only: on about half the scans no poll has answered since the
  // last one, and then the table usually stays as it was.
  let copy: TagTable | null = null;
  const set = (name: string, t: TagState): void => {
    copy ??= { ...prev };
    copy[name] = t;
    touched.add(name);
  };
  const get = (name: string): TagState | undefined => (copy ?? prev)[name];
  // Tags whose record was replaced this scan: only these can be updates.
  const touched = new Set<string>();
  for (const s of samples) {
    const cfg = model.tagByName.get(s.tag);
    const t = get(s.tag);
    if (cfg && t) set(s.tag, applySample(cfg, t, s));
  }
  // Quality is re-judged every scan (stale and flat-line depend on time), but a tag's record
  // is copied only when its quality changes: most tags are unchanged most scans.
  const settle = (name: string, cfg: TagConfig): void => {
    const t = get(name);
    if (!t) return;
    let quality = effectiveQuality(cfg, t, now);
    // A technician's force is flagged on the tag itself (OPC UA: GoodLocalOverride).
    if (quality.code === "good" && forced.has(name)) quality = { code: "good", reason: "forced", detail: "forced in Maintenance mode" };
    if (!sameQuality(quality, t.quality)) set(name, { ...t, quality });
  };
  // Field tags first, so that derived tags see this scan's qualities (stale, out of range).
  for (const [name, cfg] of model.fieldTags) settle(name, cfg);
  // Derived tags, in dependency order: quality is the worst of the inputs used.
  // Tags only (the table as it is now); the core's words and setpoints are not inputs of a derived tag.
  const lookup: TagLookup = (name) => get(name) ?? NO_WORDS(name);
  for (const d of model.derived) {
    const t = get(d.name);
    const cfg = model.tagByName.get(d.name);
    if (!t || !cfg) continue;
    const r = evaluate(d.expr, lookup);
    const value = typeof r.value === "string" ? null : r.value;
    let sourceTs = 0;
    for (const n of d.expr.deps) sourceTs = Math.max(sourceTs, get(n)?.sourceTs ?? 0);
    if (sourceTs === 0) sourceTs = wall;
    // Unchanged inputs give an unchanged tag: keep its record (and its changedMono).
    if (value !== t.value || !sameQuality(r.quality, t.sourceQuality) || sourceTs !== t.sourceTs) {
      set(d.name, applySample(cfg, t, { tag: d.name, value, quality: r.quality, sourceTs, mono: now }));
    }
    settle(d.name, cfg);
  }
  const tags: TagTable = copy ?? prev;
  const updates: TagUpdate[] = [];
  for (const name of touched) {
    const t = tags[name] as TagState;
    const before = prev[name] as TagState;
    if (t.value !== before.value || !sameQuality(t.quality, before.quality) || t.sourceTs !== before.sourceTs) {
      updates.push({ tag: name, value: t.value, quality: t.quality, sourceTs: t.sourceTs });
    }
  }
  return { tags, updates };
}

/**
 * The product flow for the divert's verification: undefined without a flow tag (design flow),
 * the lower of the flow tag and its backup while both are good, else the good one, else null
 * (not known).
 */
function productFlow(q: CoreModel["config"]["quality"], tags: TagTable): number | null | undefined {
  if (q.flowTag === undefined) return undefined;
  const good = (name: string | undefined): number | null => {
    const t = name === undefined ? undefined : tags[name];
    return t !== undefined && t.quality.code === "good" && typeof t.value === "number" ? t.value : null;
  };
  const main = good(q.flowTag);
  const backup = good(q.flowBackup);
  // Both good: the lower, since a meter reading high would call the pipes flushed too soon.
  if (main !== null && backup !== null) return Math.min(main, backup);
  return main ?? backup;
}

export function scan(model: CoreModel, prev: CoreState, inputs: ScanInputs, now: number, wall: number): ScanResult {
  const { config } = model;
  const events: CoreEvent[] = [];
  const forced = new Set(prev.mode === "Maintenance" ? Object.keys(prev.forced) : []);
  const { tags, updates } = takeSamples(model, prev.tags, inputs.samples, now, wall, forced);
  const words = { state: prev.state, mode: prev.mode, qualityMode: prev.divert.mode };
  const lookup = lookupFor(tags, prev.setpoints, words);

  // Reuse-quality CCPs.
  const ccps: Record<string, CcpState> = {};
  for (const c of config.quality.ccps) {
    const t = tags[c.tag];
    const before = prev.ccps[c.name] ?? initialCcp();
    const next = ccpStep(c, before, { value: t?.value ?? null, quality: t?.quality ?? bad("config", `no tag ${c.tag}`) }, now);
    ccps[c.name] = next;
    if (next.status !== before.status) events.push({ type: "ccp", at: now, ccp: c.name, from: before.status, to: next.status, value: next.value, reason: next.reason });
  }

  // Equipment protection.
  const prot = protectionStep(config.protection, model.protection, prev.protection, lookup, now);
  events.push(...prot.events);
  const activeRows = config.protection.filter((p) => prot.state[p.name]?.active);

  // PackML: commands from protection rows, state-complete of acting states, auto-start.
  const pk = applyPackml(model, prev, { tripped: prot.tripped, cleared: prot.cleared, active: activeRows, discrepancyDivert: prev.valve.discrepancy === "divert" }, now);
  events.push(...pk.events);

  // Sequences: the start sequence in Starting, automatic and protection-started ones in Execute.
  const seq = runSequences(model, prev, pk.state, prot.tripped, lookup, now);
  events.push(...seq.events);
  const state = seq.completedStart ? pk.afterStartSequence() : pk.state;

  // The divert latch: CCP trips, protection rows that divert, a valve that failed to reach reuse.
  const demands: string[] = [];
  if (state !== "Execute") demands.push(`state ${state}`);
  if (prev.mode !== "Automatic") demands.push(`mode ${prev.mode}`);
  for (const name of seq.diverting) demands.push(`sequence ${name}`);
  const trips = activeRows.filter((p) => p.divert).map((p) => p.name);
  if (prev.valve.discrepancy === "reuse") trips.push("DISCREPANCY");
  const divert = divertStep(config.quality, prev.divert, { ccps, demands, trips, startUp: state === "Starting", flowM3h: productFlow(config.quality, tags) }, now);
  if (divert.mode !== prev.divert.mode) {
    events.push({ type: "quality-mode", at: now, mode: divert.mode, cause: divert.cause ?? demands[0] ?? null, firstOut: divert.firstOut });
  }

  // Output intents and the valve's discrepancy check against what we command now.
  const outputs = composeOutputs(model, { state, divert, mode: prev.mode, forced: prev.forced, alarms: prev.alarms }, { lookup: lookupFor(tags, prev.setpoints, { ...words, state, qualityMode: divert.mode }), sequenceOutputs: seq.outputs, activeRows, scans: prev.scans });
  const reuse = divert.mode === "Reuse";
  const valve = valveStep(config.quality, prev.valve, tags, reuse, now);
  if (valve.discrepancy !== "none" && valve.discrepancy !== prev.valve.discrepancy) {
    const message =
      valve.discrepancy === "reuse"
        ? `${config.quality.valve} commanded to reuse but ${config.quality.reuseFeedback ?? "its limit switch"} not made within ${config.quality.discrepancy / 1000} s: diverting`
        : `${config.quality.valve} commanded to divert but ${config.quality.divertFeedback ?? "its limit switch"} not made within ${config.quality.discrepancy / 1000} s: aborting, off-spec water may be reaching reuse`;
    events.push({ type: "discrepancy", at: now, side: valve.discrepancy, message });
  }

  // Alarms (ISA-18.2).
  const alarmInputs: Record<string, AlarmInput> = {};
  for (const { ccp, alert } of model.builtinAlarmNames.ccps) {
    const s = ccps[ccp] as CcpState;
    // Inputs not read since start-up are not an alarm: the product is diverted until verified anyway.
    const unread = s.quality.reason === "not-yet-read";
    alarmInputs[ccp] = s.value === null ? s.status === "off-spec" && !unread : { active: s.status === "off-spec", value: s.value };
    alarmInputs[alert] = s.status !== "in-spec" && !unread;
  }
  alarmInputs.DISCREPANCY = valve.discrepancy !== "none";
  alarmInputs["SCAN-OVERRUN"] = inputs.overrun === true;
  alarmInputs["SEQUENCE-FAILED"] = seq.failed !== null;
  for (const d of model.builtinAlarmNames.devices) alarmInputs[d.alarm] = tags[d.onlineTag]?.value === false;
  for (const [name, cond] of model.alarmConditions) alarmInputs[name] = evaluate(cond, lookup).value === true;
  for (const p of config.protection) if (p.alarm) alarmInputs[p.name] = prot.state[p.name]?.active === true;
  const al = alarmsStep(model.alarmDefs, prev.alarms, alarmInputs, now, state);
  for (const e of al.events) events.push({ type: "alarm", ...e });

  // Totals and KPIs.
  const t = config.totals;
  const reading = (name: string | undefined): Reading | undefined => {
    const tag = name === undefined ? undefined : tags[name];
    return tag ? { value: typeof tag.value === "number" ? tag.value : null, quality: tag.quality } : undefined;
  };
  const flows: Partial<Record<FlowRole, Reading>> = {};
  for (const role of FLOW_ROLES) {
    const r = reading(t[role]);
    if (r) flows[role] = r;
  }
  const power: Reading[] = [];
  for (const p of t.power) {
    const r = reading(p);
    if (r) power.push(r);
  }
  const ccpInSpec: Record<string, boolean> = {};
  for (const c of config.quality.ccps) ccpInSpec[c.name] = ccps[c.name]?.status === "in-spec" || ccps[c.name]?.status === "alert";
  const totals = totalsStep(
    prev.totals,
    {
      flows,
      power,
      reuse: confirmedInReuse(config.quality, valve, tags),
      divert: divert.mode === "Divert" && state === "Execute",
      ccps: ccpInSpec,
    },
    now,
    wall,
  ).state;

  const next: CoreState = {
    ...prev,
    tags,
    ccps,
    divert,
    state,
    autoStart: pk.autoStart,
    protection: prot.state,
    valve,
    alarms: al.state,
    sequences: seq.state,
    outputs,
    totals,
    scans: prev.scans + 1,
    overruns: prev.overruns + (inputs.overrun ? 1 : 0),
  };
  return { state: next, outputs, events, updates };
}
