// Adapts the running controller to what the OPC UA server asks for (src/opcua/ports.ts):
// the live picture (tags, state, interlocks, devices, totals, setpoints), the command intake
// (every Method and write goes through the core's applyCommand: role, state, range, audit),
// and the alarms as the core keeps them. The server never reaches the field directly.
import { filter, map, Subject } from "rxjs";
import type { Config } from "../config/schema.js";
import { PRIORITY_SEVERITY, priorityName, type AlarmRecord } from "../core/alarms.js";
import type { CoreCommand } from "../core/commands.js";
import type { CoreState } from "../core/state.js";
import { totalsKpis } from "../core/totals.js";
import type { ModbusEngine } from "../field/modbus/engine.js";
import type {
  AlarmSource,
  AlarmView,
  CommandIntake,
  CommandRequest,
  DeviceReading,
  InterlockReading,
  OpcuaSource,
  SkidStatus,
  TotalDef,
  TotalReading,
} from "../opcua/ports.js";
import type { Clock } from "../time/clock.js";
import type { Controller } from "./controller.js";

const TOTALS: ReadonlyArray<TotalDef & { of: (s: CoreState) => number | null }> = [
  { name: "ReuseVolume", unit: "m³", description: "product to reuse, total", of: (s) => s.totals.total.reuse },
  { name: "DivertedVolume", unit: "m³", description: "product diverted, total", of: (s) => s.totals.total.diverted },
  { name: "FeedVolume", unit: "m³", description: "UF filtrate (feed), total", of: (s) => s.totals.total.volume.feed },
  { name: "ReuseVolumeToday", unit: "m³", description: "product to reuse, today", of: (s) => s.totals.day?.bucket.reuse ?? 0 },
  { name: "DivertedVolumeToday", unit: "m³", description: "product diverted, today", of: (s) => s.totals.day?.bucket.diverted ?? 0 },
  { name: "Recovery", unit: "%", description: "RO recovery, total", of: (s) => totalsKpis(s.totals.total).recoveryPercent },
  { name: "SpecificEnergy", unit: "kWh/m³", description: "energy per m³ of product, total", of: (s) => totalsKpis(s.totals.total).specificEnergy },
  { name: "DivertCount", unit: "", description: "number of diverts, total", of: (s) => s.totals.total.diverts.count },
];

function statusOf(s: CoreState): SkidStatus {
  const f = s.divert.firstOut;
  return { state: s.state, qualityMode: s.divert.mode, mode: s.mode, firstOut: f ? f.ccp : null };
}

function interlocksOf(config: Config, s: CoreState): Record<string, InterlockReading> {
  const out: Record<string, InterlockReading> = {};
  for (const c of config.quality.ccps) {
    const st = s.ccps[c.name];
    if (st) out[c.name] = { status: st.status, value: st.value, quality: st.quality, sourceTs: s.tags[c.tag]?.sourceTs ?? 0, reason: st.reason };
  }
  return out;
}

function totalsOf(s: CoreState, ts: number): Record<string, TotalReading> {
  return Object.fromEntries(TOTALS.map((t) => [t.name, { value: t.of(s), ts }]));
}

export function opcuaSource(config: Config, controller: Controller, engine: ModbusEngine, clock: Clock): OpcuaSource {
  const devices$ = engine.health$.pipe(
    map((h) => ({ device: h.device, online: h.status !== "offline", responseMs: h.responseMs, errorCount: h.errorCount, lastError: h.lastError })),
  );
  const ccpTags = new Set(config.quality.ccps.map((c) => c.tag));
  // Interlock readings change with their tags; totals every 50 scans (5 s at the default period).
  const interlocks$ = controller.updates$.pipe(
    filter((u) => u.some((x) => ccpTags.has(x.tag))),
    map(() => interlocksOf(config, controller.state)),
  );
  const totals$ = controller.scanned$.pipe(
    filter(() => controller.state.scans % 50 === 0),
    map(() => totalsOf(controller.state, clock.wall())),
  );
  const setpoints$ = controller.audit$.pipe(
    filter((a) => a.result === "accepted" && a.command.startsWith("setpoint ")),
    map(() => ({ ...controller.state.setpoints })),
  );
  return {
    snapshot: () => {
      const s = controller.state;
      const devices: Record<string, DeviceReading> = {};
      for (const h of engine.health()) devices[h.device] = { online: h.status !== "offline", responseMs: h.responseMs, errorCount: h.errorCount, lastError: h.lastError };
      return { ...statusOf(s), tags: s.tags, interlocks: interlocksOf(config, s), devices, totals: totalsOf(s, clock.wall()), setpoints: { ...s.setpoints } };
    },
    updates$: controller.updates$,
    status$: controller.status$.pipe(map(() => statusOf(controller.state))),
    interlocks$,
    devices$,
    totals$,
    setpoints$,
    totals: TOTALS.map(({ name, unit, description }) => ({ name, unit, ...(description ? { description } : {}) })),
    setpoints: config.setpoints.map((sp) => ({ name: sp.name, unit: sp.unit, range: [sp.min, sp.max] as const, description: sp.description, role: "operator" as const })),
  };
}

