// Output intents, in order of precedence (lowest first): every output safe; the base logic
// of the config (`outputs:` expressions); running sequences; a technician's forces in
// Maintenance; equipment protection's forced outputs; and last, always, the divert valve and
// its permissive, which follow the quality mode and nothing else. Pure.
import { evaluate, type TagLookup } from "./expr/index.js";
import type { CoreModel } from "./model.js";
import type { ProtectionConfig } from "../config/schema.js";
import type { TagValue } from "./quality.js";
import type { SequenceValue } from "./sequence.js";
import { safeOutputs, type CoreState } from "./state.js";

export interface OutputContext {
  lookup: TagLookup;
  sequenceOutputs: Readonly<Record<string, SequenceValue>>;
  activeRows: readonly ProtectionConfig[];
  scans: number;
}

/** Outputs that only the quality mode may drive: no sequence, force or expression sends water to reuse. */
export function divertOutputs(model: CoreModel): string[] {
  const q = model.config.quality;
  return [q.valve, ...(q.permissive ? [q.permissive] : [])];
}

export function composeOutputs(model: CoreModel, core: Pick<CoreState, "state" | "divert" | "mode" | "forced" | "alarms">, ctx: OutputContext): Record<string, TagValue> {
  const out = safeOutputs(model);
  const set = (tag: string, v: TagValue): void => {
    if (tag in out) out[tag] = v;
  };
  if (core.mode !== "OutOfService") {
    for (const o of model.outputs) {
      const r = evaluate(o.expr, ctx.lookup);
      // An intent that cannot be evaluated stays at its safe value.
      if (r.quality.code !== "bad" && (typeof r.value === "boolean" || typeof r.value === "number")) set(o.tag, r.value);
    }
    for (const [tag, v] of Object.entries(ctx.sequenceOutputs)) set(tag, v);
  }
  if (core.mode === "Maintenance") for (const [tag, v] of Object.entries(core.forced)) set(tag, v);
  for (const row of ctx.activeRows) for (const [tag, v] of Object.entries(row.force)) set(tag, v);

  const reuse = core.divert.mode === "Reuse";
  for (const tag of divertOutputs(model)) set(tag, reuse);
  const { heartbeat, horn } = model.config.safety;
  // The heartbeat toggles with every scan, so it stops the moment the scan stops.
  if (heartbeat) set(heartbeat, ctx.scans % 2 === 1);
  if (horn) {
    const sounding = model.alarmDefs.some((d) => {
      const r = core.alarms.alarms[d.name];
      const p = d.priority;
      const loud = p === "critical" || p === "high" || p === 1 || p === 2;
      return loud && r !== undefined && r.state === "Unacknowledged" && !r.shelved && !r.outOfService && !r.suppressed;
    });
    set(horn, sounding || (out[horn] === true));
  }
  return out;
}
