// One scan of the control core: (model, state, inputs, now) → (state, outputs, events).
// Order: take the latest field samples, evaluate tag qualities, CCPs, the divert latch,
// then the output intents. Synchronous, deterministic, no I/O.
import type { Config, TagConfig } from "../config/schema.js";
import { ccpStep, initialCcp, type CcpState } from "./ccp.js";
import { divertStep, initialDivert, type DivertState, type QualityMode } from "./divert.js";
import type { Quality, TagSample, TagValue } from "./quality.js";
import { applySample, effectiveQuality, initialTags, type TagTable } from "./tags.js";

export interface CoreModel {
  config: Config;
  tagByName: ReadonlyMap<string, TagConfig>;
}

export function buildModel(config: Config): CoreModel {
  return { config, tagByName: new Map(config.tags.map((t) => [t.name, t])) };
}

export interface CoreState {
  tags: TagTable;
  ccps: Record<string, CcpState>;
  divert: DivertState;
  state: string;
  outputs: Record<string, TagValue>;
  scans: number;
}

export type CoreEvent =
  | { type: "quality-mode"; at: number; mode: QualityMode; cause: string | null; firstOut: DivertState["firstOut"] }
  | { type: "ccp"; at: number; ccp: string; from: CcpState["status"]; to: CcpState["status"]; value: number | null; reason: string | null };

export interface TagUpdate {
  tag: string;
  value: TagValue;
  quality: Quality;
  sourceTs: number;
}

export interface ScanResult {
  state: CoreState;
  /** Intents for every controller-written tag; the field layer writes those that changed. */
  outputs: Record<string, TagValue>;
  events: CoreEvent[];
  /** Tags whose value or effective quality changed in this scan. */
  updates: TagUpdate[];
}

export function initialState(model: CoreModel, now: number): CoreState {
  const { config } = model;
  const ccps: Record<string, CcpState> = {};
  for (const c of config.quality.ccps) ccps[c.name] = initialCcp();
  const tags = initialTags(config.tags, now);
  return { tags, ccps, divert: initialDivert(), state: config.skid.autoStart ? "Execute" : "Idle", outputs: safeOutputs(model), scans: 0 };
}

/** The outputs' safe state: every controller-written tag off (the valve de-energized = divert). */
export function safeOutputs(model: CoreModel): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const t of model.config.tags) if (t.modbus?.writable || t.gpio?.direction === "out") out[t.name] = t.kind === "bool" ? false : 0;
  return out;
}

function sameQuality(a: Quality, b: Quality): boolean {
  return a.code === b.code && a.reason === b.reason;
}

export function scan(model: CoreModel, prev: CoreState, samples: readonly TagSample[], now: number): ScanResult {
  const { config } = model;
  const tags: TagTable = { ...prev.tags };
  for (const s of samples) {
    const cfg = model.tagByName.get(s.tag);
    const t = tags[s.tag];
    if (cfg && t) tags[s.tag] = applySample(cfg, t, s);
  }
  const updates: TagUpdate[] = [];
  for (const cfg of config.tags) {
    const t = tags[cfg.name];
    const before = prev.tags[cfg.name];
    if (!t || !before) continue;
    const quality = effectiveQuality(cfg, t, now);
    const q = sameQuality(quality, t.quality) ? t.quality : quality;
    if (q !== t.quality) tags[cfg.name] = { ...t, quality: q };
    if (t.value !== before.value || !sameQuality(q, before.quality) || t.sourceTs !== before.sourceTs) {
      updates.push({ tag: cfg.name, value: t.value, quality: q, sourceTs: t.sourceTs });
    }
  }

  const events: CoreEvent[] = [];
  const ccps: Record<string, CcpState> = {};
  for (const c of config.quality.ccps) {
    const t = tags[c.tag];
    const before = prev.ccps[c.name] ?? initialCcp();
    const next = ccpStep(c, before, { value: t?.value ?? null, quality: t?.quality ?? { code: "bad", reason: "config" } }, now);
    ccps[c.name] = next;
    if (next.status !== before.status) {
      events.push({ type: "ccp", at: now, ccp: c.name, from: before.status, to: next.status, value: next.value, reason: next.reason });
    }
  }

  const demands = prev.state === "Execute" ? [] : [`state ${prev.state}`];
  const divert = divertStep(config.quality, prev.divert, { ccps, demands, trips: [] }, now);
  if (divert.mode !== prev.divert.mode) {
    events.push({ type: "quality-mode", at: now, mode: divert.mode, cause: divert.cause ?? demands[0] ?? null, firstOut: divert.firstOut });
  }

  const outputs = { ...prev.outputs, [config.quality.valve]: divert.mode === "Reuse" };
  const state: CoreState = { tags, ccps, divert, state: prev.state, outputs, scans: prev.scans + 1 };
  return { state, outputs, events, updates };
}
