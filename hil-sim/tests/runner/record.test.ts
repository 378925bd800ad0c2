// What the runner records from the controller's events: diverts with their cause, trips with
// the cause of the acting state that led to them, alarms when raised; times from sim start.
import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import type { CoreEvent } from "../../../src/core/scan.js";
import { RunRecorder, withHardwareDiverts, type RecordedLine } from "../../src/runner/record.js";

const NO_FIRST_OUT = null;

describe("RunRecorder", () => {
  it("records diverts with their cause and times relative to the simulator's start", () => {
    const r = new RunRecorder(5_000);
    const events$ = new Subject<CoreEvent>();
    r.subscribe(events$);
    events$.next({ type: "quality-mode", at: 15_100, mode: "Divert", cause: "CCP-1", firstOut: NO_FIRST_OUT });
    events$.next({ type: "quality-mode", at: 320_000, mode: "Reuse", cause: null, firstOut: NO_FIRST_OUT });
    events$.next({ type: "quality-mode", at: 400_000, mode: "Divert", cause: "sequence uf-backwash", firstOut: NO_FIRST_OUT });
    expect(r.diverts).toEqual([
      { atS: 10.1, cause: "CCP-1" },
      { atS: 395, cause: "sequence uf-backwash" },
    ]);
  });

  it("records a trip when the wait state is reached, with the cause that started it", () => {
    const lines: RecordedLine[] = [];
    const r = new RunRecorder(0, (l) => lines.push(l));
    r.take({ type: "state", at: 1_000, from: "Execute", to: "Holding", cause: "P-301-DRIVE-FAULT" });
    r.take({ type: "state", at: 1_100, from: "Holding", to: "Held", cause: "state complete" });
    r.take({ type: "state", at: 9_000, from: "Held", to: "Aborting", cause: "RO-HIGH-PRESSURE" });
    r.take({ type: "state", at: 9_100, from: "Aborting", to: "Aborted", cause: "state complete" });
    r.take({ type: "state", at: 20_000, from: "Aborted", to: "Clearing", cause: "Clear" });
    expect(r.trips).toEqual([
      { atS: 1.1, cause: "P-301-DRIVE-FAULT" },
      { atS: 9.1, cause: "RO-HIGH-PRESSURE" },
    ]);
    expect(lines.filter((l) => l.kind === "trip")).toHaveLength(2);
  });

  it("records an alarm when it is annunciated, not when it returns or is acknowledged", () => {
    const r = new RunRecorder(0);
    const alarm = (at: number, from: string, to: string): CoreEvent =>
      ({ type: "alarm", kind: "alarm", alarm: "CCP-1", from, to, at, priority: "critical" }) as CoreEvent;
    r.take(alarm(1_000, "Normal", "Unacknowledged"));
    r.take(alarm(2_000, "Unacknowledged", "RTNUnacknowledged"));
    r.take(alarm(3_000, "RTNUnacknowledged", "Unacknowledged"));
    r.take(alarm(4_000, "Unacknowledged", "Acknowledged"));
    expect(r.alarms).toEqual([
      { name: "CCP-1", atS: 1 },
      { name: "CCP-1", atS: 3 },
    ]);
  });

  it("records what the first scan did before anyone could subscribe", () => {
    const r = new RunRecorder(0);
    r.reconcileStart({ state: "Execute", qualityMode: "Reuse" }, { state: "Execute", qualityMode: "Divert", cause: "CCP-1" }, 100);
    expect(r.diverts).toEqual([{ atS: 0.1, cause: "CCP-1 (first scan)" }]);
    const quiet = new RunRecorder(0);
    quiet.reconcileStart({ state: "Execute", qualityMode: "Reuse" }, { state: "Execute", qualityMode: "Reuse", cause: null }, 100);
    expect(quiet.diverts).toEqual([]);
  });
});

describe("withHardwareDiverts", () => {
  const HW = "hardware: XV-501 left reuse without the controller (watchdog relay or coupler)";
  it("adds the valve leaving reuse with no controller divert just before (a hung controller's relay)", () => {
    expect(withHardwareDiverts([{ atS: 360, cause: "CCP-1" }], [122.1, 360.4], 0.5)).toEqual([
      { atS: 122.1, cause: HW },
      { atS: 360, cause: "CCP-1" },
    ]);
  });

  it("does not add a valve movement the controller commanded (its divert up to 10 s before: command and travel)", () => {
    expect(withHardwareDiverts([{ atS: 100, cause: "CCP-2" }], [103.2], 0.5)).toEqual([{ atS: 100, cause: "CCP-2" }]);
    expect(withHardwareDiverts([{ atS: 100, cause: "CCP-2" }], [111], 0.5)).toEqual([
      { atS: 100, cause: "CCP-2" },
      { atS: 111, cause: HW },
    ]);
  });

  it("ignores the controller's own start-up, when it holds its outputs safe until its first scan", () => {
    expect(withHardwareDiverts([], [0.1], 0.47)).toEqual([]);
  });
});
