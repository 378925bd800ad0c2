// The commands a technician uses on a running skid, run in-process against one controller on
// the simulator: status (and --watch), PackML, ResetDivert, setpoints, mode and forcing,
// alarms. Each bad input gets its own exit code and leaves the skid as it was; every change
// lands in the audit trail under the OS user's name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentUser } from "../../src/control/client.js";
import { EXIT } from "../../src/system/exit-codes.js";
import { startSkid, until, type Skid } from "./harness.js";
import { otherValue, setpointValue } from "./ref.js";

const SP0 = setpointValue("SP-P101");
const SP1 = otherValue("SP-P101");

let skid: Skid;

beforeAll(async () => {
  skid = await startSkid({ initial: { state: "Execute" } });
});

afterAll(async () => {
  await skid?.stop();
});

function lastAudit(): { user: string; action: string; data: Record<string, unknown> } | undefined {
  const rows = skid.ctl.store?.auditList({ limit: 100_000 }).rows ?? [];
  return rows[rows.length - 1] as never;
}

describe("reclaim status", () => {
  it("prints state, quality, mode, the config version and every CCP with its limits", async () => {
    const r = await skid.cli("status");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/skid RS-30 +state Execute +quality Divert +mode Automatic/);
    expect(r.stdout).toMatch(/config: version \d+ \(sha256 [0-9a-f]{12}\)/);
    expect(r.stdout).toMatch(/CCP-1 +in-spec +AIT-403 +[\d.]+ NTU +≤ 0\.5 +≤ 0\.2/);
    expect(r.stdout).toMatch(/analyzer-1 +online/);
  });

  it("--json gives the stable snapshot plus mode, forced outputs, alarms and CCP limits", async () => {
    const r = await skid.cli("status", "--json");
    const s = JSON.parse(r.stdout) as Record<string, unknown> & { ccps: Record<string, { critical: unknown }> };
    expect(s).toMatchObject({ skid: "RS-30", state: "Execute", mode: "Automatic", forced: {} });
    expect(Array.isArray(s.alarms)).toBe(true);
    expect(s.ccps["CCP-1"]?.critical).toEqual({ high: 0.5 });
  });

  it("--watch refreshes and draws a trend line per CCP", async () => {
    const r = await skid.cli("status", "--watch", "--count", "3", "--interval", "100ms", "--points", "10");
    expect(r.code).toBe(EXIT.OK);
    const frames = r.stdout.split(/\(every 0\.1 s, Ctrl-C stops\)/).length - 1;
    expect(frames).toBe(3);
    // The last frame's CCP-1 row ends in a sparkline of 3 samples and the window's range.
    expect(r.stdout).toMatch(/CCP-1 .*[▁▂▃▄▅▆▇█]{3}/);
  });
});

describe("PackML and ResetDivert", () => {
  it("hold and unhold go through the intake and are audited with the OS user", async () => {
    const hold = await skid.cli("hold");
    expect(hold.code).toBe(EXIT.OK);
    expect(hold.stdout).toMatch(/Hold: Execute → Holding/);
    expect(lastAudit()).toMatchObject({ user: currentUser(), action: "Hold" });
    await until("Held", () => skid.ctl.controller.state.state === "Held");
    const unhold = await skid.cli("state", "unhold");
    expect(unhold.code).toBe(EXIT.OK);
    await until("Execute", () => skid.ctl.controller.state.state === "Execute");
  });

  it("a command the state does not allow exits 9 and changes nothing", async () => {
    const r = await skid.cli("start");
    expect(r.code).toBe(EXIT.REJECTED);
    expect(r.stderr).toMatch(/RECLAIM_E_COMMAND_REJECTED/);
    expect(skid.ctl.controller.state.state).toBe("Execute");
    expect(lastAudit()?.data).toMatchObject({ result: "rejected" });
  });

  it("an unknown PackML command is a usage error (exit 2)", async () => {
    const r = await skid.cli("state", "launch");
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/not a PackML command/);
  });

  it("divert reset is accepted while the start-up divert is latched", async () => {
    const r = await skid.cli("divert", "reset", "--json");
    expect(r.code).toBe(EXIT.OK);
    const out = JSON.parse(r.stdout) as { ok: boolean; message: string };
    expect(out.ok).toBe(true);
    expect(out.message).toMatch(/divert reset requested/);
    expect(skid.ctl.controller.state.divert.resetRequested).toBe(true);
  });
});

describe("reclaim setpoint", () => {
  it("get lists value, config value and engineering limits", async () => {
    const r = await skid.cli("setpoint", "get");
    expect(r.stdout).toMatch(new RegExp(`SP-P101 +${SP0} % +${SP0} % +30\\.\\.100 %`));
  });

  it("set shows the old and the new value and audits them", async () => {
    const r = await skid.cli("setpoint", "set", "SP-P101", String(SP1));
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toBe(`SP-P101: ${SP0} % → ${SP1} %\n`);
    expect(skid.ctl.controller.state.setpoints["SP-P101"]).toBe(SP1);
    expect(lastAudit()).toMatchObject({ user: currentUser(), action: `setpoint SP-P101 = ${SP1}`, data: { old: SP0, new: SP1, result: "accepted" } });
  });

  it("outside the engineering limits exits 11 and keeps the value", async () => {
    const r = await skid.cli("setpoint", "set", "SP-P101", "150");
    expect(r.code).toBe(EXIT.OUT_OF_RANGE);
    expect(r.stderr).toMatch(/outside its engineering limits 30\.\.100 %/);
    expect(skid.ctl.controller.state.setpoints["SP-P101"]).toBe(SP1);
  });

  it("a value that is not a number exits 2 before anything is sent", async () => {
    const before = skid.ctl.store?.auditList({ limit: 100_000 }).rows.length;
    const r = await skid.cli("setpoint", "set", "SP-P101", "fast");
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/"fast" is not a number/);
    expect(skid.ctl.store?.auditList({ limit: 100_000 }).rows.length).toBe(before);
  });

  it("an unknown setpoint exits 12", async () => {
    expect((await skid.cli("setpoint", "set", "SP-NOPE", "50")).code).toBe(EXIT.UNKNOWN_NAME);
    expect((await skid.cli("setpoint", "get", "SP-NOPE")).code).toBe(EXIT.UNKNOWN_NAME);
  });
});

