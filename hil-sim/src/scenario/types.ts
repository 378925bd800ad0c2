// A scenario as the runner uses it (times in ms, names resolved), the record of a run that
// the expectations are checked against, and the result JSON the runner prints.
import type { FaultEvent } from "../model/faults.js";
import type { PlantParams } from "../model/params.js";

/** PackML states (REFERENCE-SKID.md "Skid states"); kept equal to src/core/packml.ts by hil-sim/tests/scenario/packml-names.test.ts. */
export const PACKML_STATES = [
  "Stopped",
  "Resetting",
  "Idle",
  "Starting",
  "Execute",
  "Completing",
  "Complete",
  "Holding",
  "Held",
  "Unholding",
  "Suspending",
  "Suspended",
  "Unsuspending",
  "Stopping",
  "Aborting",
  "Aborted",
  "Clearing",
] as const;
export type PackMLState = (typeof PACKML_STATES)[number];

export const QUALITY_MODES = ["Reuse", "Divert"] as const;
export type QualityMode = (typeof QUALITY_MODES)[number];

export type Expectation =
  /** A divert whose first occurrence at or after afterMs is no later than afterMs + withinMs. */
  | { kind: "divert"; afterMs: number; withinMs: number }
  /** No divert in [fromMs, toMs). */
  | { kind: "noDivert"; fromMs: number; toMs: number }
  | { kind: "trip"; afterMs: number; withinMs: number }
  | { kind: "noTrip"; fromMs: number; toMs: number }
  /** The alarm is raised (in the window when given). */
  | { kind: "alarm"; name: string; afterMs?: number; withinMs?: number }
  | { kind: "noAlarm"; name: string; fromMs?: number; toMs?: number }
  | { kind: "offSpecToReuseL"; max: number }
  | { kind: "reuseM3"; min?: number; max?: number }
  | { kind: "finalState"; state: PackMLState }
  | { kind: "qualityMode"; mode: QualityMode };

export interface Scenario {
  name: string;
  description?: string;
  durationMs: number;
  seed: number;
  /** Where the controller should be when the clock starts. */
  initial: { state: PackMLState; qualityMode: QualityMode };
  /** Plant parameter overrides for this scenario. */
  plant: Partial<PlantParams>;
  events: FaultEvent[];
  expect: Expectation[];
}

export interface TimedCause {
  atS: number;
  cause: string;
}

/** What a run produced, as the expectations see it. */
export interface RunRecord {
  diverts: readonly TimedCause[];
  trips: readonly TimedCause[];
  alarms: readonly { name: string; atS: number }[];
  finalState: string;
  qualityMode: QualityMode;
  offSpecToReuseL: number;
  reuseM3: number;
  divertedM3: number;
}

/** The runner's result JSON (`npm run scenario -- <file> --json`). */
export interface ScenarioResult {
  scenario: string;
  passed: boolean;
  failures: string[];
  simulatedS: number;
  wallS: number;
  reuseM3: number;
  divertedM3: number;
  offSpecToReuseL: number;
  diverts: TimedCause[];
  trips: TimedCause[];
  finalState: string;
  qualityMode: QualityMode;
}
