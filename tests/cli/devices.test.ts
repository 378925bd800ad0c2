// `reclaim devices list|plan|scan` against the simulated skid: health per device, the poll
// plan with each line's budget (measured, or estimated offline), and the commissioning scan
// that finds which unit ids answer on a line (only in Maintenance mode).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/system/exit-codes.js";
import { runCli, startSkid, type Skid } from "./harness.js";

let skid: Skid;

beforeAll(async () => {
  skid = await startSkid({ initial: { state: "Execute" } });
});

afterAll(async () => {
  await skid?.stop();
});

describe("reclaim devices", () => {
  it("list shows every configured device with its line, unit id and health", async () => {
    const r = await skid.cli("devices", "list");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/flow-501 +rs485-1 +6 +online/);
    const json = JSON.parse((await skid.cli("devices", "list", "--json")).stdout) as Array<{ name: string; status: string }>;
    expect(json.map((d) => d.name)).toEqual(["analyzer-1", "rio-1", "vfd-p101", "vfd-p301", "flow-201", "flow-301", "flow-302", "flow-501"]);
  });

  it("plan prints each line's poll groups and budget, and the devices' measured response times", async () => {
    const r = await skid.cli("devices", "plan");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/^line rs485-1 \(tcp, estimated\), 16\.0 requests\/s, utilization .*: fits$/m);
    expect(r.stdout).toMatch(/measured response, queueing on the line included: analyzer-1 [\d.]+ ms/);
    expect(r.stdout).toMatch(/flow-501 unit 6 FC04 IR 0\.\.4: FIT-501, FQ-501/);
  });

  it("plan estimates from the config file when the controller is not running", async () => {
    const r = await runCli(["devices", "plan", "--socket", `${skid.dir}/nothing.sock`, "--config", skid.configFile]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toMatch(/not running.*estimating from the config file/);
    expect(r.stdout).toMatch(/line times estimated; the controller is not asked/);
  });

  it("scan is refused outside Maintenance mode (exit 9)", async () => {
    const r = await skid.cli("devices", "scan", "rs485-1", "--units", "1-2");
    expect(r.code).toBe(EXIT.REJECTED);
    expect(r.stderr).toMatch(/only in Maintenance mode/);
  });

  it("scan finds the units that answer and names the configured ones", async () => {
    await skid.cli("mode", "maintenance");
    const r = await skid.cli("devices", "scan", "rs485-1", "--units", "5-8", "--timeout", "100ms");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/^ +5 +yes .*flow-302$/m);
    expect(r.stdout).toMatch(/^ +6 +yes .*flow-501$/m);
    expect(r.stdout).toMatch(/2 of 4 unit ids answered: 5, 6/);
    const json = JSON.parse((await skid.cli("devices", "scan", "rs485-1", "--units", "7", "--json")).stdout) as { probes: Array<{ unit: number; answered: boolean }> };
    expect(json.probes).toEqual([expect.objectContaining({ unit: 7, answered: false })]);
    // The scan is recorded: who probed which line.
    const audit = skid.ctl.store?.auditList({ limit: 100_000 }).rows.map((a) => a.action) ?? [];
    expect(audit).toContain("devices scan rs485-1 units 5..8");
  });

  it("refuses an unknown line (12), unit ids outside 1..247 (11) and a bad range (2)", async () => {
    expect((await skid.cli("devices", "scan", "rs999", "--units", "1")).code).toBe(EXIT.UNKNOWN_NAME);
    expect((await skid.cli("devices", "scan", "rs485-1", "--units", "0-300")).code).toBe(EXIT.OUT_OF_RANGE);
    expect((await skid.cli("devices", "scan", "rs485-1", "--units", "one")).code).toBe(EXIT.USAGE);
    expect((await skid.cli("devices", "scan", "rs485-1", "--timeout", "5s", "--units", "1")).code).toBe(EXIT.OUT_OF_RANGE);
  });
});
