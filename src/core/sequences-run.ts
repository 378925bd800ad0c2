// Runs the configured sequences inside the scan: the start sequence while Starting, the
// others (UF backwash, …) only in Execute, started by their triggers or by a protection row;
// leaving Execute aborts them. Conditions are expressions; bad or missing counts as false.
import type { ProtectionConfig } from "../config/schema.js";
import { evaluate, type TagLookup } from "./expr/index.js";
import type { CoreModel } from "./model.js";
import type { PackmlState } from "./packml.js";
import { abortSequence, sequenceStep, startSequence, type SequenceEvent, type SequenceFailure, type SequenceState, type SequenceValue } from "./sequence.js";
import type { CoreState } from "./state.js";

export interface SequencesRun {
  state: Record<string, SequenceState>;
  outputs: Record<string, SequenceValue>;
  events: Array<{ type: "sequence" } & SequenceEvent>;
  /** Running sequences that divert the product. */
  diverting: string[];
  failed: SequenceFailure | null;
  completedStart: boolean;
}

export function runSequences(model: CoreModel, prev: CoreState, state: PackmlState, tripped: readonly ProtectionConfig[], lookup: TagLookup, now: number): SequencesRun {
  // Conditions are judged when a sequence asks (most scans only a trigger's `while`), once per scan.
  const judged = new Map<string, boolean>();
  const conditions = (text: string): boolean => {
    let v = judged.get(text);
    if (v === undefined) {
      const c = model.conditions.get(text);
      const r = c ? evaluate(c, lookup) : undefined;
      v = r !== undefined && r.quality.code === "good" && r.value === true;
      judged.set(text, v);
    }
    return v;
  };
  const out: SequencesRun = { state: {}, outputs: {}, events: [], diverting: [], failed: null, completedStart: false };
  const push = (evs: readonly SequenceEvent[]): void => {
    for (const e of evs) out.events.push({ type: "sequence", ...e });
  };
  for (const def of model.sequences) {
    let st = prev.sequences[def.name] as SequenceState;
    const isStart = def.name === model.config.startSequence;
    const allowed = isStart ? state === "Starting" : state === "Execute";
    if (!allowed) {
      if (st.status !== "idle") {
        const r = abortSequence(def, st, now, `state ${state}`);
        st = r.state;
        push(r.events);
      }
      // Time outside the allowed state does not count toward the sequence's interval.
      out.state[def.name] = { ...st, lastScan: now };
      continue;
    }
    // Whether Starting was entered in this scan or by an operator's Start between scans, an idle
    // start sequence in Starting begins now (it leaves Starting in the same scan it completes).
    if (isStart && st.status === "idle") {
      const r = startSequence(def, st, now, "Starting");
      if (r.ok) {
        st = r.state;
        push(r.events);
      }
    }
    for (const row of tripped) {
      if (row.sequence !== def.name || st.status !== "idle") continue;
      // A row starts the sequence early, but not within its minimum interval of the last run.
      if (st.runs > 0 && st.accumulated < (def.trigger?.minInterval ?? 0)) continue;
      const r = startSequence(def, st, now, row.name);
      if (r.ok) {
        st = r.state;
        push(r.events);
      }
    }
    const r = sequenceStep(def, st, { now, conditions });
    push(r.events);
    out.state[def.name] = r.state;
    Object.assign(out.outputs, r.outputs);
    if (r.divert) out.diverting.push(def.name);
    if (r.failed) out.failed ??= r.failed;
    if (isStart && r.events.some((e) => e.kind === "completed")) out.completedStart = true;
  }
  return out;
}