describe("reclaim mode and io", () => {
  it("forcing outside Maintenance mode exits 9", async () => {
    const r = await skid.cli("io", "force", "P-401", "on");
    expect(r.code).toBe(EXIT.REJECTED);
    expect(r.stderr).toMatch(/only in Maintenance mode/);
    expect(skid.ctl.controller.state.forced).toEqual({});
  });

  it("in Maintenance a force is applied, flagged in status, and released on unforce", async () => {
    expect((await skid.cli("mode", "maintenance")).code).toBe(EXIT.OK);
    const f = await skid.cli("io", "force", "P-401", "on");
    expect(f.code).toBe(EXIT.OK);
    expect(f.stdout).toMatch(/forced P-401: not forced → true/);
    const status = await skid.cli("status");
    expect(status.stdout).toMatch(/FORCED \(maintenance\): P-401 = true/);
    expect((await skid.cli("io", "list", "--json")).stdout).toMatch(/"forced":\{"P-401":true\}/);
    const u = await skid.cli("io", "unforce", "P-401");
    expect(u.stdout).toMatch(/released P-401/);
    expect(skid.ctl.controller.state.forced).toEqual({});
  });

  it("refuses an unknown tag (12), the divert valve (9) and a wrong type (2)", async () => {
    expect((await skid.cli("io", "force", "NOPE-1", "1")).code).toBe(EXIT.UNKNOWN_NAME);
    const valve = await skid.cli("io", "force", "XV-501", "on");
    expect(valve.code).toBe(EXIT.REJECTED);
    expect(valve.stderr).toMatch(/cannot be forced/);
    expect((await skid.cli("io", "force", "P-101-SREF", "on")).code).toBe(EXIT.USAGE);
    expect((await skid.cli("io", "force", "P-401", "maybe")).code).toBe(EXIT.USAGE);
    expect(skid.ctl.controller.state.forced).toEqual({});
  });

  it("back to auto releases every force", async () => {
    await skid.cli("io", "force", "P-401", "on");
    const r = await skid.cli("mode", "auto");
    expect(r.stdout).toMatch(/Maintenance → Automatic \(every forced output released\)/);
    expect(skid.ctl.controller.state.forced).toEqual({});
    expect((await skid.cli("mode", "sideways")).code).toBe(EXIT.USAGE);
  });
});

describe("reclaim alarms", () => {
  it("acknowledges an active alarm, shelves and unshelves it", async () => {
    // AIT-403 past its alert limit (0.2 NTU) but inside the critical one: CCP-1.alert.
    skid.sim.faults.add({ atMs: skid.sim.nowMs, forMs: 60_000, fault: "offset", tag: "AIT-403", value: 0.2 });
    await until("CCP-1.alert", async () => /CCP-1\.alert/.test((await skid.cli("alarms", "list")).stdout), 15_000);
    const list = await skid.cli("alarms", "list", "--json");
    expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ name: "CCP-1.alert", state: "Unacknowledged", active: true }));
    expect((await skid.cli("alarms", "ack", "CCP-1.alert")).stdout).toBe("acknowledged CCP-1.alert\n");
    const again = await skid.cli("alarms", "ack", "CCP-1.alert");
    expect(again.code).toBe(EXIT.REJECTED);
    expect(again.stderr).toMatch(/nothing to acknowledge/);
    expect((await skid.cli("alarms", "shelve", "CCP-1.alert", "--for", "30m", "--comment", "analyzer cleaning")).code).toBe(EXIT.OK);
    expect((await skid.cli("alarms", "list")).stdout).toMatch(/CCP-1\.alert +Shelved \(shelved by .+ until/);
    expect((await skid.cli("alarms", "unshelve", "CCP-1.alert")).code).toBe(EXIT.OK);
  });

  it("refuses a shelve beyond the maximum (11), without a duration (2), and an unknown alarm (12)", async () => {
    expect((await skid.cli("alarms", "shelve", "CCP-1.alert", "--for", "9h")).code).toBe(EXIT.OUT_OF_RANGE);
    expect((await skid.cli("alarms", "shelve", "CCP-1.alert")).code).toBe(EXIT.USAGE);
    expect((await skid.cli("alarms", "shelve", "CCP-1.alert", "--for", "10")).code).toBe(EXIT.USAGE);
    expect((await skid.cli("alarms", "ack", "NO-SUCH-ALARM")).code).toBe(EXIT.UNKNOWN_NAME);
    expect((await skid.cli("alarms", "list", "--all", "--json")).stdout).toMatch(/"name":"DISCREPANCY"/);
  });
});
