// Rate limit for failed OPC UA logins: per user name and client address, and per address
// alone (a password sprayed across many names). Each failure delays the answer
// exponentially; too many failures in the window lock the key out for a while, during
// which even the right password is refused without being checked. Pure: takes `now`.

export interface LoginLimiterOptions {
  /** Failures of one user from one address before a lockout. */
  maxFailures: number;
  /** Failures from one address, whatever the user names, before a lockout. */
  maxFailuresPerAddress: number;
  /** Failures older than this are forgotten (ms). */
  window: number;
  /** How long a lockout lasts (ms). */
  lockout: number;
  /** The answer to the first failure waits this long, doubling each time (ms). */
  baseDelay: number;
  maxDelay: number;
  /** Keys remembered at most (oldest forgotten first), so a scan cannot exhaust memory. */
  maxKeys: number;
}

export const LOGIN_LIMITS: LoginLimiterOptions = {
  maxFailures: 5,
  maxFailuresPerAddress: 20,
  window: 15 * 60_000,
  lockout: 5 * 60_000,
  baseDelay: 250,
  maxDelay: 4_000,
  maxKeys: 10_000,
};

interface Entry {
  failures: number[];
  lockedUntil: number;
}

export type LoginVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; reason: string };

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  readonly options: LoginLimiterOptions;

  constructor(options: Partial<LoginLimiterOptions> = {}) {
    this.options = { ...LOGIN_LIMITS, ...options };
  }

  private keys(user: string, address: string): [string, string] {
    return [`u:${user}\u0000${address}`, `a:${address}`];
  }

  private entry(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    e.failures = e.failures.filter((t) => now - t < this.options.window);
    if (e.failures.length === 0 && e.lockedUntil <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** May this attempt be checked at all? */
  check(user: string, address: string, now: number): LoginVerdict {
    const [userKey, addrKey] = this.keys(user, address);
    for (const [key, what] of [
      [userKey, `user ${user} from ${address}`],
      [addrKey, `address ${address}`],
    ] as const) {
      const e = this.entry(key, now);
      if (e && e.lockedUntil > now) return { allowed: false, retryAfterMs: e.lockedUntil - now, reason: `${what} locked out after repeated failed logins` };
    }
    return { allowed: true };
  }

  /** Records a failure; returns how long to hold the answer back and whether it caused a lockout. */
  failure(user: string, address: string, now: number): { delayMs: number; failures: number; lockedOut: boolean } {
    const [userKey, addrKey] = this.keys(user, address);
    let lockedOut = false;
    let failures = 0;
    for (const [key, max] of [
      [userKey, this.options.maxFailures],
      [addrKey, this.options.maxFailuresPerAddress],
    ] as const) {
      const e = this.entry(key, now) ?? { failures: [], lockedUntil: 0 };
      e.failures.push(now);
      if (e.failures.length >= max && e.lockedUntil <= now) {
        e.lockedUntil = now + this.options.lockout;
        lockedOut = true;
      }
      this.entries.delete(key);
      this.entries.set(key, e); // most recent last, for the eviction below
      if (key === userKey) failures = e.failures.length;
    }
    while (this.entries.size > this.options.maxKeys) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    const delayMs = Math.min(this.options.maxDelay, this.options.baseDelay * 2 ** Math.max(0, failures - 1));
    return { delayMs, failures, lockedOut };
  }

  /** A good login clears that user's count from that address (not the address's own). */
  success(user: string, address: string): void {
    this.entries.delete(this.keys(user, address)[0]);
  }

  get size(): number {
    return this.entries.size;
  }
}
