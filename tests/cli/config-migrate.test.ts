// The config migration framework, with a synthetic registry (version 1 is the first real
// one): one step at a time, a backup of the file before each step, plain-word notes of what
// changed, comments kept, and nothing written on a dry run or without a step to take.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Document } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { migrateFile, migrateText, versionOf, type MigrationStep } from "../../src/config/migrate.js";
import { EXIT } from "../../src/system/exit-codes.js";
import { REFERENCE_CONFIG_PATH } from "../helpers/config.js";
import { runCli } from "./harness.js";

/** A made-up version 0: the socket was `control.socketPath` and the scan period a number of ms. */
const V0_TO_V1: MigrationStep = {
  from: 0,
  to: 1,
  summary: "durations carry their unit; control.socketPath is control.socket",
  apply(doc: Document): string[] {
    const notes: string[] = [];
    const socket = doc.getIn(["control", "socketPath"]);
    if (typeof socket === "string") {
      doc.deleteIn(["control", "socketPath"]);
      doc.setIn(["control", "socket"], socket);
      notes.push(`control.socketPath is now control.socket (${socket})`);
    }
    const scan = doc.getIn(["skid", "scanPeriod"]);
    if (typeof scan === "number") {
      doc.setIn(["skid", "scanPeriod"], `${scan}ms`);
      notes.push(`skid.scanPeriod ${scan} is now "${scan}ms": durations are written with their unit`);
    }
    return notes;
  },
};

/** A second made-up step, to show the steps run one after the other. */
const V1_TO_V2: MigrationStep = {
  from: 1,
  to: 2,
  summary: "skid.name is required",
  apply(doc: Document): string[] {
    if (doc.getIn(["skid", "name"]) !== undefined) return [];
    doc.setIn(["skid", "name"], "unnamed skid");
    return ['skid.name was missing and is now "unnamed skid": give the skid its real name'];
  },
};

let dir: string;
let file: string;

/** The reference skid written as the made-up version 0. */
function v0Text(): string {
  return readFileSync(REFERENCE_CONFIG_PATH, "utf8")
    .replace(/^version: 1$/m, "version: 0")
    .replace("scanPeriod: 100ms", "scanPeriod: 100")
    .replace("  socket: data/reclaim.sock", "  socketPath: data/reclaim.sock # where reclaim listens");
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-migrate-"));
  file = path.join(dir, "skid.yaml");
  writeFileSync(file, v0Text());
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("config migration", () => {
  it("migrates v0 to v1: a valid config, a backup, notes in plain words, comments kept", () => {
    const r = migrateFile(file, { steps: [V0_TO_V1], target: 1, now: new Date("2026-01-02T03:04:05Z") });
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]?.notes).toEqual(['control.socketPath is now control.socket (data/reclaim.sock)', 'skid.scanPeriod 100 is now "100ms": durations are written with their unit']);
    const text = readFileSync(file, "utf8");
    expect(versionOf(text)).toBe(1);
    expect(text).toMatch(/# RS-30, the reference skid/);
    expect(parseConfig(text, file).control.socket).toBe("data/reclaim.sock");
    expect(readFileSync(`${file}.v0.bak`, "utf8")).toBe(v0Text());
    expect(readFileSync(`${file}.migration.txt`, "utf8")).toMatch(/^2026-01-02T03:04:05\.000Z: version 0 → 1 \(durations carry their unit.*\); the file before it is .*skid\.yaml\.v0\.bak\n {2}- control\.socketPath is now control\.socket/);
  });

  it("runs the steps one at a time, each with its own backup, and never overwrites a backup", () => {
    writeFileSync(`${file}.v0.bak`, "an older backup\n");
    const r = migrateFile(file, { steps: [V1_TO_V2, V0_TO_V1], target: 2 });
    expect(r.steps.map((s) => `${s.from}→${s.to}`)).toEqual(["0→1", "1→2"]);
    expect(readFileSync(`${file}.v0.bak`, "utf8")).toBe("an older backup\n");
    expect(versionOf(readFileSync(`${file}.v0.1.bak`, "utf8"))).toBe(0);
    expect(versionOf(readFileSync(`${file}.v1.bak`, "utf8"))).toBe(1);
    expect(versionOf(readFileSync(file, "utf8"))).toBe(2);
  });

  it("a dry run writes nothing", () => {
    const r = migrateFile(file, { steps: [V0_TO_V1], target: 1, dryRun: true });
    expect(r.steps).toHaveLength(1);
    expect(readFileSync(file, "utf8")).toBe(v0Text());
    expect(existsSync(`${file}.v0.bak`)).toBe(false);
  });

  it("refuses a version without a step, a newer version, and a file without a version", () => {
    expect(() => migrateText(v0Text(), { steps: [], target: 1 })).toThrow(/no migration from version 0 toward 1/);
    expect(() => migrateText("version: 3\n", { steps: [V0_TO_V1], target: 1 })).toThrow(/newer than this reclaim understands/);
    expect(() => migrateText("skid: {}\n", { steps: [V0_TO_V1], target: 1 })).toThrow(/has no "version:"/);
  });

  it("the CLI never rewrites a file by itself: validate says to migrate; migrate with today's registry explains", async () => {
    const v = await runCli(["config", "validate", file]);
    expect(v.code).toBe(EXIT.CONFIG_INVALID);
    expect(v.stderr).toMatch(/run 'reclaim config migrate/);
    expect(readFileSync(file, "utf8")).toBe(v0Text());
    const m = await runCli(["config", "migrate", file]);
    expect(m.code).toBe(EXIT.CONFIG_INVALID);
    expect(m.stderr).toMatch(/no migration from version 0 toward 1: .* must be converted by hand/);
    const current = await runCli(["config", "migrate", REFERENCE_CONFIG_PATH, "--dry-run"]);
    expect(current.stdout).toMatch(/is version 1: nothing to migrate/);
  });
});
