// The running controller's side of the config lifecycle: diff, apply, confirm and rollback.
// An apply is atomic (the file is replaced by rename), keeps the previous version in the
// store's config_versions with who applied it and when, sets setpoint values live through
// the command intake, and restarts the controller in-process for everything else. Built
// afresh at every controller start (src/control/handlers-config.ts).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYamlValue } from "yaml";
import type { Store } from "../store/index.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import type { Clock } from "../time/clock.js";
import { ConfirmTimer, loadPending, savePending, type PendingConfirm } from "./lifecycle-confirm.js";
import { diffConfigs, liveSetpoints, type ConfigDiff } from "./lifecycle-diff.js";
import { writeFileAtomic } from "./lifecycle-write.js";
import { parseConfig } from "./load.js";
import type { Config } from "./schema.js";
import { formatDuration } from "./units.js";

export type LifecycleStore = Pick<
  Store,
  "listConfigVersions" | "getConfigVersion" | "addConfigVersion" | "appendAuditNow" | "recordAudit" | "recordEvent" | "saveState" | "loadState"
>;

export interface LifecycleDeps {
  /** The config this controller started with, and the file it came from (null: demo, tests). */
  config: Config;
  configFile: string | null;
  store: LifecycleStore | null;
  clock: Clock;
  /** Sets a setpoint through the command intake; returns the refusal, or null when accepted. */
  setSetpoint(name: string, value: number, user: string): string | null;
  requestRestart(config: Config, reason: string): void;
}

export interface ApplyResult {
  changed: boolean;
  version: number | null;
  previous: number | null;
  sha256: string;
  diff: ConfigDiff;
  /** Setpoints set live, with the intake's refusal where there was one. */
  live: Array<{ name: string; value: number; refused: string | null }>;
  restart: boolean;
  pending: PendingConfirm | null;
  /** Where the controller listens after the apply (a restart may move the socket). */
  socket: string;
}

/** The system's own name in config_versions and the audit trail. */
export const SYSTEM_USER = "system";

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function rejected(message: string): ReclaimError {
  return new ReclaimError(ERROR_CODES.COMMAND_REJECTED, message);
}

function yamlValue(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return parseYamlValue(text) as unknown;
  } catch {
    return undefined;
  }
}

export class ConfigLifecycle {
  private running: { config: Config; text: string | null; sha: string | null };
  private restarting = false;
  private readonly timer: ConfirmTimer;

  constructor(private readonly deps: LifecycleDeps) {
    let text: string | null = null;
    if (deps.configFile) {
      try {
        text = readFileSync(deps.configFile, "utf8");
      } catch {
        // Started from a file that is gone: apply will write a new one.
      }
    }
    this.running = { config: deps.config, text, sha: text === null ? null : sha256(text) };
    this.timer = new ConfirmTimer(deps.clock, () => this.expire());
    this.recordRunning();
    const pending = loadPending(deps.store);
    // A deadline that passed while the controller was down rolls back once the start is done.
    if (pending) this.timer.arm(pending.deadline, 1000);
  }

  /** Called when this controller stops: its timer must not act on the next one's behalf. */
  dispose(): void {
    this.timer.clear();
  }

  current(): { file: string | null; sha256: string | null; version: number | null; pending: PendingConfirm | null; restarting: boolean } {
    return { file: this.deps.configFile, sha256: this.running.sha, version: this.runningVersion(), pending: loadPending(this.deps.store), restarting: this.restarting };
  }

  diff(text: string, source: string): ConfigDiff {
    const candidate = parseConfig(text, source);
    return diffConfigs(this.running.config, candidate, { before: yamlValue(this.running.text), after: yamlValue(text) });
  }

  apply(text: string, source: string, user: string, opts: { confirmWithinMs?: number; note?: string } = {}): ApplyResult {
    const pending = loadPending(this.deps.store);
    if (pending) {
      throw rejected(
        `config version ${pending.version} (applied by ${pending.user}) awaits confirmation until ${new Date(pending.deadline).toISOString()}; ` +
          "run 'reclaim config confirm' to keep it or 'reclaim config rollback' to undo it first",
      );
    }
    return this.applyText(text, source, user, opts.note ?? "", opts.confirmWithinMs);
  }

  confirm(user: string): { version: number; rollbackTo: number } {
    const store = this.needStore();
    const pending = loadPending(store);
    if (!pending) throw rejected("no config change awaits confirmation");
    savePending(store, null);
    this.timer.clear();
    this.audit(user, "config confirm", { version: pending.version, appliedBy: pending.user });
    return { version: pending.version, rollbackTo: pending.rollbackTo };
  }

  /** Goes back to a kept version: by default the one before the running config. */
  rollback(user: string, toId?: number): ApplyResult {
    const store = this.needStore();
    const target = toId !== undefined ? store.getConfigVersion(toId) : this.previousVersion();
    if (!target) {
      if (toId !== undefined) throw new ReclaimError(ERROR_CODES.UNKNOWN_NAME, `no config version ${toId}; 'reclaim config history' lists the kept versions`);
      throw rejected("no earlier config version is kept; 'reclaim config history' lists them");
    }
    if (target.sha256 === this.running.sha) throw rejected(`version ${target.id} is the running config`);
    const pending = loadPending(store);
    if (pending) {
      // Rolling back answers the pending confirmation as well.
      savePending(store, null);
      this.timer.clear();
    }
    return this.applyText(target.text, `config version ${target.id}`, user, `rollback to version ${target.id}`, undefined, "config rollback");
  }

