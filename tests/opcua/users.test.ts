// The users file and `reclaim users`: scrypt hashes with a salt each, checked in constant
// time; a strict file format; passwords never on the command line; and the login rate
// limit's arithmetic (delays, lockout, per-address limit, bounded memory).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerUsers, type UsersIo } from "../../src/cli/users.js";
import { LoginLimiter } from "../../src/opcua/login-limiter.js";
import { hashPassword, parseUsersFile, readUsersFile, UsersFileCache, verifyPassword } from "../../src/opcua/users-file.js";
import { ReclaimError } from "../../src/system/errors.js";
import { TEST_COST } from "./harness.js";

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-users-"));
  file = path.join(dir, "users.yaml");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function users(args: string[], stdin = "", tty = false): Promise<string> {
  const out: string[] = [];
  const input = Readable.from([stdin]) as UsersIo["stdin"];
  if (tty) Object.assign(input, { isTTY: true });
  const io: UsersIo = { stdin: input, stdout: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream, stderr: new PassThrough(), cost: TEST_COST };
  const program = new Command().exitOverride();
  registerUsers(program, io);
  await program.parseAsync(["node", "reclaim", "users", ...args, "--file", file]);
  return out.join("");
}

describe("password hashes", () => {
  it("salts each hash and verifies in constant time", async () => {
    const a = await hashPassword("correct horse", TEST_COST);
    const b = await hashPassword("correct horse", TEST_COST);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsE", a)).toBe(false);
    expect(await verifyPassword("correct horse", "plain text")).toBe(false);
  });

  it("keeps the default cost at scrypt N=2^15, r=8", async () => {
    expect(await hashPassword("x".repeat(12))).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
  });
});

describe("users file", () => {
  it("refuses what 'reclaim users' never writes: unknown keys, bad roles, clear passwords, 'anonymous'", () => {
    expect(() => parseUsersFile("version: 1\nusers:\n  bob: { role: admin, password: x }\n", "f")).toThrow(/role must be one of/);
    expect(() => parseUsersFile("version: 1\nusers:\n  bob: { role: operator, password: secret }\n", "f")).toThrow(/not a scrypt hash/);
    expect(() => parseUsersFile("version: 1\nextra: 1\n", "f")).toThrow(/unknown key 'extra'/);
    expect(() => parseUsersFile("version: 2\n", "f")).toThrow(/version must be 1/);
    expect(() => parseUsersFile("version: 1\nusers:\n  anonymous: { role: observer, password: x }\n", "f")).toThrow(/not allowed/);
    expect(parseUsersFile("", "f")).toEqual({ version: 1, users: {} });
    // What deploy/install.sh writes when no template ships.
    expect(parseUsersFile("# Reclaim users\nusers: []\n", "f")).toEqual({ version: 1, users: {} });
  });

  it("is re-read by the server when it changes on disk", async () => {
    const cache = new UsersFileCache(file);
    expect(cache.roleOf("ann")).toBeUndefined();
    await users(["add", "ann", "--role", "engineer", "--password-stdin"], "an engineer's pw\n");
    expect(cache.roleOf("ann")).toBe("engineer");
    await users(["remove", "ann"]);
    expect(cache.roleOf("ann")).toBeUndefined();
  });
});

