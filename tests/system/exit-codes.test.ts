// README's "Exit codes" table and src/system/exit-codes.ts say the same thing (STYLE.md 10):
// systemd's RestartPreventExitStatus= and the technicians' scripts rely on the numbers.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/system/exit-codes.js";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));
const DEPLOY_README = fileURLToPath(new URL("../../deploy/README.md", import.meta.url));

interface Row {
  code: number;
  name: string;
  meaning: string;
}

/** The rows of the first table under an "Exit codes" heading: | code | name | meaning | (more columns may follow). */
function exitCodeTable(markdown: string): Row[] | null {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => /^#{2,3}\s+Exit codes\s*$/i.test(l.trim()));
  if (start < 0) return null;
  const rows: Row[] = [];
  let inTable = false;
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    if (/^#{1,6}\s/.test(line)) break; // the next section
    if (!line.startsWith("|")) {
      if (inTable) break; // the table has ended
      continue;
    }
    inTable = true;
    const cells = line.replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue; // the separator
    const [code, name, meaning] = cells.map((c) => c.replace(/`/g, ""));
    if (code === undefined || !/^\d+$/.test(code)) continue; // the header
    // "CONFIG_INVALID", "config-invalid" and "config invalid" are one name.
    rows.push({ code: Number(code), name: (name ?? "").toUpperCase().replace(/[\s-]+/g, "_"), meaning: meaning ?? "" });
  }
  return inTable ? rows : null;
}

function expectSameAsExit(rows: Row[]): void {
  const documented = rows.map((r) => [r.code, r.name] as const).sort((a, b) => a[0] - b[0]);
  const inCode = Object.entries(EXIT)
    .map(([name, code]) => [code, name] as const)
    .sort((a, b) => a[0] - b[0]);
  expect(documented).toEqual(inCode);
  for (const r of rows) expect(r.meaning, `exit code ${r.code}`).not.toBe("");
}

const table = existsSync(README) ? exitCodeTable(readFileSync(README, "utf8")) : null;

describe("README exit codes", () => {
  if (table === null) {
    it.todo("README.md has no '## Exit codes' table yet (| code | name | meaning |): compare it with EXIT once it does");
    return;
  }
  it("lists every code in EXIT with its number, name and meaning, and nothing else", () => {
    expectSameAsExit(table);
  });
});

describe("deploy/README.md exit codes (what systemd does with each)", () => {
  it("lists every code in EXIT with its number, name and meaning, and nothing else", () => {
    const rows = exitCodeTable(readFileSync(DEPLOY_README, "utf8"));
    expect(rows).not.toBeNull();
    expectSameAsExit(rows ?? []);
  });
});

describe("exitCodeTable (the parser)", () => {
  it("reads the table under the heading, whatever the name's spelling", () => {
    const md = [
      "# Reclaim",
      "## Exit codes",
      "",
      "| code | name | meaning |",
      "|---:|---|---|",
      "| 0 | `OK` | stopped cleanly |",
      "| 3 | config-invalid | the config has problems |",
      "",
      "## Next",
      "| 9 | X | not this table |",
    ].join("\n");
    expect(exitCodeTable(md)).toEqual([
      { code: 0, name: "OK", meaning: "stopped cleanly" },
      { code: 3, name: "CONFIG_INVALID", meaning: "the config has problems" },
    ]);
  });

  it("is null without the heading or without a table under it", () => {
    expect(exitCodeTable("# Reclaim\n")).toBeNull();
    expect(exitCodeTable("## Exit codes\n\nSee below.\n\n## Other\n| 1 | A | b |\n")).toBeNull();
  });
});
