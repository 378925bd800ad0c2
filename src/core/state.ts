// The core's state: plain, JSON-serialisable data, so it can be persisted, inspected and
// replayed. Everything the scan remembers between scans lives here.
import { initialAlarmsState, type AlarmsState } from "./alarms.js";
import { initialCcp, type CcpState } from "./ccp.js";
import { initialDivert, type DivertState, type QualityMode } from "./divert.js";
import type { CoreModel } from "./model.js";
import type { PackmlState } from "./packml.js";
import type { TagValue } from "./quality.js";
import { initialSequenceState, type SequenceState } from "./sequence.js";
import { initialTags, type TagTable } from "./tags.js";
import { initialTotalsState, type TotalsState } from "./totals.js";

export type OperatingMode = "Automatic" | "Maintenance" | "OutOfService";

export interface ProtectionState {
  /** Monotonic time the cause began to hold (null while it does not). */
  causeSince: number | null;
  active: boolean;
  since: number | null;
  /** Since when the row's clear condition has held (null while it does not). */
  clearSince: number | null;
}

export interface ValveState {
  /** What the core commanded the valve to last (true = reuse). */
  commandedReuse: boolean;
  commandedSince: number;
  /** Since when the commanded position has not been confirmed by its limit switch (null while it is). */
  unconfirmedSince: number | null;
  /** The discrepancy in force, if any. */
  discrepancy: "none" | "reuse" | "divert";
}

export interface CoreState {
  tags: TagTable;
  setpoints: Record<string, number>;
  ccps: Record<string, CcpState>;
  divert: DivertState;
  state: PackmlState;
  mode: OperatingMode;
  /** Start and Reset issued by the controller itself at start-up (config skid.autoStart). */
  autoStart: boolean;
  protection: Record<string, ProtectionState>;
  valve: ValveState;
  alarms: AlarmsState;
  sequences: Record<string, SequenceState>;
  /** Outputs forced by a technician in Maintenance mode. */
  forced: Record<string, TagValue>;
  outputs: Record<string, TagValue>;
  totals: TotalsState;
  scans: number;
  overruns: number;
}

export interface InitialOptions {
  /** Start in this PackML state (scenario initial conditions); default Stopped. */
  state?: PackmlState;
  /** Start in Reuse, already verified (scenario initial conditions); default Divert until verified. */
  qualityMode?: QualityMode;
}

/** The outputs' safe state: every controller-written tag off (the valve de-energized = divert). */
export function safeOutputs(model: CoreModel): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const name of model.outputTags) out[name] = model.tagByName.get(name)?.kind === "bool" ? false : 0;
  return out;
}

export function initialState(model: CoreModel, now: number, opts: InitialOptions = {}): CoreState {
  const { config } = model;
  const ccps: Record<string, CcpState> = {};
  for (const c of config.quality.ccps) ccps[c.name] = initialCcp();
  const protection: Record<string, ProtectionState> = {};
  for (const p of config.protection) protection[p.name] = { causeSince: null, active: false, since: null, clearSince: null };
  const sequences: Record<string, SequenceState> = {};
  for (const s of model.sequences) sequences[s.name] = initialSequenceState();
  const divert = initialDivert();
  const reuse = opts.qualityMode === "Reuse";
  return {
    tags: initialTags([...model.tagByName.values()], now),
    setpoints: Object.fromEntries(config.setpoints.map((s) => [s.name, s.value])),
    ccps,
    divert: reuse ? { ...divert, mode: "Reuse", latched: false, cause: null, inSpecSince: now, flowAt: now } : divert,
    state: opts.state ?? "Stopped",
    mode: "Automatic",
    // A skid configured to start by itself does so from whatever state it is given (a scenario's
    // initial Idle, Stopped or Suspended); in Execute, Held or Aborted the first scan drops it.
    autoStart: config.skid.autoStart,
    protection,
    valve: { commandedReuse: reuse, commandedSince: now, unconfirmedSince: null, discrepancy: "none" },
    alarms: initialAlarmsState(model.alarmDefs),
    sequences,
    forced: {},
    outputs: safeOutputs(model),
    totals: initialTotalsState(),
    scans: 0,
    overruns: 0,
  };
}
