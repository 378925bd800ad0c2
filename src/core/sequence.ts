// Sequences as pure step machines (UF backwash, flushes, CIP steps): each step holds
// output intents until its condition and/or duration is met, and fails with a message
// naming the step and what it waited for when its timeout runs out, so the scan can Hold
// and raise an alarm (STYLE.md 6). Triggers start a sequence after an accumulated time
// (a retentive timer, IEC 61131-3 RTO style, counting only while a condition holds) or
// early on a condition. Conditions are named by keys (usually the expression text) and
// evaluated by the scan: a condition that is missing or not good counts as false.

export type SequenceValue = boolean | number;

export interface SequenceStepDef {
  name: string;
  /** Output intents held during the step (tag → value). */
  outputs: Readonly<Record<string, SequenceValue>>;
  /** The step ends when this condition holds (and its duration, if any, has passed). */
  until?: string;
  /** The step lasts at least this long (ms); without `until`, exactly this long. */
  duration?: number;
  /** The step fails if not finished this long (ms) after it began. */
  timeout?: number;
}

export interface SequenceTrigger {
  /** Start once `while` has held for this much time (ms) since the last run. */
  every?: number;
  /** The condition under which time accumulates toward `every` (e.g. filtering); without it, all idle time counts. */
  while?: string;
  /** Start early when this condition holds… */
  when?: string;
  /** …but only after this much accumulated time since the last run (ms); default 0. */
  minInterval?: number;
  /** Automatic starts only while this condition holds (e.g. `state == "Execute"`). */
  permit?: string;
}

export interface SequenceDef {
  name: string;
  steps: readonly SequenceStepDef[];
  trigger?: SequenceTrigger;
  /** Intents held for the whole run; a step's own outputs win over these. */
  outputs?: Readonly<Record<string, SequenceValue>>;
  /** The product is diverted while the sequence runs (REFERENCE-SKID.md: UF backwash). */
  divert?: boolean;
}

export interface SequenceFailure {
  sequence: string;
  step: string;
  /** The condition the step waited for, or null when it waited only for its duration. */
  waitedFor: string | null;
  after: number;
  at: number;
  message: string;
}

export interface SequenceState {
  status: "idle" | "running" | "failed";
  /** Index of the running step; -1 when not running. */
  step: number;
  stepSince: number | null;
  startedAt: number | null;
  /** Time (ms) during which the trigger's `while` held since the last start. */
  accumulated: number;
  lastScan: number | null;
  runs: number;
  failure: SequenceFailure | null;
}

export type SequenceEvent =
  | { kind: "started"; sequence: string; at: number; reason: string }
  | { kind: "step"; sequence: string; step: string; index: number; at: number }
  | { kind: "completed"; sequence: string; at: number; duration: number }
  | { kind: "failed"; sequence: string; at: number; failure: SequenceFailure }
  | { kind: "aborted"; sequence: string; at: number; reason: string };

export interface SequenceContext {
  now: number;
  /** Whether each condition (by its text) holds: a table, or a function that judges on demand. */
  conditions: Readonly<Record<string, boolean | undefined>> | ((text: string) => boolean);
}

export interface SequenceStepResult {
  state: SequenceState;
  outputs: Record<string, SequenceValue>;
  events: SequenceEvent[];
  divert: boolean;
  failed?: SequenceFailure;
}

export function initialSequenceState(): SequenceState {
  return { status: "idle", step: -1, stepSince: null, startedAt: null, accumulated: 0, lastScan: null, runs: 0, failure: null };
}

/**
 * A persisted state, made safe to continue in a new process: monotonic times from the
 * old process mean nothing now, so a run that was interrupted is dropped (the intents
 * go with it) while the accumulated time toward the next run is kept.
 */
export function restoreSequenceState(persisted: SequenceState): SequenceState {
  return { ...initialSequenceState(), accumulated: persisted.accumulated, runs: persisted.runs };
}

