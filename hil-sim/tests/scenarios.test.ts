// The scenario library (hil-sim/scenarios/*.yaml) against the real controller with the
// reference config, every file in virtual time, two at a time in child processes (a virtual
// run is CPU-bound; vitest runs one file per worker). A scenario that cannot pass yet because
// the controller or its config lacks something is listed in EXPECTED_FAILURES with the exact
// reason: it runs as `it.fails`, so it shows as an expected failure and turns into an error
// the day it passes (then take it off the list). A companion test checks that it fails only
// for that reason, so an expected failure cannot hide a new one.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startPool, type PoolOutcome, type ScenarioPool } from "../src/runner/pool.js";
import { REFERENCE_CONFIG } from "../src/runner/run.js";
import { loadScenarioFile } from "../src/runner/scenario-file.js";

interface Known {
  /** Why it cannot pass today: the missing controller feature or config. */
  reason: string;
  /** Every failure sentence (or run error) must match one of these. */
  failures: RegExp[];
}

// A stopped RO pump: PIT-301 reads about 0 bar with noise, so sometimes a little below 0.
// Config range [0, 25] makes that "out of range", a bad input, and protection's fail-safe
// rule (a cause that cannot be evaluated holds) then trips RO-HIGH-PRESSURE: Abort.
const PIT301_ABORT =
  "controller/config: with P-301 stopped, PIT-301 noise dips below 0 bar; range [0, 25] makes that a bad input and the fail-safe " +
  "protection rule trips RO-HIGH-PRESSURE, aborting a skid that should be held or suspended";
// rio-1 lost: every row whose cause reads a rio-1 input trips by the same fail-safe rule,
// and RO-HIGH-PRESSURE's Abort wins over RIO-OFFLINE's Hold.
const RIO_ABORT =
  "controller/config: with rio-1 offline every protection row on its inputs trips (fail-safe: a bad cause holds), and RO-HIGH-PRESSURE's " +
  "Abort overrides RIO-OFFLINE's Hold that REFERENCE-SKID.md asks for";
const WAS_ABORTED = /^final state expected (Execute|Held|Suspended): was Aborted$/;

const EXPECTED_FAILURES: Readonly<Record<string, Known>> = {
  "eq-low": { reason: PIT301_ABORT, failures: [WAS_ABORTED] },
  "reuse-full": { reason: PIT301_ABORT, failures: [WAS_ABORTED] },
  "vfd-p101-fault": { reason: PIT301_ABORT, failures: [WAS_ABORTED] },
  "vfd-p301-fault": { reason: PIT301_ABORT, failures: [WAS_ABORTED] },
  "rio-offline": { reason: RIO_ABORT, failures: [WAS_ABORTED] },
  "rio-offline-upset": { reason: RIO_ABORT, failures: [WAS_ABORTED] },
  "break-low": {
    reason: `${PIT301_ABORT}; and then the config runs P-101 only in Starting/Execute, so in Suspended nothing refills the break tank and the skid never resumes`,
    failures: [/^final state expected Execute: was (Aborted|Suspended)$/],
  },
  "tmp-cip": {
    reason:
      "config: TMP-BACKWASH restarts the backwash every ~100 s while fouling no backwash removes keeps TMP > 0.8 bar (no minimum interval); " +
      `each backwash draws ~1.8 m³ from the break tank, so BREAK-LOW suspends before TMP-CIP's 60 s ever run out; then ${PIT301_ABORT}`,
    failures: [/^alarm TMP-CIP expected: never raised$/, /^final state expected Held: was (Aborted|Suspended)$/],
  },
  "day-normal": {
    reason:
      "config runs P-101 at 75 % (45 m³/h) against the RO's 40 m³/h: the break tank overflows, LIT-202 noise above its 0–100 % range is a bad " +
      "input, and BREAK-LOW's fail-safe rule suspends the skid for a moment, about 16 times a day",
    failures: [/^no trip expected from 0s to 24h: trip at [\dhms.]+ \(BREAK-LOW\)( and \d+ more)?$/],
  },
};

const DIR = fileURLToPath(new URL("../scenarios/", import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const nameOf = (file: string): string => path.basename(file, ".yaml");

// Longest first, so that the day-long run is not the last to start.
const duration = (file: string): number => {
  try {
    return loadScenarioFile(path.join(DIR, file)).scenario.durationMs;
  } catch {
    return 0;
  }
};
const ORDER = [...FILES].sort((a, b) => duration(b) - duration(a)).map((f) => path.join(DIR, f));
// Started by the first test that needs it, so a run filtered to other tests costs nothing.
let pool: ScenarioPool | undefined;
const started = (): ScenarioPool => (pool ??= startPool(ORDER, { jobs: 2, config: REFERENCE_CONFIG }));
afterAll(() => pool?.close(true));

// A test may wait for the whole library to run before its own result comes (they all start at once).
const TIMEOUT = 300_000;

function failuresOf(o: PoolOutcome): string[] {
  return "error" in o ? [`could not run: ${o.error}`] : o.result.failures;
}

describe("scenario library", () => {
  it("lists only scenarios that exist as expected failures", () => {
    expect(Object.keys(EXPECTED_FAILURES).filter((n) => !FILES.includes(`${n}.yaml`))).toEqual([]);
  });

  for (const file of FILES) {
    const name = nameOf(file);
    const outcome = (): Promise<PoolOutcome> => started().outcome(path.join(DIR, file));
    const known = EXPECTED_FAILURES[name];
    if (!known) {
      it(name, async () => expect(failuresOf(await outcome())).toEqual([]), TIMEOUT);
      continue;
    }
    it.fails(`${name} — expected failure: ${known.reason}`, async () => expect(failuresOf(await outcome())).toEqual([]), TIMEOUT);
    it(`${name} fails only for its known reason`, async () => {
      const unexpected = failuresOf(await outcome()).filter((f) => !known.failures.some((re) => re.test(f)));
      expect(unexpected).toEqual([]);
    }, TIMEOUT);
  }
});