  private applyText(text: string, source: string, user: string, note: string, confirmWithinMs: number | undefined, action = "config apply"): ApplyResult {
    if (this.restarting) throw rejected("a controlled restart is under way; try again when 'reclaim status' answers");
    const file = this.deps.configFile;
    if (!file) throw rejected("this controller was started without a config file (reclaim demo); config apply needs 'reclaim run --config FILE'");
    const store = this.needStore();
    const candidate = parseConfig(text, source);
    const diff = diffConfigs(this.running.config, candidate, { before: yamlValue(this.running.text), after: yamlValue(text) });
    const sha = sha256(text);
    const base = { sha256: sha, diff, socket: candidate.control.socket };
    if (diff.changes.length === 0 && sha === this.running.sha) {
      return { ...base, changed: false, version: this.runningVersion(), previous: null, live: [], restart: false, pending: null };
    }
    const previous = this.recordRunning();
    if (confirmWithinMs !== undefined && previous === null) {
      throw rejected("the running config is not kept as a version (its file could not be read), so there is nothing to roll back to: apply without --confirm-within");
    }
    const oldText = this.running.text;
    writeFileAtomic(file, text);
    let version: number;
    try {
      version = store.addConfigVersion({ user, text, note }).id;
    } catch (err) {
      // Without its record the change would be unexplained: put the old file back.
      if (oldText !== null) writeFileAtomic(file, oldText);
      throw err;
    }
    let pending: PendingConfirm | null = null;
    if (confirmWithinMs !== undefined && previous !== null) {
      const now = this.deps.clock.wall();
      pending = { version, rollbackTo: previous, deadline: now + confirmWithinMs, withinMs: confirmWithinMs, user, appliedAt: now };
      savePending(store, pending);
      this.timer.arm(pending.deadline);
    }
    this.audit(user, action, { version, previous, sha256: sha, file, note, restart: diff.restart, changes: diff.changes.map((c) => c.path), confirmWithinMs: confirmWithinMs ?? null });
    const live = liveSetpoints(diff, candidate).map((s) => ({ ...s, refused: this.deps.setSetpoint(s.name, s.value, user) }));
    if (diff.restart) {
      this.restarting = true;
      const reason = `config version ${version} applied by ${user}${note ? ` (${note})` : ""}`;
      // Real time, not the control clock: this only lets the answer leave the socket before
      // the restart closes it.
      setTimeout(() => this.deps.requestRestart(candidate, reason), 100);
    } else this.running = { config: candidate, text, sha };
    return { ...base, changed: true, version, previous, live, restart: diff.restart, pending };
  }

  /** The deadline passed without a confirmation: apply the previous version again. */
  private expire(): void {
    const store = this.deps.store;
    const pending = loadPending(store);
    if (!store || !pending) return;
    if (this.restarting) {
      this.timer.arm(this.deps.clock.wall(), 1000);
      return;
    }
    savePending(store, null);
    const target = store.getConfigVersion(pending.rollbackTo);
    const why = `version ${pending.version} applied by ${pending.user} was not confirmed within ${formatDuration(pending.withinMs)}`;
    if (!target) {
      this.audit(SYSTEM_USER, "config rollback failed", { ...pending, reason: `version ${pending.rollbackTo} is no longer kept` });
      return;
    }
    try {
      this.applyText(target.text, `config version ${target.id}`, SYSTEM_USER, `automatic rollback to version ${target.id}: ${why}`, undefined, "config rollback (not confirmed)");
    } catch (err) {
      this.audit(SYSTEM_USER, "config rollback failed", { ...pending, reason: (err as Error).message });
    }
  }

  /** The version row of the running config: the newest with its checksum. */
  private runningVersion(): number | null {
    const versions = this.deps.store?.listConfigVersions() ?? [];
    for (let i = versions.length - 1; i >= 0; i--) if (versions[i]?.sha256 === this.running.sha) return versions[i]?.id ?? null;
    return null;
  }

  private previousVersion(): ReturnType<LifecycleStore["getConfigVersion"]> {
    const versions = this.deps.store?.listConfigVersions() ?? [];
    let i = versions.length - 1;
    while (i >= 0 && versions[i]?.sha256 !== this.running.sha) i--;
    for (i--; i >= 0; i--) {
      const v = versions[i];
      if (v && v.sha256 !== this.running.sha) return this.deps.store?.getConfigVersion(v.id);
    }
    return undefined;
  }

  /**
   * Makes sure the running config is kept as a version (the first start, or a file edited
   * by hand and picked up by a restart) and returns its id; never stops a start.
   */
  private recordRunning(): number | null {
    const { store } = this.deps;
    const { text, sha } = this.running;
    if (!store || text === null || sha === null) return null;
    try {
      const versions = store.listConfigVersions();
      const last = versions[versions.length - 1];
      if (last && last.sha256 === sha) return last.id;
      return store.addConfigVersion({ user: SYSTEM_USER, text, note: `found running from ${this.deps.configFile ?? "?"} (not applied with 'reclaim config apply')` }).id;
    } catch {
      return null;
    }
  }

  private needStore(): LifecycleStore {
    if (!this.deps.store) throw rejected("this controller runs without its store, where config versions are kept");
    return this.deps.store;
  }

  private audit(user: string, action: string, data: Record<string, unknown>): void {
    const { store, clock } = this.deps;
    if (!store) return;
    const rec = { kind: "config", user, action, target: this.deps.configFile ?? undefined, data, wallTs: clock.wall(), monoTs: clock.now() };
    try {
      store.appendAuditNow(rec);
    } catch {
      // The store raises its own alarm; queued, the record is written when the disk allows.
      store.recordAudit(rec);
    }
  }
}