/** OPC UA commands as core commands; null for what the core does not know. */
function toCore(req: CommandRequest): CoreCommand | null {
  const a = req.args;
  const alarm = typeof a.alarm === "string" ? a.alarm : "";
  const comment = typeof a.comment === "string" && a.comment !== "" ? { comment: a.comment } : {};
  switch (req.command) {
    case "ResetDivert":
      return { kind: "reset-divert" };
    case "setpoint":
      return { kind: "setpoint", name: String(a.name), value: Number(a.value) };
    case "alarm.acknowledge":
      return { kind: "alarm", action: "acknowledge", alarm, ...comment };
    case "alarm.shelve":
      return a.oneShot === true ? { kind: "alarm", action: "shelve", alarm, oneShot: true } : { kind: "alarm", action: "shelve", alarm, duration: Number(a.durationMs) };
    case "alarm.unshelve":
      return { kind: "alarm", action: "unshelve", alarm };
    case "alarm.confirm":
    case "alarm.comment":
      return null;
    default:
      return { kind: "packml", command: req.command };
  }
}

/**
 * The intake for OPC UA. Confirm and AddComment are Part 9 notions the ISA-18.2 core does not
 * model: they are recorded here (and audited through the core as an acknowledge-less note).
 */
export class OpcuaIntake implements CommandIntake {
  readonly notes$ = new Subject<{ alarm: string; kind: "confirm" | "comment"; user: string; text: string; at: number }>();

  constructor(
    private readonly controller: Controller,
    private readonly alarms: OpcuaAlarms,
    private readonly audit: (entry: { user: string; action: string; target: string; data: unknown }) => void = () => undefined,
  ) {}

  submit(req: CommandRequest): Promise<{ ok: true } | { ok: false; code: "role" | "state" | "range" | "unknown"; message: string }> {
    if (req.role === "anonymous") return Promise.resolve({ ok: false, code: "role", message: "anonymous users may only read" });
    if (req.command === "alarm.confirm" || req.command === "alarm.comment") {
      const r = this.alarms.note(req);
      this.audit({ user: req.user, action: req.command, target: String(req.args.alarm), data: { args: req.args, result: r.ok ? "accepted" : "rejected", reason: r.ok ? null : r.message } });
      return Promise.resolve(r);
    }
    const command = toCore(req);
    if (!command) return Promise.resolve({ ok: false, code: "unknown", message: `${req.command} is not supported` });
    const r = this.controller.submit({ command, user: req.user, role: req.role === "observer" ? "viewer" : req.role, source: "opcua" });
    return Promise.resolve(r.ok ? { ok: true } : { ok: false, code: r.code === "mode" ? "state" : r.code, message: r.message });
  }
}

/** The core's alarms as OPC UA conditions see them, plus Confirm and comments kept here. */
export class OpcuaAlarms implements AlarmSource {
  private readonly confirmed = new Map<string, boolean>();
  private readonly comments = new Map<string, { text: string; user: string; at: number }>();
  readonly changes$ = new Subject<AlarmView>();

  constructor(
    private readonly config: Config,
    private readonly controller: Controller,
    private readonly clock: Clock,
  ) {
    controller.events$.subscribe((e) => {
      if (e.type !== "alarm" || e.kind !== "alarm") return;
      // A new activation needs a new confirmation.
      if (e.to === "Unacknowledged") this.confirmed.set(e.alarm, false);
      const v = this.view(e.alarm);
      if (v) this.changes$.next(v);
    });
  }

  definitions() {
    const ccp = new Map(this.config.quality.ccps.map((c) => [c.name, c]));
    return this.controller.model.alarmDefs.map((d) => {
      const c = ccp.get(d.name);
      const severity = PRIORITY_SEVERITY[priorityName(d.priority)];
      const base = { name: d.name, message: d.message ?? d.name, severity, shelvable: d.shelvable !== false, ...(d.maxShelve !== undefined ? { maxShelveMs: d.maxShelve } : {}) };
      if (!c) return { ...base, kind: "discrete" as const };
      return { ...base, kind: "limit" as const, tag: c.tag, limits: { ...(c.critical.high !== undefined ? { high: c.critical.high } : {}), ...(c.critical.low !== undefined ? { low: c.critical.low } : {}) } };
    });
  }

  private view(name: string): AlarmView | undefined {
    const r: AlarmRecord | undefined = this.controller.state.alarms.alarms[name];
    if (!r) return undefined;
    const acked = r.state === "Normal" || r.state === "Acknowledged";
    const toWall = (mono: number | null): number | null => (mono === null ? null : this.clock.wall() + (mono - this.clock.now()));
    return {
      name,
      active: r.active,
      acked,
      confirmed: this.confirmed.get(name) ?? true,
      shelved: r.shelved ? { oneShot: r.shelved.until === null, untilWall: toWall(r.shelved.until), by: r.shelved.by } : null,
      suppressed: r.suppressed,
      outOfService: r.outOfService !== null,
      value: r.value,
      comment: this.comments.get(name) ?? null,
      at: this.clock.wall(),
    };
  }

  snapshot(): AlarmView[] {
    return Object.keys(this.controller.state.alarms.alarms).flatMap((n) => this.view(n) ?? []);
  }

  note(req: CommandRequest): { ok: true } | { ok: false; code: "state" | "unknown"; message: string } {
    const name = String(req.args.alarm);
    const v = this.view(name);
    if (!v) return { ok: false, code: "unknown", message: `unknown alarm '${name}'` };
    if (req.command === "alarm.confirm") {
      if (!v.acked) return { ok: false, code: "state", message: `alarm ${name} must be acknowledged before it is confirmed` };
      if (v.confirmed) return { ok: false, code: "state", message: `alarm ${name} is already confirmed` };
      this.confirmed.set(name, true);
    } else {
      this.comments.set(name, { text: typeof req.args.comment === "string" ? req.args.comment : "", user: req.user, at: this.clock.wall() });
    }
    const after = this.view(name);
    if (after) this.changes$.next(after);
    return { ok: true };
  }
}
