// `reclaim` as a technician runs it: a separate process (bin/reclaim.js, or node with tsx),
// against a controller on the simulator. Covers help, a read and a change over the real
// socket (the OS user lands in the audit trail), and the two failures only a real process
// meets: no controller (exit 7) and no permission on the socket (exit 8).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/system/exit-codes.js";
import { runCli, spawnCli, startSkid, type Skid } from "./harness.js";

let skid: Skid;

beforeAll(async () => {
  skid = await startSkid({ initial: { state: "Execute" } });
});

afterAll(async () => {
  await skid?.stop();
});

describe("reclaim as a process", () => {
  it("--help lists the commands, and every command has its own help", async () => {
    // The full list loads the controller too (for run and demo): in-process, where it is loaded already.
    const [top, apply] = await Promise.all([runCli(["--help"]), spawnCli(["config", "apply", "--help"], { bin: true })]);
    expect(top.code).toBe(EXIT.OK);
    for (const cmd of ["status", "alarms", "setpoint", "mode", "io", "devices", "history", "report", "audit", "config", "start", "state", "divert"]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    }
    expect(apply.code).toBe(EXIT.OK);
    expect(apply.stdout).toMatch(/--confirm-within <duration>/);
  });

  it("reads status and changes a setpoint over the socket, audited under the OS user", async () => {
    const [status, set] = await Promise.all([
      spawnCli(["status", "--json", "--socket", skid.socket], { bin: true }),
      spawnCli(["setpoint", "set", "SP-P301", "82", "--socket", skid.socket]),
    ]);
    expect(status.code).toBe(EXIT.OK);
    expect(JSON.parse(status.stdout)).toMatchObject({ skid: "RS-30", state: "Execute" });
    expect(set.code).toBe(EXIT.OK);
    expect(set.stdout).toBe("SP-P301: 80 % → 82 %\n");
    const rows = skid.ctl.store?.auditList({ limit: 100_000 }).rows ?? [];
    expect(rows[rows.length - 1]).toMatchObject({ user: os.userInfo().username, action: "setpoint SP-P301 = 82" });
  });

  it("says plainly when the controller is not running (exit 7), and validate still works", async () => {
    const [r, v] = await Promise.all([
      spawnCli(["alarms", "list", "--socket", path.join(skid.dir, "gone.sock")]),
      spawnCli(["config", "validate", skid.configFile]),
    ]);
    expect(r.code).toBe(EXIT.NOT_RUNNING);
    expect(r.stderr).toMatch(/the controller is not running \(no control socket at .*gone\.sock\); start it with 'systemctl start reclaim'/);
    expect(v.code).toBe(EXIT.OK);
  });

  it("says so when the socket is not ours to use (exit 8)", async () => {
    // A socket nobody may open; root runs the CLI without the capability to ignore that.
    const dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-perm-"));
    const sock = path.join(dir, "locked.sock");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    chmodSync(sock, 0o000);
    const result = await spawnCli(["status", "--socket", sock], { unprivileged: process.getuid?.() === 0 });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    expect(result.code).toBe(EXIT.PERMISSION);
    expect(result.stderr).toMatch(/permission denied on .*: run as the service's group \(reclaim\) or with sudo/);
  });
});