describe("reclaim users", () => {
  it("adds, lists, changes the password of and removes a user; the file is private", async () => {
    expect(await users(["add", "ann", "--role", "operator", "--password-stdin"], "first password\n")).toMatch(/^added ann \(operator\)/);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const hash1 = readUsersFile(file).users.ann?.password ?? "";
    expect(await verifyPassword("first password", hash1)).toBe(true);
    expect(readFileSync(file, "utf8")).not.toContain("first password");
    expect(await users(["list"])).toMatch(/^ann\s+operator\s+\d{4}-/);
    expect(JSON.parse(await users(["list", "--json"]))).toEqual([expect.objectContaining({ name: "ann", role: "operator" })]);
    await users(["passwd", "ann", "--password-stdin"], "second password");
    expect(await verifyPassword("second password", readUsersFile(file).users.ann?.password ?? "")).toBe(true);
    expect(await users(["remove", "ann"])).toBe("removed ann\n");
    expect(await users(["list"])).toBe("no users\n");
  });

  it("asks for the password twice on a terminal, without echo, and refuses a mismatch", async () => {
    await expect(users(["add", "bob", "--role", "observer"], "one password\ranother one\r", true)).rejects.toThrow(/differ/);
    expect(await users(["add", "bob", "--role", "observer"], "same password\rsame password\r", true)).toMatch(/^added bob/);
  });

  it("refuses a password on the command line, weak passwords, duplicates and unknown users", async () => {
    await expect(users(["add", "cy", "--role", "operator"], "piped but no flag\n")).rejects.toThrow(/--password-stdin/);
    await expect(users(["add", "cy", "--role", "operator", "--password-stdin"], "short\n")).rejects.toThrow(/at least 8/);
    await expect(users(["add", "cy", "--role", "root", "--password-stdin"], "long enough pw\n")).rejects.toThrow(/role must be/);
    await users(["add", "cy", "--role", "operator", "--password-stdin"], "long enough pw\n");
    await expect(users(["add", "cy", "--role", "operator", "--password-stdin"], "long enough pw\n")).rejects.toBeInstanceOf(ReclaimError);
    await expect(users(["passwd", "nobody", "--password-stdin"], "long enough pw\n")).rejects.toThrow(/no user nobody/);
    await expect(users(["add", "anonymous", "--role", "observer", "--password-stdin"], "long enough pw\n")).rejects.toThrow(/not allowed/);
    // There is no option that takes a password.
    await expect(users(["add", "dee", "--role", "operator", "--password", "hunter22"])).rejects.toThrow();
  });

  it("keeps the mode of an existing file (root:reclaim 0640 stays readable by the service)", async () => {
    writeFileSync(file, "users: []\n", { mode: 0o600 });
    await users(["add", "eve", "--role", "observer", "--password-stdin"], "long enough pw\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("does not touch a users file it cannot parse", async () => {
    writeFileSync(file, "version: 1\nusers: [oops]\n");
    await expect(users(["list"])).rejects.toThrow(/users must be a mapping/);
  });
});

describe("login rate limit", () => {
  it("doubles the delay per failure and locks a user out from an address after five", () => {
    const l = new LoginLimiter({ baseDelay: 250, maxDelay: 4000, maxFailures: 5, lockout: 300_000 });
    const delays = [0, 1, 2, 3, 4].map((i) => l.failure("ann", "10.0.0.9", i * 1000));
    expect(delays.map((d) => d.delayMs)).toEqual([250, 500, 1000, 2000, 4000]);
    expect(delays[4]?.lockedOut).toBe(true);
    expect(l.check("ann", "10.0.0.9", 5000)).toMatchObject({ allowed: false });
    expect(l.check("ann", "10.0.0.10", 5000)).toEqual({ allowed: true });
    expect(l.check("bob", "10.0.0.9", 5000)).toEqual({ allowed: true });
    expect(l.check("ann", "10.0.0.9", 4000 + 300_001)).toEqual({ allowed: true });
  });

  it("locks out an address spraying many user names, and forgets old failures", () => {
    const l = new LoginLimiter({ maxFailuresPerAddress: 20, window: 60_000 });
    for (let i = 0; i < 20; i++) l.failure(`user${i}`, "10.0.0.66", i);
    const v = l.check("someone-else", "10.0.0.66", 100);
    expect(v.allowed).toBe(false);
    expect(v.allowed ? "" : v.reason).toMatch(/address 10\.0\.0\.66/);
    const m = new LoginLimiter({ window: 60_000 });
    for (let i = 0; i < 4; i++) m.failure("ann", "h", i);
    expect(m.failure("ann", "h", 120_000).failures).toBe(1);
  });

  it("remembers a bounded number of keys, and a success clears the user's count", () => {
    const l = new LoginLimiter({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) l.failure(`u${i}`, `a${i}`, i);
    expect(l.size).toBeLessThanOrEqual(100);
    l.failure("ann", "h", 0);
    l.success("ann", "h");
    expect(l.failure("ann", "h", 1).failures).toBe(1);
  });
});