function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}min`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const holds = (ctx: SequenceContext, key: string | undefined): boolean =>
  key !== undefined && (typeof ctx.conditions === "function" ? ctx.conditions(key) : ctx.conditions[key] === true);

function outputsOf(def: SequenceDef, state: SequenceState): Record<string, SequenceValue> {
  const step = def.steps[state.step];
  return state.status === "running" && step ? { ...def.outputs, ...step.outputs } : {};
}

function result(def: SequenceDef, state: SequenceState, events: SequenceEvent[], failed?: SequenceFailure): SequenceStepResult {
  const r: SequenceStepResult = { state, outputs: outputsOf(def, state), events, divert: state.status === "running" && def.divert === true };
  if (failed) r.failed = failed;
  return r;
}

function begin(def: SequenceDef, state: SequenceState, now: number, reason: string, events: SequenceEvent[]): SequenceState {
  const first = def.steps[0] as SequenceStepDef;
  events.push({ kind: "started", sequence: def.name, at: now, reason });
  events.push({ kind: "step", sequence: def.name, step: first.name, index: 0, at: now });
  return { ...state, status: "running", step: 0, stepSince: now, startedAt: now, accumulated: 0, failure: null, runs: state.runs + 1 };
}

/** Why the trigger fires now, or undefined. */
function triggered(t: SequenceTrigger, accumulated: number, ctx: SequenceContext): string | undefined {
  if (t.permit !== undefined && !holds(ctx, t.permit)) return undefined;
  if (t.every !== undefined && accumulated >= t.every) return `${formatMs(t.every)} of '${t.while ?? "time"}'`;
  if (t.when !== undefined && holds(ctx, t.when) && accumulated >= (t.minInterval ?? 0)) return `early: '${t.when}'`;
  return undefined;
}

/** One scan of a sequence: starts it on its trigger, advances or fails its step, gives its intents. */
export function sequenceStep(def: SequenceDef, state: SequenceState, ctx: SequenceContext): SequenceStepResult {
  const { now } = ctx;
  const dt = state.lastScan === null ? 0 : Math.max(0, now - state.lastScan);
  let s: SequenceState = { ...state, lastScan: now };
  const events: SequenceEvent[] = [];

  if (s.status === "idle") {
    const t = def.trigger;
    if (t === undefined) return result(def, s, events);
    // Retentive: the time since the last scan counts when the condition holds now.
    if (t.while === undefined || holds(ctx, t.while)) s = { ...s, accumulated: s.accumulated + dt };
    const why = triggered(t, s.accumulated, ctx);
    return result(def, why === undefined ? s : begin(def, s, now, why, events), events);
  }
  if (s.status === "failed") return result(def, s, events);

  const step = def.steps[s.step] as SequenceStepDef;
  const elapsed = now - (s.stepSince ?? now);
  const done = (step.duration === undefined || elapsed >= step.duration) && (step.until === undefined || holds(ctx, step.until));
  if (done) {
    const next = s.step + 1;
    const nextStep = def.steps[next];
    if (nextStep === undefined) {
      events.push({ kind: "completed", sequence: def.name, at: now, duration: now - (s.startedAt ?? now) });
      return result(def, { ...s, status: "idle", step: -1, stepSince: null, startedAt: null }, events);
    }
    events.push({ kind: "step", sequence: def.name, step: nextStep.name, index: next, at: now });
    return result(def, { ...s, step: next, stepSince: now }, events);
  }
  if (step.timeout !== undefined && elapsed >= step.timeout) {
    const waitedFor = step.until ?? null;
    const what = waitedFor === null ? `its duration of ${formatMs(step.duration ?? 0)}` : `'${waitedFor}'`;
    const failure: SequenceFailure = {
      sequence: def.name,
      step: step.name,
      waitedFor,
      after: elapsed,
      at: now,
      message: `${def.name}: step '${step.name}' timed out after ${formatMs(step.timeout)} waiting for ${what}`,
    };
    events.push({ kind: "failed", sequence: def.name, at: now, failure });
    return result(def, { ...s, status: "failed", step: -1, stepSince: null, failure }, events, failure);
  }
  return result(def, s, events);
}

/** Starts a sequence by command (an operator, or the scan on its own rule). */
export function startSequence(
  def: SequenceDef,
  state: SequenceState,
  now: number,
  reason = "command",
): { ok: true; state: SequenceState; events: SequenceEvent[] } | { ok: false; reason: string } {
  if (state.status === "running") return { ok: false, reason: `${def.name} is already running (step '${def.steps[state.step]?.name ?? "?"}')` };
  if (state.status === "failed") return { ok: false, reason: `${def.name} failed (${state.failure?.message ?? "?"}); abort it before starting again` };
  if (def.steps.length === 0) return { ok: false, reason: `${def.name} has no steps` };
  const events: SequenceEvent[] = [];
  return { ok: true, state: begin(def, state, now, reason, events), events };
}

/** Abandons a run or clears a failure; its intents are released at once. */
export function abortSequence(def: SequenceDef, state: SequenceState, now: number, reason = "aborted"): { state: SequenceState; events: SequenceEvent[] } {
  if (state.status === "idle") return { state, events: [] };
  return {
    state: { ...state, status: "idle", step: -1, stepSince: null, startedAt: null, failure: null },
    events: [{ kind: "aborted", sequence: def.name, at: now, reason }],
  };
}

/** Every condition key a sequence reads, for the scan to compile and evaluate. */
export function sequenceConditions(def: SequenceDef): string[] {
  const t = def.trigger;
  const keys = [t?.while, t?.when, t?.permit, ...def.steps.map((s) => s.until)];
  return [...new Set(keys.filter((k): k is string => k !== undefined))];
}

/** Problems in a sequence definition, for config validation. */
export function checkSequence(def: SequenceDef): string[] {
  const out: string[] = [];
  if (def.steps.length === 0) out.push(`${def.name}: no steps`);
  const names = new Set<string>();
  for (const s of def.steps) {
    const at = `${def.name}: step '${s.name}'`;
    if (names.has(s.name)) out.push(`${at} is defined twice`);
    names.add(s.name);
    if (s.until === undefined && s.duration === undefined) out.push(`${at} has neither 'until' nor 'duration', so it would never end on its own`);
    if (s.timeout !== undefined && s.duration !== undefined && s.timeout <= s.duration) out.push(`${at}: timeout ${formatMs(s.timeout)} is not longer than its duration ${formatMs(s.duration)}`);
  }
  const t = def.trigger;
  if (t && t.every === undefined && t.when === undefined) out.push(`${def.name}: a trigger needs 'every' or 'when'`);
  return out;
}
