// Config files that are too big or repeat a key: refused with file:line:column, in time that
// grows linearly with the file (known bug K4: yaml's own duplicate-key check was quadratic).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_LIMITS, loadConfig } from "../../src/config/load.js";
import { parseYaml } from "../../src/config/yaml-locate.js";
import { ERROR_CODES, FileProblemsError } from "../../src/system/errors.js";
import { configProblems, REFERENCE_CONFIG_PATH } from "../helpers/config.js";

const reference = readFileSync(REFERENCE_CONFIG_PATH, "utf8");

const problemsOf = (text: string): FileProblemsError => configProblems(text);

function lineOf(text: string, needle: string, from = 0): number {
  return text.split("\n").findIndex((l, i) => i >= from && l.includes(needle)) + 1;
}

describe("duplicate keys", () => {
  it("a repeated top-level key is refused at the second one, with file:line:column", () => {
    const text = `${reference}\nskid: { id: X }\n`;
    const err = problemsOf(text);
    expect(err.code).toBe(ERROR_CODES.CONFIG_INVALID);
    const line = lineOf(text, "skid: { id: X }");
    expect(err.problems).toEqual([expect.objectContaining({ file: "bad.yaml", line, column: 1, path: "" })]);
    expect(err.message).toContain(`bad.yaml:${line}:1: Map keys must be unique: "skid" is already at line ${lineOf(text, "skid:")}:1`);
  });

  it("a repeated key in a nested block mapping points at its own column", () => {
    const text = reference.replace("  scanPeriod: 100ms\n", "  scanPeriod: 100ms\n  scanPeriod: 200ms\n");
    const err = problemsOf(text);
    const line = lineOf(text, "scanPeriod: 200ms");
    expect(err.message).toContain(`bad.yaml:${line}:3: Map keys must be unique: "scanPeriod"`);
  });

  it("a repeated key in a flow mapping inside a list item is found too", () => {
    const text = reference.replace("      critical: { high: 0.5 }", "      critical: { high: 0.5, high: 0.6 }");
    const err = problemsOf(text);
    const line = lineOf(text, "high: 0.5, high: 0.6");
    expect(err.problems.map((p) => `${p.line}:${p.column}`)).toEqual([`${line}:${"      critical: { high: 0.5, ".length + 1}`]);
  });

  it("every duplicate is reported, in file order", () => {
    const err = problemsOf("a: 1\nb:\n  x: 1\n  x: 2\na: 3\nc: [{ y: 1, y: 2 }]\n");
    expect(err.problems.map((p) => `${p.line}:${p.column}`)).toEqual(["4:3", "5:1", "6:13"]);
  });

  it("keys written differently that become the same property count as duplicates (1 and '1', ~ and null)", () => {
    // yaml's own check compared values (1 !== "1"), but both land on the property "1" and the
    // later one would silently win.
    expect(problemsOf("1: a\n'1': b\n").message).toBe(`bad.yaml:2:1: Map keys must be unique: "1" is already at line 1:1`);
    expect(problemsOf("~: a\nnull: b\n").message).toBe(`bad.yaml:2:1: Map keys must be unique: "null" is the same key as "~" at line 1:1`);
    expect(problemsOf("0x10: a\n16: b\n").message).toBe(`bad.yaml:2:1: Map keys must be unique: "16" is the same key as "0x10" at line 1:1`);
  });

  it("the same key in sibling mappings, or as a value, is not a duplicate", () => {
    expect(parseYaml("a: { x: 1 }\nb: { x: 1 }\nc: [{ x: 1 }, { x: 2 }]\nd: a\n", "ok.yaml").syntax).toEqual([]);
  });
});

describe("size limits", () => {
  it("text over the byte limit is refused before parsing, naming the file and the limit", () => {
    const text = `${reference}\n# ${"x".repeat(CONFIG_LIMITS.maxBytes)}\n`;
    const err = problemsOf(text);
    expect(err.code).toBe(ERROR_CODES.CONFIG_INVALID);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toMatch(/^bad\.yaml:1:1: the file is \d+ KiB, over the limit of 256 KiB for a config file/);
  });

  it("counts bytes, not characters", () => {
    // 'µ' is two bytes in UTF-8: under the limit in characters, over it in bytes.
    const text = `# ${"µ".repeat(CONFIG_LIMITS.maxBytes / 2)}\n`;
    expect(text.length).toBeLessThan(CONFIG_LIMITS.maxBytes);
    expect(problemsOf(text).message).toContain("over the limit of 256 KiB");
  });

  it("an oversized file on disk is refused as invalid (exit 3), not unreadable", () => {
    const dir = mkdtempSync(join(tmpdir(), "reclaim-limits-"));
    try {
      const file = join(dir, "huge.yaml");
      writeFileSync(file, `${reference}\n${"#".repeat(CONFIG_LIMITS.maxBytes)}\n`);
      let err: unknown;
      try {
        loadConfig(file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FileProblemsError);
      expect((err as FileProblemsError).code).toBe(ERROR_CODES.CONFIG_INVALID);
      expect((err as FileProblemsError).message).toContain(`${file}:1:1: the file is`);
      expect((err as FileProblemsError).message).toContain("over the limit of 256 KiB");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file under the byte limit with too many YAML nodes is refused, naming the limit", () => {
    const text = `[${Array(CONFIG_LIMITS.maxNodes + 10).fill("0").join(",")}]\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(CONFIG_LIMITS.maxBytes);
    const err = problemsOf(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toBe(`bad.yaml:1:1: the file has ${CONFIG_LIMITS.maxNodes + 11} YAML nodes, over the limit of ${CONFIG_LIMITS.maxNodes} for a config file`);
  });

  it("a 20,000-key file (inside both limits) is parsed in full: every unknown key located on its own line", () => {
    // How fast is checked by the K4 regression test (tests/reliability/known-bugs.test.ts).
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join("\n");
    expect(Buffer.byteLength(text)).toBeLessThan(CONFIG_LIMITS.maxBytes);
    const unknown = problemsOf(text).problems.filter((p) => p.message.startsWith("unknown key"));
    expect(unknown).toHaveLength(20_000);
    expect(unknown[0]).toMatchObject({ line: 1, column: 1, path: "k0" });
    expect(unknown[19_999]).toMatchObject({ line: 20_000, column: 1, path: "k19999", message: 'unknown key "k19999"' });
  });
});
