// Reads a scenario file: YAML syntax, then the schema and target checks, every problem at
// once with file:line:column (src/config/yaml-locate.ts), thrown as RECLAIM_E_SCENARIO_INVALID.
// Then maps the file's shape onto the runner's (times in ms, faults as FaultEvents).
import { readFileSync } from "node:fs";
import { parseYaml, schemaProblems } from "../../../src/config/yaml-locate.js";
import { ERROR_CODES, FileProblemsError, ReclaimError } from "../../../src/system/errors.js";
import type { FaultEvent } from "../model/faults.js";
import { REFERENCE_TARGETS, scenarioSchema, type KnownTargets, type ScenarioParsed } from "./schema.js";
import type { Expectation, Scenario } from "./types.js";

/** Validates scenario text; throws FileProblemsError naming every problem. */
export function parseScenario(text: string, file: string, known: KnownTargets = REFERENCE_TARGETS): Scenario {
  const y = parseYaml(text, file);
  if (y.syntax.length > 0) throw new FileProblemsError(ERROR_CODES.SCENARIO_INVALID, y.syntax);
  const result = scenarioSchema(known).safeParse(y.doc.toJS());
  if (!result.success) throw new FileProblemsError(ERROR_CODES.SCENARIO_INVALID, schemaProblems(y, result.error.issues));
  return toScenario(result.data);
}

export function loadScenario(file: string, known: KnownTargets = REFERENCE_TARGETS): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ReclaimError(ERROR_CODES.SCENARIO_INVALID, `cannot read scenario ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseScenario(text, file, known);
}

function toScenario(s: ScenarioParsed): Scenario {
  return {
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    durationMs: s.duration,
    seed: s.seed,
    initial: { state: s.initial.state, qualityMode: s.initial.qualityMode },
    plant: Object.fromEntries(Object.entries(s.plant).filter(([, v]) => v !== undefined)),
    events: s.events.map((e): FaultEvent => {
      const out: FaultEvent = { atMs: e.at, fault: e.fault };
      if (e.for !== undefined) out.forMs = e.for;
      if (e.tag !== undefined) out.tag = e.tag;
      if (e.device !== undefined) out.device = e.device;
      if (e.value !== undefined) out.value = e.value;
      if (e.rate !== undefined) out.rate = e.rate;
      if (e.code !== undefined) out.code = e.code;
      if (e.delay !== undefined) out.delayMs = e.delay;
      if (e.position !== undefined) out.position = e.position;
      return out;
    }),
    expect: s.expect.map(toExpectation),
  };
}

function toExpectation(x: ScenarioParsed["expect"][number]): Expectation {
  if (x.divert) return { kind: "divert", afterMs: x.divert.after, withinMs: x.divert.within };
  if (x.noDivert) return { kind: "noDivert", fromMs: x.noDivert.from, toMs: x.noDivert.to };
  if (x.trip) return { kind: "trip", afterMs: x.trip.after, withinMs: x.trip.within };
  if (x.noTrip) return { kind: "noTrip", fromMs: x.noTrip.from, toMs: x.noTrip.to };
  if (x.alarm) {
    const { name, after, within } = x.alarm;
    return { kind: "alarm", name, ...(after !== undefined ? { afterMs: after } : {}), ...(within !== undefined ? { withinMs: within } : {}) };
  }
  if (x.noAlarm) {
    const { name, from, to } = x.noAlarm;
    return { kind: "noAlarm", name, ...(from !== undefined ? { fromMs: from } : {}), ...(to !== undefined ? { toMs: to } : {}) };
  }
  if (x.offSpecToReuseL) return { kind: "offSpecToReuseL", max: x.offSpecToReuseL.max };
  if (x.reuseM3) {
    const { min, max } = x.reuseM3;
    return { kind: "reuseM3", ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  if (x.finalState) return { kind: "finalState", state: x.finalState };
  if (x.qualityMode) return { kind: "qualityMode", mode: x.qualityMode };
  // The schema admits exactly one key per item, so this is unreachable.
  throw new Error("empty expectation");
}
