// Controller and config bugs the reliability suite found (or met) and that are not fixed yet,
// each with its exact signature. A matrix cell that does not recover passes only when its
// failure is one of these, so a known bug cannot hide a new one; each also has a focused
// reproduction (known-bugs.test.ts) that turns into a failure the day the bug is fixed.
import type { FaultCaseResult } from "./fault-matrix.js";

export interface KnownBug {
  id: string;
  /** What is wrong and where, for the test log and the report. */
  reason: string;
  /** Whether a matrix cell's failure to recover is exactly this. */
  explains(r: FaultCaseResult): boolean;
}

/** A known bug of the config loader: which exceptions are it. */
export interface KnownConfigBug {
  id: string;
  reason: string;
  matches(err: unknown): boolean;
}

/** K1: a PackML Start given through controller.submit() (CLI, OPC UA) never runs the start sequence. */
export const K1_START_NEVER_RUNS: KnownBug = {
  id: "K1",
  reason:
    "src/core/sequences-run.ts starts the start sequence only when the state becomes Starting inside a scan " +
    "(prev.state !== 'Starting'); a Start submitted through the command intake (Controller.submit: CLI, OPC UA) " +
    "changes the state between scans, so the next scan already sees prev.state === 'Starting' and the skid stays " +
    "in Starting forever (the start-flush never begins, the skid never reaches Execute)",
  explains: (r) => r.stuckInStarting && r.operator.includes("Start"),
};

/**
 * K2: rio-1 answering every request with a Modbus exception (code 4, server device failure) was
 * "degraded", not offline: rio-1.online stayed true, so RIO-OFFLINE (Hold) never acted and the
 * rows were not told to ignore the silent device; every rio-1 input was Bad, and RO-HIGH-PRESSURE
 * (cause PIT-301 > 16, command Abort) acted on the Bad PIT-301. Earlier, before commit 11e1c7c,
 * every rio-1 fault and the drive faults ended the same way (PIT-301 noise below its range, the
 * scenario suite's PIT301_ABORT). Fixed in src/field/modbus/health.ts and engine.ts: a device
 * none of whose poll blocks has given good data for demoteAfter requests in a row (exceptions
 * included) is offline (its tags bad no-comm) while still polled at its rate.
 */
export const K2_PIT301_ABORT: KnownBug = {
  id: "K2",
  reason:
    "rio-1 answering only Modbus exceptions stays 'degraded' (rio-1.online true): RIO-OFFLINE never holds, and RO-HIGH-PRESSURE " +
    "(Abort) acts on the Bad PIT-301 instead, aborting where the design says divert and Hold",
  explains: (r) => r.aborts.length > 0 && r.aborts.every((c) => c === "RO-HIGH-PRESSURE"),
};

// K1 and K2 are fixed (their reproductions are regression tests now): no known bug explains a
// matrix cell that does not recover.
export const KNOWN_BUGS: readonly KnownBug[] = [];

/** The known bugs that explain a cell that did not recover (empty: an unexplained failure). */
export function explainedBy(r: FaultCaseResult): KnownBug[] {
  return KNOWN_BUGS.filter((b) => b.explains(r));
}

/** K3: an alias whose anchor does not exist (or an alias bomb) escapes parseConfig as a bare ReferenceError. */
export const K3_ALIAS_ESCAPES: KnownConfigBug = {
  id: "K3",
  reason:
    "src/config/load.ts parseConfig: y.doc.toJS() throws yaml's ReferenceError for an unresolved alias ('scanPeriod: *nope', " +
    "a typo in an anchor name) or an alias bomb ('Excessive alias count'); it is not caught, so there is no FileProblemsError, " +
    "no file:line, `reclaim run`/`config validate` exit 1 with a stack trace instead of 3, and config.apply answers RECLAIM_E_INTERNAL",
  matches: (err) => err instanceof ReferenceError && /alias/i.test(err.message),
};

/**
 * K4: parsing is quadratic in the number of keys of one mapping (yaml's uniqueKeys check, then
 * one linear locate() per unknown key in schemaProblems), and config.apply parses on the
 * controller's event loop. Fixed (src/config/yaml-locate.ts finds duplicate keys and locates
 * unknown ones in linear time; src/config/load.ts refuses files over CONFIG_LIMITS): its
 * reproduction is a regression test now.
 */
export const K4_QUADRATIC_PARSE: KnownConfigBug = {
  id: "K4",
  reason:
    "parseConfig is O(n²) in the keys of one mapping (yaml parseDocument uniqueKeys + src/config/yaml-locate.ts schemaProblems " +
    "locating every unknown key with a linear search): 16,000 keys (a 200 KB file) take ~4 s, 50,000 take ~55 s; " +
    "config.apply does this on the controller's event loop, so a bad file can stall the scan past the 2 s watchdog relay",
  matches: () => false,
};
