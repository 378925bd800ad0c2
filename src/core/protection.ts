// Equipment protection: the cause-and-effect matrix of the config. A row trips when its
// cause has held for its delay and stays active until its clear condition (or the end of the
// cause); while active its forced outputs win over everything but the divert itself.
// Fail safe: a cause that cannot be evaluated (bad input) counts as holding (unless the row
// says `onBad: ignore`, for a cross-check backing up a CCP), except for
// inputs not read yet since start-up (nothing is known to be wrong; auto-start waits for them)
// and inputs of a device that does not answer: losing a device is its own row's business
// (`not <device>.online`, required by config validation), so one lost I/O coupler does not
// set off every row that reads through it. A row clears only after its cause has stayed away
// for its delay (at least 1 s), so a value hovering at a limit does not re-trip it each scan.
import type { ProtectionConfig } from "../config/schema.js";
import { evaluate, type Compiled, type TagLookup } from "./expr/index.js";
import type { CompiledProtection } from "./model.js";
import type { ProtectionState } from "./state.js";

/** The shortest time a cleared cause must stay away before the row's effects end. */
export const MIN_CLEAR_MS = 1000;

export interface ProtectionEvent {
  type: "protection";
  at: number;
  row: string;
  active: boolean;
  description: string;
}

function holds(c: Compiled, lookup: TagLookup, failSafe: boolean): boolean {
  const r = evaluate(c, lookup);
  if (r.quality.code === "bad" && (r.quality.reason === "not-yet-read" || r.quality.reason === "no-comm")) return false;
  if (r.quality.code === "bad" || r.value === null) return failSafe;
  return r.value === true;
}

export interface ProtectionStepResult {
  state: Record<string, ProtectionState>;
  events: ProtectionEvent[];
  /** Rows that tripped in this scan (their command, sequence and alarm act now). */
  tripped: ProtectionConfig[];
  /** Rows that cleared in this scan (their resume command acts now). */
  cleared: ProtectionConfig[];
}

export function protectionStep(
  rows: readonly ProtectionConfig[],
  compiled: readonly CompiledProtection[],
  prev: Readonly<Record<string, ProtectionState>>,
  lookup: TagLookup,
  now: number,
): ProtectionStepResult {
  const state: Record<string, ProtectionState> = {};
  const events: ProtectionEvent[] = [];
  const tripped: ProtectionConfig[] = [];
  const cleared: ProtectionConfig[] = [];
  for (const c of compiled) {
    const row = rows[c.index] as ProtectionConfig;
    const before = prev[row.name] ?? { causeSince: null, active: false, since: null, clearSince: null };
    const cause = holds(c.cause, lookup, row.onBad !== "ignore");
    const causeSince = cause ? (before.causeSince ?? now) : null;
    let { active, since } = before;
    let clearSince = before.clearSince ?? null;
    if (!active && causeSince !== null && now - causeSince >= row.delay) {
      active = true;
      since = now;
      tripped.push(row);
      events.push({ type: "protection", at: now, row: row.name, active: true, description: row.description || row.cause });
    } else if (active) {
      // With a clear condition the row holds until it is met (hysteresis); without, until the cause ends.
      const clear = c.clear ? holds(c.clear, lookup, false) && !cause : !cause;
      clearSince = clear ? (clearSince ?? now) : null;
      if (clearSince !== null && now - clearSince >= Math.max(row.delay, MIN_CLEAR_MS)) {
        active = false;
        since = null;
        clearSince = null;
        cleared.push(row);
        events.push({ type: "protection", at: now, row: row.name, active: false, description: row.description || row.cause });
      }
    }
    state[row.name] = { causeSince, active, since, clearSince };
  }
  return { state, events, tripped, cleared };
}
