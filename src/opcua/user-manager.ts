// OPC UA user authentication: user name and password against the users file, each user
// mapped to one of the well-known roles of OPC 10000-3 4.9 (Observer, Operator, Engineer).
// Failed logins are rate-limited per user and client address, their answer delayed, and
// each one written to the audit trail through the injected callback.
import { MessageSecurityMode, UAUserManagerBase, WellKnownRoles, makeRoles, type NodeId, type ServerSession } from "node-opcua";
import type { Logger } from "../system/log.js";
import { LoginLimiter } from "./login-limiter.js";
import type { OpcuaAudit } from "./ports.js";
import { UsersFileCache, decoyHash, verifyPassword, type ScryptCost, type UserRole } from "./users-file.js";

const ROLE_IDS: Record<UserRole, WellKnownRoles> = {
  observer: WellKnownRoles.Observer,
  operator: WellKnownRoles.Operator,
  engineer: WellKnownRoles.Engineer,
};

export interface UserManagerOptions {
  usersFile: string;
  log: Logger;
  audit?: OpcuaAudit;
  /** Monotonic milliseconds, for the rate limit. */
  now?: () => number;
  limiter?: LoginLimiter;
  /** How an answer is held back (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
  /** Cost of the decoy hash checked for unknown users (match the users' own). */
  decoyCost?: ScryptCost;
}

function describeAddress(session: ServerSession): string {
  return session.channel?.remoteAddress || "unknown";
}

export class ReclaimUserManager extends UAUserManagerBase {
  readonly users: UsersFileCache;
  readonly limiter: LoginLimiter;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** scrypt checks run one at a time: each takes 32 MiB, and a burst must not multiply that. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: UserManagerOptions) {
    super();
    this.users = new UsersFileCache(opts.usersFile);
    this.limiter = opts.limiter ?? new LoginLimiter();
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The role of a user, read from the users file (re-read when it changed on disk). */
  roleOf(user: string): UserRole | undefined {
    try {
      return this.users.roleOf(user);
    } catch (err) {
      this.opts.log.error({ err }, "users file unreadable: no user has a role");
      return undefined;
    }
  }

  override getUserRoles(user: string): NodeId[] {
    const role = this.roleOf(user);
    // A removed user keeps a live session but loses every role at once.
    return role ? makeRoles([ROLE_IDS[role]]) : [];
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  override async isValidUser(session: ServerSession, username: string, password: string): Promise<boolean> {
    const address = describeAddress(session);
    const securityMode = MessageSecurityMode[session.channel?.securityMode ?? MessageSecurityMode.Invalid];
    const verdict = this.limiter.check(username, address, this.now());
    if (!verdict.allowed) {
      this.opts.audit?.({ kind: "login", user: username, action: "login-locked-out", target: "opcua", data: { address, reason: verdict.reason, securityMode } });
      this.opts.log.warn({ user: username, address }, `OPC UA login refused: ${verdict.reason} (${Math.ceil(verdict.retryAfterMs / 1000)} s left)`);
      return false;
    }
    let ok = false;
    let reason = "wrong password";
    try {
      const entry = Object.hasOwn(this.users.current().users, username) ? this.users.current().users[username] : undefined;
      if (!entry) reason = "unknown user";
      // An unknown user costs the same scrypt as a known one, so timing does not tell who exists.
      const hash = entry?.password ?? (await decoyHash(this.opts.decoyCost));
      ok = (await this.serialized(() => verifyPassword(password, hash))) && entry !== undefined;
    } catch (err) {
      reason = `users file unreadable: ${(err as Error).message}`;
      this.opts.log.error({ err }, "OPC UA login: users file unreadable");
    }
    if (ok) {
      this.limiter.success(username, address);
      this.opts.audit?.({ kind: "login", user: username, action: "login", target: "opcua", data: { address, securityMode } });
      return true;
    }
    const f = this.limiter.failure(username, address, this.now());
    this.opts.audit?.({ kind: "login", user: username, action: "login-failed", target: "opcua", data: { address, reason, failures: f.failures, securityMode } });
    this.opts.log.warn({ user: username, address, failures: f.failures }, `OPC UA login failed for ${username} from ${address}: ${reason}${f.lockedOut ? " (now locked out)" : ""}`);
    await this.sleep(f.delayMs);
    return false;
  }
}
