// The fault matrix as vitest tests, shared by the full suite and the fast subset: one test per
// device × fault, each asserting the same things (see fault-matrix.ts), and a cell that does
// not recover is accepted only when a known bug (known-bugs.ts) explains it exactly.
import { expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { describeCase, MATRIX_DEVICES, MATRIX_FAULTS, runFaultCase, safeDuringFault, type FaultCaseResult, type MatrixFault } from "./fault-matrix.js";
import { explainedBy } from "./known-bugs.js";
import type { SkidMode } from "./skid.js";

/** What an operator may have to do after a device fault, by the reference config's rules. */
const NORMAL_OPERATOR = new Set(["Unhold", "ResetDivert"]);

export interface MatrixSuiteOptions {
  mode: SkidMode;
  cells?: ReadonlyArray<readonly [string, MatrixFault]>;
  faultMs?: number;
  recoveryLimitMs?: number;
  configure?: (c: Config) => Config;
  store?: boolean;
  timeoutMs?: number;
  /** Checks after the case, e.g. the real-socket handle count. */
  around?: <T>(run: () => Promise<T>) => Promise<T>;
}

export const ALL_CELLS: ReadonlyArray<readonly [string, MatrixFault]> = MATRIX_DEVICES.flatMap((d) => MATRIX_FAULTS.map((f) => [d, f] as const));

/** The assertions every cell makes, whatever the mode. */
export function checkCell(r: FaultCaseResult): void {
  const what = describeCase(r);
  expect(r.offSpecToReuseL, `off-spec water reached reuse: ${what}`).toBe(0);
  expect(r.reuseWithBadCcp, `reuse kept with a CCP input not Good: ${what}`).toEqual([]);
  expect(safeDuringFault(r), `not safe during the fault (role ${JSON.stringify(r.role)}): ${what}`).toBe(true);
  if (r.pendingTimersAfterStop !== null) expect(r.pendingTimersAfterStop, `virtual timers left after stop: ${what}`).toBe(0);
  const known = explainedBy(r);
  if (r.recoveredAfterMs !== null && known.length === 0) {
    expect(r.operator.filter((c) => !NORMAL_OPERATOR.has(c)), `operator had to do more than Unhold/ResetDivert: ${what}`).toEqual([]);
    return;
  }
  expect(known.map((b) => b.id), `did not recover, and no known bug explains it: ${what}`).not.toEqual([]);
  console.warn(`known: ${known.map((b) => b.id).join("+")}: ${what}`);
}

export function defineMatrix(o: MatrixSuiteOptions): void {
  const around = o.around ?? (<T>(run: () => Promise<T>) => run());
  for (const [device, fault] of o.cells ?? ALL_CELLS) {
    it(`${device} ${fault}: safe, never off-spec to reuse, recovers, leaves nothing behind`, async () => {
      const r = await around(() =>
        runFaultCase({
          device,
          fault,
          mode: o.mode,
          ...(o.faultMs !== undefined ? { faultMs: o.faultMs } : {}),
          ...(o.recoveryLimitMs !== undefined ? { recoveryLimitMs: o.recoveryLimitMs } : {}),
          ...(o.configure ? { configure: o.configure } : {}),
          ...(o.store !== undefined ? { store: o.store } : {}),
        }),
      );
      checkCell(r);
    }, o.timeoutMs ?? 60_000);
  }
}
