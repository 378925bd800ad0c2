import { describe, expect, it } from "vitest";
import { ERROR_CODES, FileProblemsError, type Problem } from "../../../src/system/errors.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { REFERENCE_TARGETS } from "../../src/scenario/schema.js";

const EXAMPLE = `name: uf-breakthrough
description: A broken UF fibre lets turbidity through; the skid must divert and stay diverted.
duration: 30m
seed: 7
initial: { state: Execute, qualityMode: Reuse }
events:
  - { at: 5m, fault: feed-turbidity, value: 40, for: 10m }
  - { at: 20m, fault: spike, tag: AIT-403, value: 2.0, for: 4s }
  - { at: 25m, fault: offline, device: analyzer-1, for: 20s }
expect:
  - divert: { after: 5m, within: 2m }
  - noDivert: { from: 0s, to: 5m }
  - offSpecToReuseL: { max: 0 }
  - alarm: { name: CCP-1 }
  - finalState: Execute
`;

/** The problems a scenario text has, as "line:column path: message". */
function problems(text: string, known = REFERENCE_TARGETS): string[] {
  try {
    parseScenario(text, "s.yaml", known);
  } catch (err) {
    expect(err).toBeInstanceOf(FileProblemsError);
    const e = err as FileProblemsError;
    expect(e.code).toBe(ERROR_CODES.SCENARIO_INVALID);
    return e.problems.map((p: Problem) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
  return [];
}

const header = "name: t\nduration: 30m\n";

describe("scenario parser", () => {
  it("reads the reference example into times in ms and fault events", () => {
    const s = parseScenario(EXAMPLE, "uf-breakthrough.yaml");
    expect(s).toEqual({
      name: "uf-breakthrough",
      description: "A broken UF fibre lets turbidity through; the skid must divert and stay diverted.",
      durationMs: 1_800_000,
      seed: 7,
      initial: { state: "Execute", qualityMode: "Reuse" },
      plant: {},
      events: [
        { atMs: 300_000, forMs: 600_000, fault: "feed-turbidity", value: 40 },
        { atMs: 1_200_000, forMs: 4000, fault: "spike", tag: "AIT-403", value: 2 },
        { atMs: 1_500_000, forMs: 20_000, fault: "offline", device: "analyzer-1" },
      ],
      expect: [
        { kind: "divert", afterMs: 300_000, withinMs: 120_000 },
        { kind: "noDivert", fromMs: 0, toMs: 300_000 },
        { kind: "offSpecToReuseL", max: 0 },
        { kind: "alarm", name: "CCP-1" },
        { kind: "finalState", state: "Execute" },
      ],
    });
  });

  it("fills defaults: seed 1, initial Execute/Reuse, no events, no expectations", () => {
    const s = parseScenario(header, "s.yaml");
    expect(s.seed).toBe(1);
    expect(s.initial).toEqual({ state: "Execute", qualityMode: "Reuse" });
    expect(s.events).toEqual([]);
    expect(s.expect).toEqual([]);
  });

  it("reads every event parameter and expectation kind", () => {
    const s = parseScenario(
      `${header}plant: { valveTravelMs: 5000, estopHardwired: true }
events:
  - { at: 1m, fault: drift, tag: LIT-101, rate: 2.5 }
  - { at: 1m, fault: exception, device: rio-1, code: 4 }
  - { at: 1m, fault: slow, device: analyzer-1, delay: 800ms }
  - { at: 1m, fault: valve-stuck, position: reuse }
  - { at: 1m, fault: drive-trip, device: vfd-p301, value: 12 }
  - { at: 1m, fault: uf-fouling, rate: 0.5 }
  - { at: 1m, fault: wire-break, tag: LIT-202, for: 30s }
expect:
  - trip: { after: 1m, within: 10s }
  - noTrip: { from: 0s, to: 1m }
  - alarm: { name: P-301-FAULT, after: 1m, within: 5s }
  - noAlarm: { name: CCP-2 }
  - reuseM3: { min: 10 }
  - qualityMode: Divert
`,
      "s.yaml",
    );
    expect(s.plant).toEqual({ valveTravelMs: 5000, estopHardwired: true });
    expect(s.events.map((e) => [e.fault, e.rate ?? e.code ?? e.delayMs ?? e.position ?? e.value ?? e.forMs])).toEqual([
      ["drift", 2.5],
      ["exception", 4],
      ["slow", 800],
      ["valve-stuck", "reuse"],
      ["drive-trip", 12],
      ["uf-fouling", 0.5],
      ["wire-break", 30_000],
    ]);
    expect(s.expect.map((x) => x.kind)).toEqual(["trip", "noTrip", "alarm", "noAlarm", "reuseM3", "qualityMode"]);
  });

  it("reports YAML syntax errors with their line", () => {
    expect(problems("name: t\nduration: [30m\n")[0]).toMatch(/^\d+:\d+ /);
  });

  it("reports malformed times, unknown keys and unknown faults with line and column", () => {
    expect(
      problems(`${header}sed: 3
events:
  - { at: 5 min, fault: feed-turbidity, value: 40 }
  - { at: 1m, fault: stuk, tag: AIT-403 }
  - { at: 300, fault: estop }
  - { at: 1m, fault: estop, valu: 3 }
`),
    ).toEqual([
      '3:1 sed: unknown key "sed"',
      '5:11 events[0].at: expected a duration with its unit, such as "500ms", "10s", "5m", "2h"',
      `6:22 events[1].fault: unknown fault "stuk"; one of: stuck, offset, drift, spike, noise, wire-break, status, offline, exception, slow, corrupt, feed-turbidity, feed-conductivity, membrane-breach, uf-fouling, dosing-failure, valve-stuck, drive-trip, estop, eq-inflow, reuse-demand, product-ph, ro-overpressure`,
      '7:11 events[2].at: expected a duration with its unit, such as "500ms", "10s", "5m", "2h"',
      '8:29 events[3].valu: unknown key "valu"',
    ]);
  });

  it("reports bad targets: a sensor fault without tag, a device fault without device, unknown names", () => {
    expect(
      problems(`${header}events:
  - { at: 1m, fault: stuck }
  - { at: 1m, fault: offline }
  - { at: 1m, fault: offset, tag: AIT-999, value: 1 }
  - { at: 1m, fault: offline, device: analyzer-9 }
  - { at: 1m, fault: drive-trip, device: analyzer-1 }
  - { at: 1m, fault: wire-break, tag: AIT-403 }
  - { at: 1m, fault: estop, tag: HS-001 }
`),
    ).toEqual([
      '4:5 events[0].tag: missing: fault "stuck" needs a tag',
      '5:5 events[1].device: missing: fault "offline" needs a device',
      '6:35 events[2].tag: unknown tag "AIT-999"',
      '7:39 events[3].device: unknown device "analyzer-9"',
      '8:42 events[4].device: unknown drive (one of vfd-p101, vfd-p301) "analyzer-1"',
      '9:39 events[5].tag: "wire-break" needs a 4–20 mA input (LIT-101, LIT-202, LIT-601, PIT-201, PIT-202, PIT-301), not "AIT-403"',
      '10:34 events[6].tag: fault "estop" takes no tag',
    ]);
  });

  it("reports missing and misplaced parameters, and values out of range", () => {
    expect(
      problems(`${header}events:
  - { at: 1m, fault: drift, tag: LIT-101, value: 3 }
  - { at: 1m, fault: exception, device: rio-1 }
  - { at: 1m, fault: membrane-breach, value: 120 }
  - { at: 1m, fault: uf-fouling }
  - { at: 40m, fault: estop, for: 0s }
`),
    ).toEqual([
      '4:5 events[0].rate: missing: fault "drift" needs rate',
      '4:50 events[0].value: value does not apply to fault "drift"',
      '5:5 events[1].code: missing: fault "exception" needs code',
      "6:46 events[2].value: rejection must be 0–100 %",
      '7:5 events[3]: fault "uf-fouling" needs value or rate',
      "8:11 events[4].at: starts after the scenario ends",
      "8:35 events[4].for: must be longer than 0",
    ]);
  });

  it("reports an event after the end", () => {
    expect(problems(`${header}events:\n  - { at: 40m, fault: estop }\n`)).toEqual(["4:11 events[0].at: starts after the scenario ends"]);
  });

  it("reports malformed expectations", () => {
    expect(
      problems(`${header}expect:
  - divert: { after: 5m }
  - { divert: { after: 5m, within: 1m }, finalState: Execute }
  - finalstate: Execute
  - qualityMode: reuse
  - noDivert: { from: 5m, to: 1m }
`),
    ).toEqual([
      '4:13 expect[0].divert.within: missing: expected a duration with its unit, such as "500ms", "10s", "5m", "2h"',
      "5:5 expect[1]: one expectation per item (divert, noDivert, trip, noTrip, alarm, noAlarm, offSpecToReuseL, reuseM3, finalState, qualityMode), got divert + finalState",
      '6:5 expect[2].finalstate: unknown key "finalstate"',
      '7:18 expect[3].qualityMode: Invalid option: expected one of "Reuse"|"Divert"',
      "8:31 expect[4].noDivert.to: must be later than from",
    ]);
  });

  it("checks targets against the lists it is given (another skid)", () => {
    const known = { tags: ["TT-1"], devices: ["plc-1"], drives: [], currentLoopTags: ["TT-1"] };
    expect(problems(`${header}events:\n  - { at: 1m, fault: wire-break, tag: TT-1 }\n`, known)).toEqual([]);
    expect(problems(`${header}events:\n  - { at: 1m, fault: stuck, tag: AIT-403 }\n`, known)).toEqual(['4:34 events[0].tag: unknown tag "AIT-403"']);
  });
});
