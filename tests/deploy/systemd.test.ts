// deploy/systemd/reclaim.service: systemd itself accepts it (systemd-analyze verify, with
// warnings counted as failures), and it says what issue 9 requires: Type=notify with a
// watchdog, restart with limits, the hardened sandbox, and exit codes that match the code.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/system/exit-codes.js";

const UNIT_PATH = fileURLToPath(new URL("../../deploy/systemd/reclaim.service", import.meta.url));
const UNIT = readFileSync(UNIT_PATH, "utf8");

/** [section] → key → every value given (DeviceAllow= and the like repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head?.[1]) {
      current = new Map();
      sections.set(head[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq < 0) throw new Error(`unparsable unit line: ${raw}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

const unit = parseUnit(UNIT);
const service = unit.get("Service") ?? new Map<string, string[]>();
const one = (section: Map<string, string[]> | undefined, key: string): string | undefined => section?.get(key)?.at(-1);
const svc = (key: string): string | undefined => one(service, key);

/** systemd.time(7) spans as the unit uses them: "30s", "10min", "90s", "15". */
function seconds(span: string | undefined): number {
  const m = /^(\d+)(s|min)?$/.exec(span ?? "");
  if (!m?.[1]) throw new Error(`not a time span this test knows: ${span}`);
  return Number(m[1]) * (m[2] === "min" ? 60 : 1);
}

const tmp = mkdtempSync(join(tmpdir(), "reclaim-unit-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeUnit(text: string, name: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** A copy whose ExecStart names the node running this test: verify checks that it exists. */
function verifiableCopy(text = UNIT, name = "reclaim.service"): string {
  return writeUnit(text.replaceAll("ExecStart=/usr/bin/node", `ExecStart=${process.execPath}`), name);
}

function analyze(...args: string[]) {
  const r = spawnSync("systemd-analyze", args, { encoding: "utf8" });
  if (r.error) throw new Error(`systemd-analyze could not run (${r.error.message}): install the systemd package (.ci/run does)`);
  return r;
}

describe("systemd-analyze", () => {
  // Offline: no PID 1 systemd is needed with generators and man-page lookups off.
  const verify = (path: string) => analyze("verify", "--man=no", "--generators=no", path);

  it("verify accepts the unit without a single warning", () => {
    const r = verify(verifiableCopy());
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("verify reports what it does not understand (so the check above means something)", () => {
    // verify exits 0 on an unknown key or a bad value and only warns: hence stderr above.
    const typo = verify(verifiableCopy(UNIT.replace("ProtectSystem=strict", "ProtectSytem=strict"), "typo.service"));
    expect(typo.stderr).toMatch(/Unknown key 'ProtectSytem'/);
    const missing = verify(writeUnit(UNIT.replaceAll("ExecStart=/usr/bin/node", "ExecStart=/nonexistent/node"), "missing.service"));
    expect(missing.stdout + missing.stderr).toMatch(/\/nonexistent\/node is not executable/);
    expect(missing.status).not.toBe(0);
  });

  it("security rates the sandbox's exposure at 2.5 or less (0 = locked down, 10 = unprotected)", () => {
    const r = analyze("security", "--offline=yes", "--threshold=25", verifiableCopy());
    const level = /Overall exposure level for reclaim\.service: ([\d.]+)/.exec(r.stdout + r.stderr)?.[1];
    expect(Number(level)).toBeLessThanOrEqual(2.5);
    expect(r.status).toBe(0);
  });
});

describe("reclaim.service", () => {
  it("is Type=notify, notified by the main process only, with a watchdog", () => {
    expect(svc("Type")).toBe("notify");
    expect(svc("NotifyAccess")).toBe("main");
    // The feeder pets at half of it; it must comfortably exceed a scan period and GC pauses.
    expect(seconds(svc("WatchdogSec"))).toBeGreaterThanOrEqual(10);
    // READY=1 waits for the first poll cycle (firstPollCycle's timeout is 60 s in run.ts).
    expect(seconds(svc("TimeoutStartSec"))).toBeGreaterThan(60);
  });

  it("runs node itself, so that the main PID is the one that notifies", () => {
    expect(svc("ExecStart")).toMatch(/^\/usr\/bin\/node \/opt\/reclaim\/current\/bin\/reclaim\.js run --config \/etc\/reclaim\/reclaim\.yaml$/);
  });

  it("stops in order within 15 s, and restarts on failure within start limits", () => {
    expect(seconds(svc("TimeoutStopSec"))).toBe(15);
    expect(svc("KillMode")).toBe("mixed");
    expect(svc("Restart")).toBe("on-failure");
    expect(seconds(svc("RestartSec"))).toBeGreaterThan(0);
    const u = unit.get("Unit");
    expect(seconds(one(u, "StartLimitIntervalSec"))).toBeGreaterThan(0);
    expect(Number(one(u, "StartLimitBurst"))).toBeGreaterThan(1);
  });

  it("does not restart-loop on a bad config or bad arguments, and names real exit codes", () => {
    const codes = (svc("RestartPreventExitStatus") ?? "").split(/\s+/).map(Number);
    expect(codes).toContain(EXIT.CONFIG_INVALID);
    expect(codes).toContain(EXIT.USAGE);
    const known = new Set<number>(Object.values(EXIT));
    for (const c of codes) expect(known.has(c)).toBe(true);
  });

  it("has the hardened sandbox", () => {
    const expected: Record<string, string> = {
      ProtectSystem: "strict",
      NoNewPrivileges: "yes",
      CapabilityBoundingSet: "",
      AmbientCapabilities: "",
      StateDirectory: "reclaim",
      ConfigurationDirectory: "reclaim",
      RuntimeDirectory: "reclaim",
      ProtectHome: "yes",
      PrivateTmp: "yes",
      ProtectKernelModules: "yes",
      ProtectControlGroups: "yes",
      RestrictNamespaces: "yes",
      RestrictSUIDSGID: "yes",
      LockPersonality: "yes",
      SystemCallArchitectures: "native",
      DevicePolicy: "closed",
      User: "reclaim",
    };
    for (const [key, value] of Object.entries(expected)) expect({ key, value: svc(key) }).toEqual({ key, value });
    expect((svc("SupplementaryGroups") ?? "").split(/\s+/)).toEqual(expect.arrayContaining(["dialout", "gpio"]));
    const devices = (service.get("DeviceAllow") ?? []).map((d) => d.split(/\s+/)[0]);
    expect(devices).toEqual(expect.arrayContaining(["char-ttyUSB", "char-ttyS", "char-ttyAMA", "char-gpiochip"]));
  });

  it("leaves MemoryDenyWriteExecute off: V8's JIT cannot run under it", () => {
    expect(service.has("MemoryDenyWriteExecute")).toBe(false);
  });
});
