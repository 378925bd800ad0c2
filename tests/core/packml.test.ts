// Every PackML state × every command, written out from ANSI/ISA-TR88.00.02 (2015) rather
// than derived from the implementation, plus every state-complete (SC) transition.
import { describe, expect, it } from "vitest";
import {
  PACKML_COMMANDS,
  PACKML_STATES,
  PACKML_STATE_NUMBER,
  type PackmlCommand,
  type PackmlState,
  acceptedCommands,
  isActingState,
  packmlCommand,
  stateComplete,
} from "../../src/core/packml.js";

// Columns: Reset, Start, Stop, Hold, Unhold, Suspend, Unsuspend, Abort, Clear ("-" = refused).
const TABLE: Record<PackmlState, string[]> = {
  Stopped: ["Resetting", "-", "-", "-", "-", "-", "-", "Aborting", "-"],
  Resetting: ["-", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Idle: ["-", "Starting", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Starting: ["-", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Execute: ["-", "-", "Stopping", "Holding", "-", "Suspending", "-", "Aborting", "-"],
  Completing: ["-", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Complete: ["Resetting", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Holding: ["-", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Held: ["-", "-", "Stopping", "-", "Unholding", "-", "-", "Aborting", "-"],
  Unholding: ["-", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Suspending: ["-", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Suspended: ["-", "-", "Stopping", "-", "-", "-", "Unsuspending", "Aborting", "-"],
  Unsuspending: ["-", "-", "Stopping", "-", "-", "-", "-", "Aborting", "-"],
  Stopping: ["-", "-", "-", "-", "-", "-", "-", "Aborting", "-"],
  Aborting: ["-", "-", "-", "-", "-", "-", "-", "-", "-"],
  Aborted: ["-", "-", "-", "-", "-", "-", "-", "-", "Clearing"],
  Clearing: ["-", "-", "-", "-", "-", "-", "-", "Aborting", "-"],
};

const CASES = PACKML_STATES.flatMap((state) =>
  PACKML_COMMANDS.map((cmd, i) => ({ state, cmd, expected: TABLE[state][i] as string })),
);

describe("packmlCommand: every state × every command", () => {
  it("covers 17 states × 9 commands", () => {
    expect(CASES).toHaveLength(153);
  });

  it.each(CASES)("$state + $cmd → $expected", ({ state, cmd, expected }) => {
    const r = packmlCommand(state, cmd);
    if (expected === "-") {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toContain(`${cmd} is not accepted in ${state}`);
        const accepted = acceptedCommands(state);
        expect(r.reason).toContain(accepted.length ? `accepts only ${accepted.join(", ")}` : "accepts no command");
      }
    } else {
      expect(r).toEqual({ ok: true, next: expected });
    }
  });

  it("explains a refusal by naming what the state accepts", () => {
    expect(packmlCommand("Held", "Start")).toEqual({ ok: false, reason: "Start is not accepted in Held; Held accepts only Stop, Unhold, Abort" });
    expect(packmlCommand("Aborting", "Stop")).toEqual({ ok: false, reason: "Stop is not accepted in Aborting; Aborting accepts no command" });
  });
});

describe("optional Hold extensions (OPC 30050)", () => {
  const extended: PackmlState[] = ["Starting", "Suspending", "Suspended", "Unsuspending", "Unholding"];

  it.each(extended)("accepts Hold in %s only when enabled", (state) => {
    expect(packmlCommand(state, "Hold").ok).toBe(false);
    expect(packmlCommand(state, "Hold", { holdExtensions: true })).toEqual({ ok: true, next: "Holding" });
  });

  it("changes nothing else", () => {
    for (const state of PACKML_STATES.filter((s) => !extended.includes(s)))
      for (const cmd of PACKML_COMMANDS) expect(packmlCommand(state, cmd, { holdExtensions: true })).toEqual(packmlCommand(state, cmd));
  });
});

describe("stateComplete (SC)", () => {
  const SC: Record<PackmlState, PackmlState | "-"> = {
    Stopped: "-",
    Resetting: "Idle",
    Idle: "-",
    Starting: "Execute",
    Execute: "Completing",
    Completing: "Complete",
    Complete: "-",
    Holding: "Held",
    Held: "-",
    Unholding: "Execute",
    Suspending: "Suspended",
    Suspended: "-",
    Unsuspending: "Execute",
    Stopping: "Stopped",
    Aborting: "Aborted",
    Aborted: "-",
    Clearing: "Stopped",
  };

  it.each(PACKML_STATES)("%s", (state) => {
    const want = SC[state];
    const r = stateComplete(state);
    if (want === "-") {
      expect(r).toMatchObject({ ok: false });
      expect(isActingState(state)).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(new RegExp(`^${state} is a wait state`));
    } else {
      expect(r).toEqual({ ok: true, next: want });
      expect(isActingState(state)).toBe(true);
    }
  });

  it("runs a whole production cycle by commands and SC", () => {
    let s: PackmlState = "Stopped";
    const step = (cmd: PackmlCommand | "SC"): PackmlState => {
      const r = cmd === "SC" ? stateComplete(s) : packmlCommand(s, cmd);
      if (!r.ok) throw new Error(r.reason);
      return (s = r.next);
    };
    const path = (["Reset", "SC", "Start", "SC", "Suspend", "SC", "Unsuspend", "SC", "Hold", "SC", "Unhold", "SC", "Abort", "SC", "Clear", "SC"] as const).map(step);
    expect(path).toEqual([
      "Resetting", "Idle", "Starting", "Execute", "Suspending", "Suspended", "Unsuspending", "Execute",
      "Holding", "Held", "Unholding", "Execute", "Aborting", "Aborted", "Clearing", "Stopped",
    ]);
  });
});

describe("state numbers", () => {
  it("are TR88.00.02's, one per state", () => {
    expect(PACKML_STATE_NUMBER).toMatchObject({ Clearing: 1, Stopped: 2, Starting: 3, Idle: 4, Suspended: 5, Execute: 6, Stopping: 7, Aborting: 8, Aborted: 9 });
    expect(PACKML_STATE_NUMBER).toMatchObject({ Holding: 10, Held: 11, Unholding: 12, Suspending: 13, Unsuspending: 14, Resetting: 15, Completing: 16, Complete: 17 });
    expect(new Set(Object.values(PACKML_STATE_NUMBER)).size).toBe(17);
  });
});
