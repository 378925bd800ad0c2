// Drives the PackML state machine inside the scan: acting states complete on the next scan
// (Starting when its start sequence has run), protection rows issue their commands, a
// failed sequence or a divert-side valve discrepancy holds or aborts, and an unattended skid
// (skid.autoStart) resets and starts itself once at start-up.
import type { ProtectionConfig } from "../config/schema.js";
import type { CoreModel } from "./model.js";
import { isActingState, packmlCommand, stateComplete, type PackmlCommand, type PackmlState } from "./packml.js";
import type { CoreState } from "./state.js";

/** Hold is accepted outside Execute too (OPC 30050 extensions): a starved skid can still be held. */
export const PACKML_OPTIONS = { holdExtensions: true } as const;

export type StateEvent =
  | { type: "state"; at: number; from: PackmlState; to: PackmlState; cause: string }
  | { type: "state-rejected"; at: number; command: PackmlCommand; state: PackmlState; reason: string; cause: string };

export interface PackmlRun {
  state: PackmlState;
  events: StateEvent[];
  autoStart: boolean;
  /** Starting → Execute once the start sequence has completed. */
  afterStartSequence(): PackmlState;
}

/** The command each resume undoes (a row's `resume` after its `command`). */
const RESUME_UNDOES: Partial<Record<PackmlCommand, PackmlCommand>> = { Unsuspend: "Suspend", Unhold: "Hold" };

export function applyPackml(
  model: CoreModel,
  prev: CoreState,
  causes: {
    tripped: readonly ProtectionConfig[];
    cleared: readonly ProtectionConfig[];
    /** Rows active after this scan's protection step (a resume waits for the others of its kind). */
    active: readonly ProtectionConfig[];
    discrepancyDivert: boolean;
  },
  now: number,
): PackmlRun {
  const events: StateEvent[] = [];
  let s = prev.state;
  const go = (next: PackmlState, cause: string): void => {
    if (next !== s) events.push({ type: "state", at: now, from: s, to: next, cause });
    s = next;
  };
  // Acting states finish on the scan after they were entered; Starting waits for its sequence.
  // Execute is acting too in PackML, but a continuous skid never completes production by itself.
  if (isActingState(s) && s !== "Execute" && !(s === "Starting" && model.config.startSequence !== undefined)) {
    const r = stateComplete(s);
    if (r.ok) go(r.next, "state complete");
  }
  const commands: Array<[PackmlCommand, string]> = [];
  if (causes.discrepancyDivert) commands.push(["Abort", "DISCREPANCY"]);
  for (const row of causes.tripped) if (row.command) commands.push([row.command, row.name]);
  for (const row of causes.cleared) {
    if (!row.resume) continue;
    // A skid suspended (or held) by two rows resumes when the last of them clears: the
    // reuse tank no longer full does not restart production into an EQ tank still empty.
    const undone = RESUME_UNDOES[row.resume];
    const still = causes.active.find((r) => r !== row && r.command !== undefined && r.command === undone);
    if (still) events.push({ type: "state-rejected", at: now, command: row.resume, state: s, reason: `${still.name} is still active`, cause: `${row.name} cleared` });
    else commands.push([row.resume, `${row.name} cleared`]);
  }
  if (s === "Execute" || s === "Starting") {
    const failed = Object.entries(prev.sequences).find(([, st]) => st.status === "failed");
    if (failed) commands.push(["Hold", `sequence ${failed[0]} failed`]);
  }
  // The start-up's own Reset and Start (and the Unsuspend of a skid given as Suspended with no
  // cause active; Suspend needs Execute, so only an initial state gets there first): once the
  // skid has got anywhere else, it is over, and a later stop stays stopped until an operator says.
  const starting = s === "Stopped" || s === "Resetting" || s === "Idle" || s === "Starting" || s === "Suspended" || s === "Unsuspending";
  const autoStart = prev.autoStart && starting;
  // Start by itself once every device has been polled (answered, or found not to) and every
  // protection row is clear: a device that matters has its own offline row, which then holds
  // the start; one that only feeds a KPI does not keep the skid from producing.
  if (autoStart && (s === "Stopped" || s === "Idle" || s === "Suspended")) {
    const anyRowActive = Object.values(prev.protection).some((p) => p.active || p.causeSince !== null);
    const allPolled = model.builtinAlarmNames.devices.every((d) => typeof prev.tags[d.onlineTag]?.value === "boolean");
    if (!anyRowActive && allPolled) commands.push([s === "Stopped" ? "Reset" : s === "Idle" ? "Start" : "Unsuspend", "auto-start"]);
  }
  for (const [cmd, cause] of commands) {
    const r = packmlCommand(s, cmd, PACKML_OPTIONS);
    if (r.ok) go(r.next, cause);
    else events.push({ type: "state-rejected", at: now, command: cmd, state: s, reason: r.reason, cause });
  }
  const state = s;
  return {
    state,
    events,
    autoStart,
    afterStartSequence() {
      if (state !== "Starting") return state;
      const r = stateComplete("Starting");
      if (!r.ok) return state;
      events.push({ type: "state", at: now, from: "Starting", to: r.next, cause: "start sequence complete" });
      return r.next;
    },
  };
}
