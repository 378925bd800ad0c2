// deploy/install.sh in a temporary root (--root), never the real system: the tree it makes,
// that a second run changes nothing at all, updates with rollback, and uninstall (keeping
// config and data unless --purge).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = join(REPO, "deploy/install.sh");
const work = mkdtempSync(join(tmpdir(), "reclaim-install-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A staged app as small as the script accepts: the real deploy/ files, a fake build. */
function stagedApp(name: string, version = "0.1.0", opts: { notifyPackage?: boolean } = {}): string {
  const dir = join(work, name);
  for (const d of ["bin", "dist/src/cli", "config"]) mkdirSync(join(dir, d), { recursive: true });
  cpSync(join(REPO, "deploy"), join(dir, "deploy"), { recursive: true });
  writeFileSync(join(dir, "package.json"), `{\n  "name": "reclaim",\n  "version": "${version}",\n  "type": "module"\n}\n`);
  writeFileSync(join(dir, "bin/reclaim.js"), "#!/usr/bin/env node\n", { mode: 0o755 });
  writeFileSync(join(dir, "dist/src/cli/main.js"), `// build ${version}\n`);
  writeFileSync(join(dir, "config/production-template.yaml"), "version: 1\n# template\n");
  mkdirSync(join(dir, "node_modules/rxjs"), { recursive: true });
  writeFileSync(join(dir, "node_modules/rxjs/index.js"), "module.exports = {};\n");
  if (opts.notifyPackage ?? true) {
    mkdirSync(join(dir, "node_modules/unix-dgram"), { recursive: true });
    writeFileSync(join(dir, "node_modules/unix-dgram/index.js"), "module.exports = { createSocket() {} };\n");
  }
  return dir;
}

function install(root: string, ...args: string[]) {
  const r = spawnSync("bash", [SCRIPT, "--root", root, "--node", "/usr/bin/node", ...args], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

function ok(r: { status: number | null; out: string }): string {
  expect(r.out && r.status, r.out).toBe(0);
  return r.out;
}

/** Every path under root with type, mode, owner, size, mtime, link target and content hash. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      let what = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs}`;
      if (st.isSymbolicLink()) what += ` -> ${readlinkSync(p)}`;
      else if (st.isFile()) what += ` ${st.size} ${createHash("sha256").update(readFileSync(p)).digest("hex").slice(0, 16)}`;
      out[p.slice(root.length)] = what;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

const mode = (p: string): string => (lstatSync(p).mode & 0o7777).toString(8);

describe("install.sh", () => {
  it("passes bash -n", () => {
    const r = spawnSync("bash", ["-n", SCRIPT], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
  it.skipIf(!shellcheck)(`is shellcheck-clean${shellcheck ? "" : " (skipped: shellcheck is not installed)"}`, () => {
    const r = spawnSync("shellcheck", [SCRIPT], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });

  it("installs the tree, and a second run changes nothing", () => {
    const root = join(work, "root-a");
    const app = stagedApp("app-a");
    const first = ok(install(root, "--source", app, "--no-systemctl", "--no-useradd"));
    expect(first).toMatch(/installed release 0\.1\.0/);

    // The app: a release, and current pointing at it.
    expect(readlinkSync(join(root, "opt/reclaim/current"))).toBe("releases/0.1.0");
    for (const f of ["bin/reclaim.js", "dist/src/cli/main.js", "package.json", "node_modules/rxjs/index.js", "deploy/README.md"]) {
      expect(existsSync(join(root, "opt/reclaim/releases/0.1.0", f)), f).toBe(true);
    }
    expect(readlinkSync(join(root, "usr/local/bin/reclaim"))).toBe("/opt/reclaim/current/bin/reclaim.js");
    // Config and data: private to root and the service's group.
    expect(mode(join(root, "etc/reclaim"))).toBe("750");
    expect(readFileSync(join(root, "etc/reclaim/reclaim.yaml"), "utf8")).toBe("version: 1\n# template\n");
    expect(mode(join(root, "etc/reclaim/reclaim.yaml"))).toBe("640");
    expect(mode(join(root, "etc/reclaim/users.yaml"))).toBe("640");
    expect(mode(join(root, "var/lib/reclaim"))).toBe("750");
    // The unit, rewritten for this node and prefix; the udev rules; the sysusers entry.
    const unit = readFileSync(join(root, "etc/systemd/system/reclaim.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/reclaim\/current\/bin\/reclaim\.js run --config \/etc\/reclaim\/reclaim\.yaml$/m);
    expect(readFileSync(join(root, "etc/udev/rules.d/99-reclaim-rs485.rules"), "utf8")).toMatch(/ATTR\{latency_timer\}="1"/);
    expect(existsSync(join(root, "etc/udev/rules.d/99-reclaim-gpio.rules"))).toBe(true);
    expect(readFileSync(join(root, "etc/sysusers.d/reclaim.conf"), "utf8")).toMatch(/^u\s+reclaim\s/m);

    const before = snapshot(root);
    const second = ok(install(root, "--source", app, "--no-systemctl", "--no-useradd"));
    expect(second).toMatch(/nothing to change/);
    expect(snapshot(root)).toEqual(before);
  });

  it("keeps the operator's config and rules, updates to a new release, and rolls back", () => {
    const root = join(work, "root-b");
    ok(install(root, "--source", stagedApp("app-b1", "0.1.0"), "--no-systemctl", "--no-useradd"));
    writeFileSync(join(root, "etc/reclaim/reclaim.yaml"), "version: 1\n# site edits\n");
    writeFileSync(join(root, "etc/udev/rules.d/99-reclaim-rs485.rules"), 'SUBSYSTEM=="tty", ENV{ID_SERIAL_SHORT}=="A10KXYZ1", SYMLINK+="ttyRS485-1"\n');

    const update = ok(install(root, "--source", stagedApp("app-b2", "0.2.0"), "--no-systemctl", "--no-useradd"));
    expect(update).toMatch(/kept your \/etc\/reclaim\/reclaim\.yaml/);
    expect(update).toMatch(/kept your \/etc\/udev\/rules\.d\/99-reclaim-rs485\.rules/);
    expect(readFileSync(join(root, "etc/reclaim/reclaim.yaml"), "utf8")).toBe("version: 1\n# site edits\n");
    expect(readlinkSync(join(root, "opt/reclaim/current"))).toBe("releases/0.2.0");
    expect(readlinkSync(join(root, "opt/reclaim/previous"))).toBe("releases/0.1.0");

    ok(install(root, "--rollback", "--no-systemctl"));
    expect(readlinkSync(join(root, "opt/reclaim/current"))).toBe("releases/0.1.0");
    expect(readlinkSync(join(root, "opt/reclaim/previous"))).toBe("releases/0.2.0");
  });

  it("refuses to overwrite a release of the same name with other files, unless --force", () => {
    const root = join(work, "root-c");
    ok(install(root, "--source", stagedApp("app-c1", "0.1.0"), "--no-systemctl", "--no-useradd"));
    const other = stagedApp("app-c2", "0.1.0");
    writeFileSync(join(other, "dist/src/cli/main.js"), "// rebuilt\n");
    const refused = install(root, "--source", other, "--no-systemctl", "--no-useradd");
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/release 0\.1\.0 is already installed with other files/);
    ok(install(root, "--source", other, "--no-systemctl", "--no-useradd", "--force"));
    expect(readFileSync(join(root, "opt/reclaim/releases/0.1.0/dist/src/cli/main.js"), "utf8")).toBe("// rebuilt\n");
  });

  it("keeps only --keep releases, never current or previous", () => {
    const root = join(work, "root-k");
    for (const v of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]) {
      ok(install(root, "--source", stagedApp(`app-k-${v}`, v), "--no-systemctl", "--no-useradd", "--keep", "2"));
    }
    expect(readdirSync(join(root, "opt/reclaim/releases")).sort()).toEqual(["1.2.0", "1.3.0"]);
  });

  it("stops when the app is not staged, and warns under --root when the sd_notify package does not load", () => {
    const root = join(work, "root-d");
    const bare = stagedApp("app-d", "0.1.0", { notifyPackage: false });
    const warned = ok(install(root, "--source", bare, "--no-systemctl", "--no-useradd"));
    expect(warned).toMatch(/warning: unix-dgram does not load here/);
    rmSync(join(bare, "dist"), { recursive: true });
    const unstaged = install(join(work, "root-e"), "--source", bare, "--no-systemctl", "--no-useradd");
    expect(unstaged.status).not.toBe(0);
    expect(unstaged.out).toMatch(/dist\/src\/cli\/main\.js is missing: stage the app first/);
  });

  it("uninstalls the app but keeps config and data; --purge removes them too", () => {
    const root = join(work, "root-f");
    ok(install(root, "--source", stagedApp("app-f"), "--no-systemctl", "--no-useradd"));
    const removed = ok(install(root, "--uninstall", "--no-systemctl"));
    expect(removed).toMatch(/kept \/etc\/reclaim and \/var\/lib\/reclaim/);
    for (const gone of ["opt/reclaim", "etc/systemd/system/reclaim.service", "etc/udev/rules.d/99-reclaim-rs485.rules", "usr/local/bin/reclaim"]) {
      expect(existsSync(join(root, gone)), gone).toBe(false);
    }
    expect(existsSync(join(root, "etc/reclaim/reclaim.yaml"))).toBe(true);
    expect(existsSync(join(root, "var/lib/reclaim"))).toBe(true);
    expect(ok(install(root, "--uninstall", "--no-systemctl"))).toMatch(/nothing to remove/);

    ok(install(root, "--uninstall", "--purge", "--no-systemctl"));
    expect(existsSync(join(root, "etc/reclaim"))).toBe(false);
    expect(existsSync(join(root, "var/lib/reclaim"))).toBe(false);
  });

  it("rejects unknown options and a shallow --prefix", () => {
    expect(install(join(work, "root-g"), "--frobnicate").status).toBe(2);
    expect(install(join(work, "root-g"), "--prefix", "/opt").status).toBe(2);
  });

  // The whole path, still inside the temporary root: systemd-sysusers --root creates the
  // user and groups in root/etc, systemctl --root enables the unit there.
  const tools = process.getuid?.() === 0 && ["systemd-sysusers", "systemctl"].every((t) => spawnSync(t, ["--version"]).status === 0);
  it.skipIf(!tools)(`creates the user and enables the unit with systemd's --root tools${tools ? "" : " (skipped: needs root, systemd-sysusers and systemctl)"}`, () => {
    const root = join(work, "root-h");
    const app = stagedApp("app-h");
    ok(install(root, "--source", app));
    const passwd = readFileSync(join(root, "etc/passwd"), "utf8");
    const group = readFileSync(join(root, "etc/group"), "utf8");
    expect(passwd).toMatch(/^reclaim:x:\d+:\d+:Reclaim edge controller:\/var\/lib\/reclaim:\/usr\/sbin\/nologin$/m);
    expect(group).toMatch(/^gpio:x:\d+:reclaim$/m);
    expect(group).toMatch(/^dialout:x:\d+:reclaim$/m);
    const gid = Number(/^reclaim:x:(\d+):/m.exec(group)?.[1]);
    const uid = Number(/^reclaim:x:(\d+):/m.exec(passwd)?.[1]);
    expect(lstatSync(join(root, "etc/reclaim")).gid).toBe(gid);
    expect(lstatSync(join(root, "etc/reclaim/reclaim.yaml")).gid).toBe(gid);
    expect(lstatSync(join(root, "var/lib/reclaim")).uid).toBe(uid);
    expect(readlinkSync(join(root, "etc/systemd/system/multi-user.target.wants/reclaim.service"))).toBe("/etc/systemd/system/reclaim.service");

    const before = snapshot(root);
    expect(ok(install(root, "--source", app))).toMatch(/nothing to change/);
    expect(snapshot(root)).toEqual(before);

    ok(install(root, "--uninstall"));
    expect(existsSync(join(root, "etc/systemd/system/multi-user.target.wants/reclaim.service"))).toBe(false);
  });
});
