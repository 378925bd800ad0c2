// The skid's state machine: the PackML base state model of ANSI/ISA-TR88.00.02 (2015),
// 17 states and 9 commands, as a pure transition table. Acting states (…ing, and Execute)
// finish by "state complete" (SC) when the controller has done their work; wait states
// leave only on a command. Quality mode (Reuse/Divert) is orthogonal and lives elsewhere.

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
export type PackmlState = (typeof PACKML_STATES)[number];

export const PACKML_COMMANDS = ["Reset", "Start", "Stop", "Hold", "Unhold", "Suspend", "Unsuspend", "Abort", "Clear"] as const;
export type PackmlCommand = (typeof PACKML_COMMANDS)[number];

/** State numbers of TR88.00.02 (PackTags Status.StateCurrent; OPC 30050 StateNumber). */
export const PACKML_STATE_NUMBER: Readonly<Record<PackmlState, number>> = {
  Clearing: 1,
  Stopped: 2,
  Starting: 3,
  Idle: 4,
  Suspended: 5,
  Execute: 6,
  Stopping: 7,
  Aborting: 8,
  Aborted: 9,
  Holding: 10,
  Held: 11,
  Unholding: 12,
  Suspending: 13,
  Unsuspending: 14,
  Resetting: 15,
  Completing: 16,
  Complete: 17,
};

/** Command numbers of TR88.00.02 (PackTags Command.CntrlCmd). */
export const PACKML_COMMAND_NUMBER: Readonly<Record<PackmlCommand, number>> = {
  Reset: 1,
  Start: 2,
  Stop: 3,
  Hold: 4,
  Unhold: 5,
  Suspend: 6,
  Unsuspend: 7,
  Abort: 8,
  Clear: 9,
};

/** The acting state each acting state completes to (SC). Execute completes to Completing. */
const STATE_COMPLETE: Partial<Record<PackmlState, PackmlState>> = {
  Resetting: "Idle",
  Starting: "Execute",
  Execute: "Completing",
  Completing: "Complete",
  Holding: "Held",
  Unholding: "Execute",
  Suspending: "Suspended",
  Unsuspending: "Execute",
  Stopping: "Stopped",
  Aborting: "Aborted",
  Clearing: "Stopped",
};

/** Commands other than Stop and Abort, by the state that accepts them. */
const COMMANDS: Partial<Record<PackmlState, Partial<Record<PackmlCommand, PackmlState>>>> = {
  Stopped: { Reset: "Resetting" },
  Complete: { Reset: "Resetting" },
  Idle: { Start: "Starting" },
  Execute: { Hold: "Holding", Suspend: "Suspending" },
  Held: { Unhold: "Unholding" },
  Suspended: { Unsuspend: "Unsuspending" },
  Aborted: { Clear: "Clearing" },
};

/**
 * Hold from Starting, Suspending, Suspended, Unsuspending and Unholding: not in
 * TR88.00.02-2015, but drawn as optional (dashed) extensions in OPC 30050 (PackML) and
 * useful when an internal fault (TMP too high, a drive fault) meets a starved skid.
 */
const HOLD_EXTENSIONS: ReadonlySet<PackmlState> = new Set(["Starting", "Suspending", "Suspended", "Unsuspending", "Unholding"]);

/** Stop is accepted everywhere except in these (TR88.00.02: the stop/abort branches). */
const NO_STOP: ReadonlySet<PackmlState> = new Set(["Stopped", "Stopping", "Aborting", "Aborted", "Clearing"]);
const NO_ABORT: ReadonlySet<PackmlState> = new Set(["Aborting", "Aborted"]);

export interface PackmlOptions {
  /** Accept Hold in the OPC 30050 extension states (see HOLD_EXTENSIONS). Default false. */
  holdExtensions?: boolean;
}

export type PackmlResult = { ok: true; next: PackmlState } | { ok: false; reason: string };

function target(state: PackmlState, cmd: PackmlCommand, options: PackmlOptions): PackmlState | undefined {
  switch (cmd) {
    case "Abort":
      return NO_ABORT.has(state) ? undefined : "Aborting";
    case "Stop":
      return NO_STOP.has(state) ? undefined : "Stopping";
    case "Hold":
      if (options.holdExtensions === true && HOLD_EXTENSIONS.has(state)) return "Holding";
      return COMMANDS[state]?.Hold;
    case "Reset":
    case "Start":
    case "Unhold":
    case "Suspend":
    case "Unsuspend":
    case "Clear":
      return COMMANDS[state]?.[cmd];
  }
}

/** The commands a state accepts, in PACKML_COMMANDS order (for reasons, OPC UA and the CLI). */
export function acceptedCommands(state: PackmlState, options: PackmlOptions = {}): PackmlCommand[] {
  return PACKML_COMMANDS.filter((c) => target(state, c, options) !== undefined);
}

/** Applies a command: the next state, or why the command is refused in this state. */
export function packmlCommand(state: PackmlState, cmd: PackmlCommand, options: PackmlOptions = {}): PackmlResult {
  const next = target(state, cmd, options);
  if (next !== undefined) return { ok: true, next };
  const accepted = acceptedCommands(state, options);
  const list = accepted.length > 0 ? `accepts only ${accepted.join(", ")}` : "accepts no command";
  return { ok: false, reason: `${cmd} is not accepted in ${state}; ${state} ${list}` };
}

/** Completes an acting state (SC); a wait state has nothing to complete. */
export function stateComplete(state: PackmlState): PackmlResult {
  const next = STATE_COMPLETE[state];
  if (next !== undefined) return { ok: true, next };
  return { ok: false, reason: `${state} is a wait state: it leaves on a command (${acceptedCommands(state).join(", ")}), not on state complete` };
}

/** True for acting states (they run until state complete), false for wait states. */
export function isActingState(state: PackmlState): boolean {
  return STATE_COMPLETE[state] !== undefined;
}

export function isPackmlState(s: string): s is PackmlState {
  return (PACKML_STATES as readonly string[]).includes(s);
}

export function isPackmlCommand(s: string): s is PackmlCommand {
  return (PACKML_COMMANDS as readonly string[]).includes(s);
}
