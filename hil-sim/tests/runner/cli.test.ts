// `npm run scenario` as CI and scripts use it: a real process, its exit code, and the JSON
// object on the last line of stdout; an invalid file named with file:line:column.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../../src/system/exit-codes.js";

const CLI = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "reclaim-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (s: string): string => s.trimEnd().split("\n").at(-1) ?? "";

const TINY = `name: tiny
description: half a minute of a quiet plant
duration: 30s
seed: 4
expect:
  - noDivert: { from: 0s, to: 30s }
  - offSpecToReuseL: { max: 0 }
`;

// Spawning is I/O for this process: the runs overlap.
describe.concurrent("npm run scenario", () => {
  it("exits 0 with the result as one JSON object on the last line, keys in the documented order", async () => {
    const r = await cli("scenario", file("tiny.yaml", TINY), "--virtual", "--json");
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const result = JSON.parse(lastLine(r.stdout)) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual([
      "scenario",
      "passed",
      "failures",
      "simulatedS",
      "wallS",
      "reuseM3",
      "divertedM3",
      "offSpecToReuseL",
      "diverts",
      "trips",
      "finalState",
      "qualityMode",
    ]);
    expect(result).toMatchObject({ scenario: "tiny", passed: true, failures: [], simulatedS: 30, offSpecToReuseL: 0, diverts: [], trips: [], finalState: "Execute", qualityMode: "Reuse" });
    expect(result.reuseM3).toBeCloseTo(0.25, 1);
    // Human lines come first.
    expect(r.stdout).toMatch(/^scenario tiny: half a minute of a quiet plant\n/);
    expect(r.stdout).toMatch(/\nPASS tiny: 30s simulated/);
  }, 60_000);

  it("exits 10 when an expectation does not hold, and says which", async () => {
    const r = await cli("scenario", file("fails.yaml", `${TINY}  - finalState: Aborted\n`), "--json");
    expect(r.code, r.stderr).toBe(EXIT.SCENARIO_FAILED);
    const result = JSON.parse(lastLine(r.stdout)) as { passed: boolean; failures: string[] };
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(["final state expected Aborted: was Execute"]);
    expect(r.stdout).toContain("✗ final state expected Aborted: was Execute");
  }, 60_000);

  it("exits 2 for an invalid scenario, naming every problem with file:line:column, before running anything", async () => {
    const bad = file("bad.yaml", `name: bad\nduration: 5 min\nevents:\n  - { at: 1m, fault: stuk, tag: AIT-403 }\n  - { at: 1m, fault: offline, device: analyser-1 }\n`);
    const r = await cli("scenario", bad, "--json");
    expect(r.code).toBe(EXIT.USAGE);
    // Nothing ran, but with --json the last line of stdout is still one JSON object.
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as { scenario: string; passed: boolean; error: string; problems: Array<{ line: number; path: string }> };
    expect(last).toMatchObject({ scenario: "bad", passed: false, error: "RECLAIM_E_SCENARIO_INVALID" });
    expect(last.problems.map((p) => `${p.line}:${p.path}`)).toEqual(["2:duration", "4:events[0].fault", "5:events[1].device"]);
    expect(r.stdout).not.toContain("virtual time");
    expect(r.stderr).toContain(`${bad}:2:11: duration: expected a duration with its unit`);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, "\\.")}:4:\\d+: events\\[0\\]\\.fault: unknown fault "stuk"`));
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, "\\.")}:5:\\d+: events\\[1\\]\\.device: unknown device "analyser-1"`));
  }, 60_000);

  it("exits 2 for contradictory options", async () => {
    const r = await cli("scenario", file("opts.yaml", TINY), "--virtual", "--speed", "10");
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain("--virtual and --speed exclude each other");
  }, 60_000);
});
