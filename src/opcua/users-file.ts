// The OPC UA users file: user name → role and scrypt password hash, in YAML, managed by
// `reclaim users` and read by the server. Passwords never reach the file in clear: each one
// is hashed with node:crypto's scrypt and a per-user random salt, and checked with a
// constant-time compare. The cost parameters are stored with each hash, so they can be
// raised later without invalidating existing users.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";

export const USER_ROLES = ["observer", "operator", "engineer"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserEntry {
  role: UserRole;
  /** "$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>" */
  password: string;
  /** ISO 8601, for `reclaim users list`. */
  changed: string;
}

export interface UsersFile {
  version: 1;
  users: Record<string, UserEntry>;
}

export interface ScryptCost {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  r: number;
  p: number;
}

/**
 * ln=15, r=8: 32 MiB and ~0.1 s per check on a gateway-class CPU. OWASP's 2^17 would take
 * 128 MiB per login attempt on a controller whose whole budget is 250 MB; the server runs one
 * check at a time and rate-limits failures instead (login-limiter.ts).
 */
export const DEFAULT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };

const KEY_LEN = 32;
const SALT_LEN = 16;
const HASH_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
export const MIN_PASSWORD = 8;

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost, keyLen: number): Promise<Buffer> {
  const N = 2 ** cost.ln;
  // scrypt needs 128·N·r bytes; node's default cap (32 MiB) is exactly the default cost's need.
  const maxmem = 256 * N * cost.r;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, keyLen, { N, r: cost.r, p: cost.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await scryptAsync(password, salt, cost, KEY_LEN);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  key: Buffer;
}

function parseHash(encoded: string): ParsedHash | undefined {
  const m = HASH_RE.exec(encoded);
  if (!m) return undefined;
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.ln < 1 || cost.ln > 20 || cost.r < 1 || cost.p < 1) return undefined;
  return { cost, salt: Buffer.from(m[4] as string, "base64"), key: Buffer.from(m[5] as string, "base64") };
}

/** True when the password matches; the compare takes the same time wherever they differ. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const h = parseHash(encoded);
  if (!h || h.key.length === 0) return false;
  const key = await scryptAsync(password, h.salt, h.cost, h.key.length);
  return timingSafeEqual(key, h.key);
}

/** A hash of nothing in particular, checked against for unknown users so that timing does not tell who exists. */
let decoy: Promise<string> | undefined;
export function decoyHash(cost: ScryptCost = DEFAULT_COST): Promise<string> {
  decoy ??= hashPassword(randomBytes(12).toString("hex"), cost);
  return decoy;
}

export function emptyUsersFile(): UsersFile {
  return { version: 1, users: {} };
}

function invalid(file: string, why: string): ReclaimError {
  return new ReclaimError(ERROR_CODES.CONFIG_INVALID, `users file ${file}: ${why}`);
}

/** Parses and checks a users file's text; throws naming the file and the entry at fault. */
export function parseUsersFile(text: string, file: string): UsersFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw invalid(file, `not valid YAML (${(err as Error).message})`);
  }
  if (doc === null || doc === undefined) return emptyUsersFile();
  if (typeof doc !== "object" || Array.isArray(doc)) throw invalid(file, "expected a mapping with version and users");
  const { version, users, ...rest } = doc as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw invalid(file, `unknown key '${Object.keys(rest)[0]}'`);
  // deploy/install.sh writes "users: []" without a version when no template ships.
  if (version !== 1 && version !== undefined) throw invalid(file, `version must be 1, not ${JSON.stringify(version)}`);
  const out: Record<string, UserEntry> = {};
  if (users === null || users === undefined || (Array.isArray(users) && users.length === 0)) return { version: 1, users: out };
  if (typeof users !== "object" || Array.isArray(users)) throw invalid(file, "users must be a mapping of user name to entry");
  for (const [name, raw] of Object.entries(users as Record<string, unknown>)) {
    // "anonymous" is what an anonymous session is called: no user may take that name.
    if (!USERNAME_RE.test(name) || name.toLowerCase() === "anonymous") throw invalid(file, `user name '${name}' is not allowed (letters, digits, '_', '.', '@', '-')`);
    const e = raw as Partial<Record<string, unknown>> | null;
    if (!e || typeof e !== "object") throw invalid(file, `user ${name}: expected role and password`);
    if (!USER_ROLES.includes(e.role as UserRole)) throw invalid(file, `user ${name}: role must be one of ${USER_ROLES.join(", ")}`);
    if (typeof e.password !== "string" || !parseHash(e.password)) throw invalid(file, `user ${name}: password is not a scrypt hash written by 'reclaim users'`);
    out[name] = { role: e.role as UserRole, password: e.password, changed: typeof e.changed === "string" ? e.changed : "" };
  }
  return { version: 1, users: out };
}

export function readUsersFile(file: string): UsersFile {
  if (!existsSync(file)) return emptyUsersFile();
  return parseUsersFile(readFileSync(file, "utf8"), file);
}

/**
 * Writes atomically (temp file, then rename). A new file is 0640: the service reads it
 * through its group (deploy/README.md: root:reclaim 0640). An existing file keeps its mode
 * and owner, so `sudo reclaim users` never locks the service out of it.
 */
export function writeUsersFile(file: string, data: UsersFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const header = "# Reclaim OPC UA users: managed by `reclaim users`. Passwords are scrypt hashes; do not edit them by hand.\n";
  const tmp = `${file}.${process.pid}.tmp`;
  const before = existsSync(file) ? statSync(file) : undefined;
  writeFileSync(tmp, header + stringify(data), { mode: 0o640 });
  chmodSync(tmp, before ? before.mode & 0o777 & ~0o007 : 0o640);
  if (before) {
    try {
      chownSync(tmp, before.uid, before.gid);
    } catch {
      // Not root: the file stays the writer's, which is then also the previous owner.
    }
  }
  renameSync(tmp, file);
}

/** The users file as the server sees it: re-read when it changes on disk, so `reclaim users` needs no restart. */
export class UsersFileCache {
  private stamp = "";
  private data: UsersFile = emptyUsersFile();

  constructor(readonly file: string) {}

  current(): UsersFile {
    let stamp = "absent";
    try {
      const st = statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      // absent: no users
    }
    if (stamp !== this.stamp) {
      this.data = stamp === "absent" ? emptyUsersFile() : readUsersFile(this.file);
      this.stamp = stamp;
    }
    return this.data;
  }

  roleOf(user: string): UserRole | undefined {
    return Object.hasOwn(this.current().users, user) ? this.current().users[user]?.role : undefined;
  }
}

/** Why a new password is refused, or undefined when acceptable. */
export function passwordProblem(user: string, password: string): string | undefined {
  if (password.length < MIN_PASSWORD) return `a password needs at least ${MIN_PASSWORD} characters`;
  if (password.toLowerCase() === user.toLowerCase()) return "the password must not be the user name";
  if (/[\r\n]/.test(password)) return "a password cannot contain a line break";
  return undefined;
}
