// Reads a scenario file for the runner: the scenario format of src/scenario (parsed there,
// with its located errors), plus one runner section the plant cannot express because it is a
// fault of the controller, not of the plant:
//
//   controller:
//     hang: [{ at: 6m, for: 90s }]     # the control loop stops (a blocked event loop)
//
// The section is checked here with the same file:line:column problems, then blanked out
// (newlines kept, so every other line number stays true) before the scenario parser sees it.
import { readFileSync } from "node:fs";
import { isMap, isScalar, type Node, type Pair } from "yaml";
import { z } from "zod";
import { DURATION_RE, parseDuration } from "../../../src/config/units.js";
import { locate, parseYaml, schemaProblems } from "../../../src/config/yaml-locate.js";
import { ERROR_CODES, FileProblemsError, ReclaimError, type Problem } from "../../../src/system/errors.js";
import { parseScenario } from "../scenario/parse.js";
import type { KnownTargets } from "../scenario/schema.js";
import type { Scenario } from "../scenario/types.js";

/** A window in which the controller's loop does not run (scenario ms). */
export interface ControllerHang {
  atMs: number;
  forMs: number;
}

export interface ControllerFaults {
  hang: ControllerHang[];
}

export interface ScenarioFile {
  scenario: Scenario;
  controller: ControllerFaults;
}

export const NO_CONTROLLER_FAULTS: ControllerFaults = Object.freeze({ hang: [] });

const dur = z
  .string({ error: 'expected a duration with its unit, such as "500ms", "10s", "5m", "2h"' })
  .regex(DURATION_RE, 'expected a duration with its unit, such as "500ms", "10s", "5m", "2h"')
  .transform((s) => parseDuration(s) as number);

const controllerSchema = z
  .object({
    hang: z
      .array(
        z
          .object({
            at: dur.describe("when the control loop stops, from the scenario's start"),
            for: dur.refine((ms) => ms > 0, "must be longer than 0").describe("how long it stays stopped"),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const rootSchema = z.object({ controller: controllerSchema.optional() }).loose();

function controllerPair(doc: { contents: unknown }): Pair<Node, Node> | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  return root.items.find((p) => isScalar(p.key) && p.key.value === "controller") as Pair<Node, Node> | undefined;
}

/** The text with [from, to) replaced by spaces, newlines kept. */
function blank(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(from, to).replace(/[^\n]/g, " ") + text.slice(to);
}

export function parseScenarioFile(text: string, file: string, known?: KnownTargets): ScenarioFile {
  const y = parseYaml(text, file);
  const problems: Problem[] = [];
  let controller: ControllerFaults = NO_CONTROLLER_FAULTS;
  let scenarioText = text;
  const pair = y.syntax.length === 0 ? controllerPair(y.doc) : undefined;
  if (pair) {
    const parsed = rootSchema.safeParse(y.doc.toJS());
    if (parsed.success) controller = { hang: (parsed.data.controller?.hang ?? []).map((h) => ({ atMs: h.at, forMs: h.for })) };
    else problems.push(...schemaProblems(y, parsed.error.issues));
    const from = pair.key.range?.[0] ?? 0;
    const to = pair.value?.range?.[2] ?? pair.key.range?.[2] ?? from;
    scenarioText = blank(text, from, to);
  }
  let scenario: Scenario | undefined;
  try {
    scenario = parseScenario(scenarioText, file, known);
  } catch (err) {
    if (!(err instanceof FileProblemsError)) throw err;
    problems.push(...err.problems);
  }
  if (scenario) {
    const end = scenario.durationMs;
    controller.hang.forEach((h, i) => {
      if (h.atMs > end) {
        problems.push({ file, ...locate(y, ["controller", "hang", i, "at"]), path: `controller.hang[${i}].at`, message: "starts after the scenario ends" });
      }
    });
  }
  if (problems.length > 0 || !scenario) {
    throw new FileProblemsError(ERROR_CODES.SCENARIO_INVALID, problems.sort((a, b) => a.line - b.line || a.column - b.column));
  }
  return { scenario, controller };
}

export function loadScenarioFile(file: string, known?: KnownTargets): ScenarioFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ReclaimError(ERROR_CODES.SCENARIO_INVALID, `cannot read scenario ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseScenarioFile(text, file, known);
}
