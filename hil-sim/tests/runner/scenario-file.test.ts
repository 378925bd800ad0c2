// The runner's scenario files: the scenario format plus the `controller:` section (a hung
// control loop), every problem located at its true line, even below the section.
import { describe, expect, it } from "vitest";
import { ERROR_CODES, FileProblemsError } from "../../../src/system/errors.js";
import { parseScenarioFile } from "../../src/runner/scenario-file.js";

function problems(text: string): string[] {
  try {
    parseScenarioFile(text, "s.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(FileProblemsError);
    expect((err as FileProblemsError).code).toBe(ERROR_CODES.SCENARIO_INVALID);
    return (err as FileProblemsError).problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
  return [];
}

describe("scenario file with a controller section", () => {
  it("reads the hang windows in ms and the scenario as the scenario parser does", () => {
    const f = parseScenarioFile(
      `name: hang\nduration: 10m\ncontroller:\n  hang:\n    - { at: 2m, for: 90s }\n    - { at: 8m, for: 500ms }\nevents:\n  - { at: 2m, fault: feed-turbidity, value: 40 }\n`,
      "s.yaml",
    );
    expect(f.controller.hang).toEqual([
      { atMs: 120_000, forMs: 90_000 },
      { atMs: 480_000, forMs: 500 },
    ]);
    expect(f.scenario.name).toBe("hang");
    expect(f.scenario.events).toEqual([{ atMs: 120_000, fault: "feed-turbidity", value: 40 }]);
  });

  it("has no controller faults when the section is absent", () => {
    expect(parseScenarioFile("name: t\nduration: 1m\n", "s.yaml").controller.hang).toEqual([]);
  });

  it("locates problems below the section at their own lines", () => {
    const text = `name: t\nduration: 10m\ncontroller:\n  hang: [{ at: 2m, for: 1m }]\nevents:\n  - { at: 1m, fault: stuk, tag: AIT-403 }\n`;
    expect(problems(text)).toEqual([expect.stringMatching(/^s\.yaml:6:\d+ events\[0\]\.fault: unknown fault "stuk"/)]);
  });

  it("locates problems inside the section, together with the scenario's own", () => {
    const text = `name: t\nduration: 10m\ncontroller:\n  hang:\n    - { at: 2 min, for: 1m }\n    - { at: 11m, for: 1m, why: x }\nevents:\n  - { at: 1m, fault: spike, tag: AIT-999, value: 1 }\n`;
    const got = problems(text);
    expect(got).toContainEqual(expect.stringMatching(/^s\.yaml:5:\d+ controller\.hang\[0\]\.at: expected a duration with its unit/));
    expect(got).toContainEqual(expect.stringMatching(/^s\.yaml:6:\d+ controller\.hang\[1\]\.why: unknown key "why"/));
    expect(got).toContainEqual(expect.stringMatching(/^s\.yaml:8:\d+ events\[0\]\.tag: unknown tag "AIT-999"/));
  });

  it("rejects a hang that starts after the scenario ends", () => {
    expect(problems(`name: t\nduration: 5m\ncontroller:\n  hang: [{ at: 6m, for: 1m }]\n`)).toEqual([
      expect.stringMatching(/^s\.yaml:4:\d+ controller\.hang\[0\]\.at: starts after the scenario ends/),
    ]);
  });
});
