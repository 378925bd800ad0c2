// The config lifecycle against a running controller started from a config file: validate
// (every problem located, exit 3), diff (live vs restart), apply (atomic, versioned, live for
// setpoint values, a controlled in-process restart otherwise), commit-confirmed (confirm in
// time, or an automatic rollback that survives the restart), rollback and history.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDocument, type Document } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentUser } from "../../src/control/client.js";
import { EXIT } from "../../src/system/exit-codes.js";
import { runCli, startSkid, until, type Skid } from "./harness.js";
import { indexOf, otherValue, REF, setpointValue } from "./ref.js";

const SP0 = setpointValue("SP-P101");
const SP1 = otherValue("SP-P101");
const sp = (d: Document, name: string): number => indexOf(d, ["setpoints"], name);
const ccp = (d: Document, name: string): number => indexOf(d, ["quality", "ccps"], name);
const ALERT1 = REF.quality.ccps.find((c) => c.name === "CCP-1")?.alert.high;
const ALERT2 = REF.quality.ccps.find((c) => c.name === "CCP-2")?.alert.high;

let skid: Skid;
let original: string;

beforeAll(async () => {
  skid = await startSkid({ initial: { state: "Execute" } });
  original = readFileSync(skid.configFile, "utf8");
});

afterAll(async () => {
  await skid?.stop();
});

/** A candidate file: the running one with an edit. */
function variant(name: string, edit: (doc: Document) => void, from = original): string {
  const doc = parseDocument(from);
  edit(doc);
  const file = path.join(skid.dir, name);
  writeFileSync(file, doc.toString());
  return file;
}

const history = async (): Promise<Array<{ id: number; user: string; note: string }>> =>
  (JSON.parse((await skid.offline("config", "history", "--json")).stdout) as { versions: Array<{ id: number; user: string; note: string }> }).versions;

describe("reclaim config validate", () => {
  it("accepts the running file", async () => {
    const r = await runCli(["config", "validate", skid.configFile]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/valid \(version 1, skid RS-30: 3 lines, 8 devices/);
  });

  it("reports every problem at once with file:line:column and key path (exit 3)", async () => {
    const bad = variant("bad.yaml", (d) => {
      d.setIn(["skid", "scanPeriod"], "fast");
      d.setIn(["quality", "ccps", ccp(d, "CCP-1"), "tag"], "AIT-999");
      d.setIn(["skid", "colour"], "blue");
    });
    const r = await runCli(["config", "validate", bad]);
    expect(r.code).toBe(EXIT.CONFIG_INVALID);
    expect(r.stderr).toMatch(/RECLAIM_E_CONFIG_INVALID: 2 problems in the file/);
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+: skid\\.scanPeriod: .*duration`));
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+: skid\\.colour: unknown key "colour"`));
    // Semantic problems come once the schema holds.
    const semantic = variant("semantic.yaml", (d) => d.setIn(["quality", "ccps", ccp(d, "CCP-1"), "tag"], "AIT-999"));
    const s = await runCli(["config", "validate", semantic, "--json"]);
    expect(s.code).toBe(EXIT.CONFIG_INVALID);
    expect(JSON.parse(s.stdout)).toMatchObject({ ok: false, problems: [expect.objectContaining({ path: "quality.ccps[0].tag", message: 'unknown tag "AIT-999"' })] });
  });

  it("says to migrate a file of an older version", async () => {
    const old = variant("old.yaml", (d) => d.set("version", 0));
    const r = await runCli(["config", "validate", old]);
    expect(r.code).toBe(EXIT.CONFIG_INVALID);
    expect(r.stderr).toMatch(/version: this file is version 0; this reclaim reads version 1: run 'reclaim config migrate/);
  });
});

describe("reclaim config diff", () => {
  it("lists changes by section, each marked live or restart", async () => {
    const cand = variant("cand.yaml", (d) => {
      d.setIn(["setpoints", sp(d, "SP-P101"), "value"], SP1);
      d.setIn(["quality", "ccps", ccp(d, "CCP-1"), "alert", "high"], 0.15);
      d.setIn(["tags", indexOf(d, ["tags"], "AIT-403"), "history", "deadband"], 0.01);
    });
    const r = await skid.cli("config", "diff", cand);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/3 changes: 1 live, 2 need a restart/);
    expect(r.stdout).toMatch(new RegExp(`~ setpoints\\[SP-P101\\]\\.value: ${SP0} → ${SP1} +live: setpoint value`));
    expect(r.stdout).toMatch(new RegExp(`~ quality\\.ccps\\[CCP-1\\]\\.alert\\.high: ${ALERT1} → 0\\.15 +restart: safety-relevant`));
    expect(r.stdout).toMatch(/~ tags\[AIT-403\]\.history\.deadband: .* → 0\.01 +restart/);
    const offline = await runCli(["config", "diff", cand, "--against", skid.configFile, "--json"]);
    const d = JSON.parse(offline.stdout) as { restart: boolean; changes: unknown[] };
    expect(d.restart).toBe(true);
    expect(d.changes).toContainEqual(expect.objectContaining({ path: "setpoints[SP-P101].value", applies: "live", old: SP0, new: SP1 }));
  });
});

