// Config validation: a bad file stops start-up with the file, line and key that is wrong,
// every problem at once.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { FileProblemsError} from "../../src/system/errors.js";
import { ERROR_CODES } from "../../src/system/errors.js";
import { configProblems, REFERENCE_CONFIG_PATH } from "../helpers/config.js";

const reference = readFileSync(REFERENCE_CONFIG_PATH, "utf8");

const problemsOf = (text: string): FileProblemsError => configProblems(text);

function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((l) => l.includes(needle)) + 1;
}

describe("config loading", () => {
  it("accepts the reference skid and fills defaults, durations in ms", () => {
    const c = parseConfig(reference, "reference-skid.yaml");
    expect(c.skid.id).toBe("RS-30");
    expect(c.quality.ccps.find((p) => p.name === "CCP-1")?.delay).toBe(10_000);
    expect(c.devices.find((d) => d.name === "analyzer-1")?.demotionPeriod).toBe(5_000);
  });

  it("rejects a misspelled key, naming file, line, column and key path", () => {
    const text = reference.replace("      critical: { high: 0.5 }", "      critcal: { high: 0.5 }");
    const err = problemsOf(text);
    expect(err.code).toBe(ERROR_CODES.CONFIG_INVALID);
    const line = lineOf(text, "critcal:");
    expect(err.message).toContain(`bad.yaml:${line}:7: quality.ccps[0].critcal: unknown key "critcal"`);
    // The missing key it was meant to be is reported too, at its parent.
    expect(err.problems.some((p) => p.path === "quality.ccps[0].critical" && /missing/.test(p.message))).toBe(true);
  });

  it("rejects a wrong type with the path and the line of the value", () => {
    const text = reference.replace("  scanPeriod: 100ms", "  scanPeriod: 100");
    const err = problemsOf(text);
    const line = lineOf(text, "scanPeriod: 100");
    expect(err.problems).toEqual([expect.objectContaining({ file: "bad.yaml", line, column: 15, path: "skid.scanPeriod" })]);
    expect(err.problems[0]?.message).toMatch(/expected string/);
  });

  it("rejects a duration without a unit", () => {
    const err = problemsOf(reference.replace("      delay: 10s\n      response: 30s\n      transportVolume: 1.0     # m³, contact pipe", "      delay: 10 s\n      response: 30s\n      transportVolume: 1.0     # m³, contact pipe"));
    expect(err.problems[0]?.path).toBe("quality.ccps[0].delay");
    expect(err.problems[0]?.message).toMatch(/duration with its unit/);
  });

  it("reports YAML syntax errors with their line", () => {
    const err = problemsOf("version: 1\nskid: { id: RS-30\n");
    expect(err.problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it("reports every semantic problem at once: unknown tag, alert beyond critical, short verification", () => {
    const text = reference
      .replace("      tag: AIT-403", "      tag: AIT-499")
      .replace("      alert: { high: 100 }", "      alert: { high: 200 }")
      .replace("  verification: 300s", "  verification: 30s");
    const err = problemsOf(text);
    const messages = err.problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'quality.ccps[0].tag: unknown tag "AIT-499"',
        "quality.ccps[1].alert.high: alert limit 200 is beyond the critical limit 150",
        "quality.verification: verification period 30s is below the minimum of 60s",
      ]),
    );
    expect(err.problems.find((p) => p.path === "quality.verification")?.line).toBe(lineOf(text, "verification: 30s"));
  });

  it("rejects protection that reads a device with no row for losing that device", () => {
    const start = reference.indexOf("  - name: DRIVE-OFFLINE");
    const end = reference.indexOf("  - name: ANALYZER-OFFLINE");
    const err = problemsOf(reference.slice(0, start) + reference.slice(end));
    expect(err.problems.map((p) => p.message)).toContainEqual(
      'reads P-101-FAULT from vfd-p101, but no protection row acts on "not vfd-p101.online": add one (rows do not trip on a device that stops answering)',
    );
  });

  it("rejects a CCP whose reaction cannot beat the water to the valve", () => {
    const text = reference.replace("      delay: 30s\n", "      delay: 100s\n");
    const err = problemsOf(text);
    expect(err.problems.map((p) => p.message).join("\n")).toMatch(/CCP-3 cannot divert in time: .* = 134\.1 s, but water reaches the valve in 120\.0 s/);
  });
});
