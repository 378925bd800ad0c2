// The commands that read the database file and work without the controller: history export
// (CSV), audit list and verify (a tampered chain exits 13), and the compliance report (text,
// JSON and a self-contained HTML page). The database is written here, on a virtual clock,
// with a known hour of operation, so every figure of the report can be checked exactly.
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComplianceReport } from "../../src/report/compute.js";
import { loadConfig } from "../../src/config/load.js";
import { GOOD } from "../../src/core/quality.js";
import { openStore } from "../../src/store/index.js";
import { EXIT } from "../../src/system/exit-codes.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { REFERENCE_CONFIG_PATH } from "../helpers/config.js";
import { runCli } from "./harness.js";

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const MIN = 60_000;
let dir: string;
let db: string;

/** One hour of a steady skid: reuse from 10 to 40 min, CCP-1 off spec for the last 10 min, one force. */
async function writeHour(file: string): Promise<void> {
  const config = loadConfig(REFERENCE_CONFIG_PATH).config;
  const clock = new VirtualClock(T0);
  const store = openStore({ path: file, clock, clockSynced: true, checkpoint: "inline", tags: config.tags, flushInterval: 1000 });
  store.start();
  const event = (mode: string, cause: string, firstOut: unknown): void =>
    store.recordEvent({ type: "quality-mode", message: `quality mode ${mode}`, data: { mode, cause, firstOut }, wallTs: clock.wall(), monoTs: clock.now() });
  const command = (user: string, cmd: string, args: Record<string, unknown>, result = "accepted", newValue: unknown = null): void => {
    store.appendAuditNow({ kind: "command", user, action: cmd, data: { command: cmd, args, result, new: newValue, old: null }, wallTs: clock.wall(), monoTs: clock.now() });
  };
  for (let t = 0; t < 60 * MIN; t += 10_000) {
    if (t === 10 * MIN) event("Reuse", "", null);
    if (t === 40 * MIN) event("Divert", "CCP-1", { ccp: "CCP-1", reason: "AIT-403 0.6 > 0.5 for 10 s" });
    if (t === 20 * MIN) command("tech", "force P-401 = true", { tag: "P-401", value: true }, "accepted", true);
    if (t === 25 * MIN) command("tech", "unforce P-401", { tag: "P-401" });
    if (t === 30 * MIN) command("tech", "setpoint SP-P101 = 70", { name: "SP-P101", value: 70 }, "accepted", 70);
    if (t === 50 * MIN) command("anna", "force XV-203 = true", { tag: "XV-203", value: true }, "accepted", true);
    const values: Record<string, number> = {
      "FIT-201": 30,
      "FIT-501": 20,
      "FIT-301": 15,
      "FIT-302": 5,
      "P-101-POWER": 10,
      "P-301-POWER": 20,
      "AIT-403": t < 50 * MIN ? 0.1 : 0.6,
      "AIT-302": 40,
      "AIT-401": 1,
      "AIT-402": 7.4,
      "RJ-301": 98,
    };
    store.recordSamples(Object.entries(values).map(([tag, value]) => ({ tag, value, quality: GOOD, sourceTs: clock.wall(), mono: clock.now() })));
    await clock.advance(10_000);
  }
  await store.stop();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-offline-"));
  db = path.join(dir, "reclaim.sqlite");
  await writeHour(db);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const from = new Date(T0).toISOString();
const to = new Date(T0 + 60 * MIN).toISOString();
const offline = (...args: string[]) => runCli([...args, "--db", db, "--config", REFERENCE_CONFIG_PATH]);

describe("reclaim history export", () => {
  it("writes CSV for the tags and period asked", async () => {
    const r = await offline("history", "export", "--tags", "AIT-403,FIT-501", "--from", from, "--to", to);
    expect(r.code).toBe(EXIT.OK);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("time,tag,value,unit,quality");
    expect(lines[1]).toBe(`${from},AIT-403,0.1,NTU,good`);
    expect(lines).toContain(`${new Date(T0 + 50 * MIN).toISOString()},AIT-403,0.6,NTU,good`);
    expect(lines.filter((l) => l.includes(",FIT-501,")).length).toBeGreaterThanOrEqual(60);
  });

  it("writes to a file with --out, and refuses an unknown tag (exit 12)", async () => {
    const out = path.join(dir, "export.csv");
    const r = await offline("history", "export", "--tags", "FIT-201", "--from", from, "--to", to, "--out", out);
    expect(r.stderr).toMatch(/wrote \d+ samples to/);
    expect(readFileSync(out, "utf8")).toMatch(/^time,tag,value,unit,quality\n.*,FIT-201,30,m³\/h,good\n/);
    const bad = await offline("history", "export", "--tags", "AIT-999", "--last", "1h");
    expect(bad.code).toBe(EXIT.UNKNOWN_NAME);
    expect(bad.stderr).toMatch(/unknown tag AIT-999; tags with history: .*AIT-403/);
    expect((await offline("history", "export", "--tags", "AIT-403", "--from", "someday")).code).toBe(EXIT.USAGE);
  });
});

describe("reclaim audit", () => {
  it("lists who did what, with the change", async () => {
    const r = await offline("audit", "list", "--from", from, "--to", to);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/tech +command +setpoint SP-P101 = 70 +— → 70 +accepted/);
    const json = JSON.parse((await offline("audit", "list", "--user", "anna", "--json")).stdout) as Array<{ action: string }>;
    expect(json.map((a) => a.action)).toEqual(["force XV-203 = true"]);
  });

  it("verify passes on an intact chain and exits 13 on a tampered one", async () => {
    const ok = await offline("audit", "verify");
    expect(ok.code).toBe(EXIT.OK);
    expect(ok.stdout).toMatch(/audit trail intact: 4 records, hash chain verified/);
    const copy = path.join(dir, "tampered.sqlite");
    const src = new Database(db, { readonly: true });
    await src.backup(copy);
    src.close();
    const w = new Database(copy);
    w.prepare("UPDATE audit SET user = 'nobody' WHERE id = 2").run();
    w.close();
    const bad = await runCli(["audit", "verify", "--db", copy]);
    expect(bad.code).toBe(EXIT.AUDIT_BROKEN);
    expect(bad.stderr).toMatch(/audit trail BROKEN at record 2 \(edited\)/);
  });

  it("a missing database file is exit 4", async () => {
    expect((await runCli(["audit", "verify", "--db", path.join(dir, "none.sqlite")])).code).toBe(EXIT.STORE_UNUSABLE);
  });
});

