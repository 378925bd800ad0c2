// What the reliability tests know about the config (which tags feed a CCP or a protection
// row, per device) and the operator who brings the skid back after a fault: the PackML
// commands a technician would give, once per state, and nothing the config does by itself.
import type { Config, QualityConfig } from "../../../src/config/schema.js";
import { verifiedVolumeM3 } from "../../../src/core/divert.js";
import type { PackmlCommand } from "../../../src/core/packml.js";
import type { Controller } from "../../../src/runtime/controller.js";

/** Whether `expr` names `name` as a whole identifier (tag names contain '-' and '.'). */
export function mentions(expr: string, name: string): boolean {
  const esc = name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_.-])${esc}(?![A-Za-z0-9_-])`).test(expr);
}

/** The tags polled from a device, and the derived tags computed from them (transitively). */
export function tagsOfDevice(config: Config, device: string): Set<string> {
  const out = new Set(config.tags.filter((t) => t.modbus?.device === device).map((t) => t.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of config.tags) {
      if (t.expr === undefined || out.has(t.name)) continue;
      if ([...out].some((n) => mentions(t.expr as string, n))) {
        out.add(t.name);
        grew = true;
      }
    }
  }
  return out;
}

/** The CCP tags (and every derived tag's inputs) that make the product off-spec when not Good. */
export function ccpInputs(config: Config): Set<string> {
  const ccp = new Set(config.quality.ccps.map((c) => c.tag));
  for (const t of config.tags) {
    if (t.expr !== undefined && ccp.has(t.name)) for (const o of config.tags) if (mentions(t.expr, o.name)) ccp.add(o.name);
  }
  return ccp;
}

/** What a fault of this device should make the skid do, read from the config. */
export interface DeviceRole {
  /** It carries a CCP input: the product must divert. */
  ccp: boolean;
  /** Protection rows whose cause reads its tags or `<device>.online`: one of them must act. */
  protection: string[];
}

export function deviceRole(config: Config, device: string): DeviceRole {
  const tags = tagsOfDevice(config, device);
  const ccps = ccpInputs(config);
  const names = [...tags, `${device}.online`];
  return {
    ccp: [...tags].some((t) => ccps.has(t)),
    protection: config.protection.filter((p) => names.some((n) => mentions(p.cause, n))).map((p) => p.name),
  };
}

/** The operator: one command per state visit, as a technician at the skid would give it. */
export class Operator {
  readonly log: string[] = [];
  private lastState = "";
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly controller: Controller,
    private readonly quality: QualityConfig,
  ) {}

  /** Looks at the skid and acts if a person would; `now` is controller time (ms). */
  act(now: number): void {
    const s = this.controller.state;
    // Give the controller its own chance first, and never repeat a command within 2 s.
    if (s.state === this.lastState && now - this.lastAt < 2000) return;
    const cmd: PackmlCommand | null = ({ Held: "Unhold", Aborted: "Clear", Stopped: "Reset", Idle: "Start", Complete: "Reset" } as Record<string, PackmlCommand>)[s.state] ?? null;
    if (cmd) {
      this.submit({ kind: "packml", command: cmd }, now, s.state);
      return;
    }
    // Verified in spec for the whole period, the pipes flushed, and still held on divert: the operator's reset.
    const d = s.divert;
    const verified = d.inSpecSince !== null && now - d.inSpecSince > this.quality.verification + 5000 && d.inSpecM3 >= verifiedVolumeM3(this.quality);
    if (s.state === "Execute" && d.mode === "Divert" && d.latched && !d.resetRequested && verified) {
      this.submit({ kind: "reset-divert" }, now, s.state);
    }
  }

  private submit(command: { kind: "packml"; command: PackmlCommand } | { kind: "reset-divert" }, now: number, state: string): void {
    const r = this.controller.submit({ command, role: "operator", user: "test", source: "cli" });
    this.log.push(`${command.kind === "packml" ? command.command : "ResetDivert"}${r.ok ? "" : ` (rejected: ${r.message})`}`);
    this.lastState = state;
    this.lastAt = now;
  }
}