describe("reclaim config apply, confirm, rollback, history", () => {
  it("applies a setpoint value live: file replaced, version kept, no restart", async () => {
    const cand = variant("live.yaml", (d) => d.setIn(["setpoints", sp(d, "SP-P101"), "value"], SP1));
    const r = await skid.cli("config", "apply", cand, "--note", "slower UF feed");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/applied: config version 2 \(previous 1\)/);
    expect(r.stdout).toMatch(new RegExp(`setpoint SP-P101 = ${SP1} set live`));
    expect(skid.restarts).toBe(0);
    expect(skid.ctl.controller.state.setpoints["SP-P101"]).toBe(SP1);
    expect(readFileSync(skid.configFile, "utf8")).toBe(readFileSync(cand, "utf8"));
    const versions = await history();
    expect(versions.map((v) => [v.id, v.user])).toEqual([
      [1, "system"],
      [2, currentUser()],
    ]);
    expect(versions[0]?.note).toMatch(/found running/);
    expect(versions[1]?.note).toBe("slower UF feed");
    expect((await skid.cli("config", "apply", cand)).stdout).toMatch(/nothing to apply/);
  });

  it("applies anything else by a controlled restart and waits for the controller to come back", async () => {
    const cand = variant("restart.yaml", (d) => d.setIn(["quality", "ccps", ccp(d, "CCP-1"), "alert", "high"], 0.15), readFileSync(skid.configFile, "utf8"));
    const r = await skid.cli("config", "apply", cand);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/applied: config version 3 \(previous 2\)/);
    expect(r.stdout).toMatch(/controller running again with config version 3/);
    expect(skid.restarts).toBe(1);
    expect(skid.ctl.config.quality.ccps.find((c) => c.name === "CCP-1")?.alert.high).toBe(0.15);
    const audit = skid.ctl.store?.auditList({ limit: 100_000 }).rows.filter((a) => a.kind === "config") ?? [];
    const last = audit[audit.length - 1];
    expect(last).toMatchObject({ user: currentUser(), action: "config apply" });
    expect(last?.data).toMatchObject({ version: 3, previous: 2, restart: true });
  });

  it("refuses an invalid file (exit 3) and changes nothing", async () => {
    const before = readFileSync(skid.configFile, "utf8");
    const bad = variant("invalid.yaml", (d) => d.setIn(["setpoints", sp(d, "SP-P101"), "value"], 500), before);
    const r = await skid.cli("config", "apply", bad);
    expect(r.code).toBe(EXIT.CONFIG_INVALID);
    expect(r.stderr).toMatch(/setpoints\[\d+\]: value must lie within \[min, max\]/);
    expect(readFileSync(skid.configFile, "utf8")).toBe(before);
    expect(await history()).toHaveLength(3);
  });

  it("commit confirmed: a confirmed change stays", async () => {
    const sp301 = otherValue("SP-P301");
    const cand = variant("confirm.yaml", (d) => d.setIn(["setpoints", sp(d, "SP-P301"), "value"], sp301), readFileSync(skid.configFile, "utf8"));
    const r = await skid.cli("config", "apply", cand, "--confirm-within", "1m");
    expect(r.stdout).toMatch(/awaiting confirmation until .* run 'reclaim config confirm' to keep it, or it rolls back to version 3 by itself/);
    expect((await skid.cli("status")).stdout).toMatch(/config version 4 awaits confirmation/);
    // Another change must wait for the answer.
    expect((await skid.cli("config", "apply", cand)).code).toBe(EXIT.REJECTED);
    const c = await skid.cli("config", "confirm");
    expect(c.stdout).toMatch(/config version 4 confirmed/);
    expect((await skid.cli("config", "confirm")).code).toBe(EXIT.REJECTED);
    expect(skid.ctl.controller.state.setpoints["SP-P301"]).toBe(sp301);
  });

  it("commit confirmed: without a confirmation it rolls back by itself, across the apply's own restart", async () => {
    const before = readFileSync(skid.configFile, "utf8");
    const cand = variant("unconfirmed.yaml", (d) => d.setIn(["quality", "ccps", ccp(d, "CCP-2"), "alert", "high"], 90), before);
    const r = await skid.cli("config", "apply", cand, "--confirm-within", "3s");
    expect(r.code).toBe(EXIT.OK);
    expect(skid.restarts).toBe(2);
    // The restarted controller re-armed the timer from the store; it applies version 4 again.
    await skid.restarted(3);
    await until("the rollback's restart", async () => (await skid.cli("status", "--json")).code === EXIT.OK, 15_000);
    expect(readFileSync(skid.configFile, "utf8")).toBe(before);
    expect(skid.ctl.config.quality.ccps.find((c) => c.name === "CCP-2")?.alert.high).toBe(ALERT2);
    const versions = await history();
    const last = versions[versions.length - 1];
    expect(last).toMatchObject({ id: 6, user: "system" });
    expect(last?.note).toMatch(/automatic rollback to version 4: version 5 applied by .* was not confirmed within 3s/);
    const audit = skid.ctl.store?.auditList({ limit: 100_000 }).rows.filter((a) => a.kind === "config") ?? [];
    expect(audit[audit.length - 1]).toMatchObject({ user: "system", action: "config rollback (not confirmed)" });
  });

  it("rolls back to any kept version, and refuses one that is not kept (exit 12)", async () => {
    expect((await skid.cli("config", "rollback", "--to", "99")).code).toBe(EXIT.UNKNOWN_NAME);
    const r = await skid.cli("config", "rollback", "--to", "1");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/rolled back: config version 7 \(previous 6\)/);
    expect(readFileSync(skid.configFile, "utf8")).toBe(original);
    const h = await skid.offline("config", "history");
    expect(h.stdout).toMatch(/^\* +7 .* rollback to version 1$/m);
    expect((await skid.cli("config", "rollback", "--to", "7")).code).toBe(EXIT.REJECTED);
  });

  it("apply needs the controller: not running is exit 7", async () => {
    const r = await runCli(["config", "apply", skid.configFile, "--socket", path.join(skid.dir, "none.sock")]);
    expect(r.code).toBe(EXIT.NOT_RUNNING);
    expect(r.stderr).toMatch(/the controller is not running/);
  });
});