describe("reclaim report", () => {
  it("computes volumes, recovery, energy, time in spec, diverts and forces for the period", async () => {
    const r = await offline("report", "--from", from, "--to", to, "--json");
    expect(r.code).toBe(EXIT.OK);
    const rep = JSON.parse(r.stdout) as ComplianceReport;
    expect(rep.volumes.feed?.m3).toBeCloseTo(30, 6);
    expect(rep.volumes.product?.m3).toBeCloseTo(20, 6);
    expect(rep.volumes.reuseM3).toBeCloseTo(10, 6);
    expect(rep.volumes.divertedM3).toBeCloseTo(10, 6);
    expect(rep.recoveryPercent).toBeCloseTo(75, 6);
    expect(rep.energy?.kwh).toBeCloseTo(30, 6);
    expect(rep.energy?.perM3).toBeCloseTo(1.5, 6);
    const ccp1 = rep.ccps.find((c) => c.name === "CCP-1");
    expect(ccp1).toMatchObject({ offSpecMs: 10 * MIN, noDataMs: 0, min: 0.1, max: 0.6 });
    expect(ccp1?.inSpecPercent).toBeCloseTo(83.333, 2);
    expect(rep.ccps.find((c) => c.name === "CCP-4")?.inSpecPercent).toBe(100);
    expect(rep.diverts).toEqual([
      { start: T0, end: T0 + 10 * MIN, durationMs: 10 * MIN, cause: "controller start", firstOut: null, fromBefore: false },
      { start: T0 + 40 * MIN, end: T0 + 60 * MIN, durationMs: 20 * MIN, cause: "CCP-1", firstOut: "CCP-1: AIT-403 0.6 > 0.5 for 10 s", fromBefore: false },
    ]);
    expect(rep.forced).toEqual([
      { tag: "P-401", value: true, by: "tech", start: T0 + 20 * MIN, end: T0 + 25 * MIN, durationMs: 5 * MIN, endedBy: "released by tech" },
      { tag: "XV-203", value: true, by: "anna", start: T0 + 50 * MIN, end: null, durationMs: 10 * MIN, endedBy: null },
    ]);
  });

  it("prints the same as text, and writes a self-contained HTML page with charts", async () => {
    const html = path.join(dir, "report.html");
    const r = await offline("report", "--from", from, "--to", to, "--html", html);
    expect(r.stdout).toMatch(/^ +to reuse +10\.0 m³ +\(50\.0 % of product\)$/m);
    expect(r.stdout).toMatch(/^ +energy +30\.0 kWh +1\.50 kWh per m³ of product$/m);
    expect(r.stdout).toMatch(/^ +CCP-1 +AIT-403 +≤ 0\.5 NTU +83\.3 % +10 min/m);
    expect(r.stdout).toMatch(/Diverts \(2\)[\s\S]*20 min +CCP-1 +CCP-1: AIT-403 0\.6 > 0\.5 for 10 s/);
    expect(r.stdout).toMatch(/Forced outputs \(2\)[\s\S]*XV-203 +true +anna .* still forced/);
    const page = readFileSync(html, "utf8");
    expect(page.match(/<svg /g)?.length).toBe(7);
    expect(page).toMatch(/class="critical"/);
    // Self-contained: no scripts, stylesheets, images or fonts from anywhere.
    expect(page).not.toMatch(/<script|<link|<img|src=|url\(|@import/);
    expect(page.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")).not.toMatch(/https?:/);
  });

  it("refuses a period that ends before it starts (exit 2)", async () => {
    expect((await offline("report", "--from", to, "--to", from)).code).toBe(EXIT.USAGE);
  });
});
