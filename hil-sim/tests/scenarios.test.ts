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

// Every scenario passes today. A scenario that cannot pass because the controller or its
// config lacks something goes here, with the reason and the failures it is allowed.
const EXPECTED_FAILURES: Readonly<Record<string, Known>> = {};

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
