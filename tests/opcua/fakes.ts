// In-memory stand-ins for what main.ts wires into the OPC UA server: the live source, the
// command intake, the store's history and the alarms. They follow the interfaces of
// src/opcua/ports.ts to the letter, so the tests exercise exactly those contracts.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Subject } from "rxjs";
import type { Config } from "../../src/config/schema.js";
import type { Quality, TagValue } from "../../src/core/quality.js";
import type {
  AlarmDefinition,
  AlarmSource,
  AlarmView,
  CommandIntake,
  CommandRequest,
  CommandResult,
  DeviceReading,
  HistoryBucket,
  HistoryCursor,
  HistoryPage,
  HistorySample,
  HistorySource,
  InterlockReading,
  OpcuaSnapshot,
  OpcuaSource,
  SetpointDef,
  SkidStatus,
  TagReading,
  TagUpdate,
  TotalDef,
  TotalReading,
} from "../../src/opcua/ports.js";

export class FakeSource implements OpcuaSource {
  readonly updates$ = new Subject<readonly TagUpdate[]>();
  readonly status$ = new Subject<SkidStatus>();
  readonly interlocks$ = new Subject<Record<string, InterlockReading>>();
  readonly devices$ = new Subject<DeviceReading & { device: string }>();
  readonly totals$ = new Subject<Record<string, TotalReading>>();
  readonly setpoints$ = new Subject<Record<string, number>>();
  readonly totals: TotalDef[] = [{ name: "ProductVolume", unit: "m³", description: "product to reuse, total" }];
  readonly setpoints: SetpointDef[] = [
    { name: "ProductFlow", unit: "m³/h", range: [5, 30], role: "operator", description: "product flow target" },
    { name: "VerificationTime", unit: "s", range: [60, 3600], role: "engineer" },
  ];
  state: OpcuaSnapshot;

  constructor(config: Config) {
    const tags: Record<string, TagReading> = {};
    for (const t of config.tags) tags[t.name] = { value: t.kind === "bool" ? false : 0.05, quality: { code: "good" }, sourceTs: Date.UTC(2025, 0, 1) };
    this.state = {
      state: "Execute",
      qualityMode: "Reuse",
      mode: "Production",
      firstOut: null,
      tags,
      interlocks: {},
      devices: { "analyzer-1": { online: true, responseMs: 12.5, errorCount: 0, lastError: null } },
      totals: { ProductVolume: { value: 1234.5, ts: Date.UTC(2025, 0, 1) } },
      setpoints: { ProductFlow: 25, VerificationTime: 300 },
    };
  }

  snapshot(): OpcuaSnapshot {
    return this.state;
  }

  setTag(tag: string, value: TagValue, quality: Quality, sourceTs: number): void {
    this.state.tags[tag] = { value, quality, sourceTs };
    this.updates$.next([{ tag, value, quality, sourceTs }]);
  }

  setStatus(s: Partial<SkidStatus>): void {
    this.state = { ...this.state, ...s };
    this.status$.next(this.state);
  }
}

/** Decides like the core would: a handler per test, every request recorded. */
export class FakeIntake implements CommandIntake {
  readonly requests: CommandRequest[] = [];
  handler: (req: CommandRequest) => CommandResult | Promise<CommandResult> = () => ({ ok: true });

  async submit(req: CommandRequest): Promise<CommandResult> {
    this.requests.push(req);
    return this.handler(req);
  }
}

function cmp(a: HistoryCursor, b: HistoryCursor): number {
  return a.ts - b.ts || a.id - b.id;
}

/** The store's history semantics (store/queries.ts): from <= ts < to, ordered by (ts, id), paged. */
export class FakeHistory implements HistorySource {
  private readonly rows = new Map<string, HistorySample[]>();
  calls = 0;

  add(tag: string, samples: ReadonlyArray<Omit<HistorySample, "id">>): void {
    const list = this.rows.get(tag) ?? [];
    for (const s of samples) list.push({ ...s, id: list.length + 1 });
    list.sort(cmp);
    this.rows.set(tag, list);
  }

  all(tag: string): HistorySample[] {
    return [...(this.rows.get(tag) ?? [])];
  }

  historyRaw(tag: string, from: number, to: number, opts: { limit?: number; after?: HistoryCursor }): HistoryPage {
    this.calls++;
    const limit = opts.limit ?? 10_000;
    const after = opts.after ?? { ts: from, id: -1 };
    const rows = this.all(tag).filter((r) => r.ts >= from && r.ts < to && cmp(r, after) > 0).slice(0, limit);
    const last = rows[rows.length - 1];
    return last && rows.length === limit ? { rows, next: { ts: last.ts, id: last.id } } : { rows };
  }

  historyRawReverse(tag: string, from: number, to: number, opts: { limit?: number; before?: HistoryCursor }): HistoryPage {
    this.calls++;
    const limit = opts.limit ?? 10_000;
    const before = opts.before ?? { ts: to, id: Number.MAX_SAFE_INTEGER };
    const rows = this.all(tag)
      .filter((r) => r.ts > from && r.ts <= to && cmp(r, before) < 0)
      .reverse()
      .slice(0, limit);
    const last = rows[rows.length - 1];
    return last && rows.length === limit ? { rows, next: { ts: last.ts, id: last.id } } : { rows };
  }

  historyAggregate(tag: string, from: number, to: number, intervalMs: number): HistoryBucket[] {
    const buckets = new Map<number, number[]>();
    for (const r of this.all(tag)) {
      if (r.ts < from || r.ts >= to || typeof r.value !== "number" || r.quality.code === "bad") continue;
      const b = Math.floor((r.ts - from) / intervalMs);
      buckets.set(b, [...(buckets.get(b) ?? []), r.value]);
    }
    return [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([b, v]) => ({ start: from + b * intervalMs, min: Math.min(...v), max: Math.max(...v), avg: v.reduce((s, x) => s + x, 0) / v.length, count: v.length }));
  }
}

/**
 * Alarms as the core keeps them, persisted to a JSON file the way the store persists alarm
 * states: a new instance on the same file is the controller after a restart.
 */
export class FakeAlarms implements AlarmSource {
  readonly changes$ = new Subject<AlarmView>();
  private views: Map<string, AlarmView>;

  constructor(
    private readonly defs: AlarmDefinition[],
    private readonly file: string,
  ) {
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as AlarmView[]) : [];
    this.views = new Map(defs.map((d) => [d.name, saved.find((s) => s.name === d.name) ?? FakeAlarms.normal(d.name)]));
  }

  static normal(name: string): AlarmView {
    return { name, active: false, acked: true, confirmed: true, limitState: null, shelved: null, suppressed: false, outOfService: false, value: null, comment: null, at: Date.now() };
  }

  definitions(): readonly AlarmDefinition[] {
    return this.defs;
  }

  snapshot(): readonly AlarmView[] {
    return [...this.views.values()];
  }

  view(name: string): AlarmView {
    return this.views.get(name) as AlarmView;
  }

  set(name: string, patch: Partial<AlarmView>): void {
    const v = { ...this.view(name), ...patch, at: Date.now() };
    this.views.set(name, v);
    writeFileSync(this.file, JSON.stringify([...this.views.values()]));
    this.changes$.next(v);
  }

  /** The core's side of the alarm commands, for FakeIntake. */
  handle(req: CommandRequest): CommandResult {
    const name = String(req.args.alarm);
    const v = this.views.get(name);
    if (!v) return { ok: false, code: "unknown", message: `unknown alarm ${name}` };
    const comment = typeof req.args.comment === "string" ? { text: req.args.comment, user: req.user, at: Date.now() } : v.comment;
    switch (req.command) {
      case "alarm.acknowledge":
        if (v.acked) return { ok: false, code: "state", message: `alarm ${name} is already acknowledged` };
        this.set(name, { acked: true, confirmed: false, comment });
        return { ok: true };
      case "alarm.confirm":
        if (v.confirmed) return { ok: false, code: "state", message: `alarm ${name} is already confirmed` };
        this.set(name, { confirmed: true, comment });
        return { ok: true };
      case "alarm.comment":
        this.set(name, { comment });
        return { ok: true };
      case "alarm.shelve":
        if (v.shelved) return { ok: false, code: "state", message: `alarm ${name} is already shelved` };
        this.set(name, { shelved: { oneShot: req.args.oneShot === true, untilWall: req.args.oneShot === true ? null : Date.now() + Number(req.args.durationMs), by: req.user } });
        return { ok: true };
      case "alarm.unshelve":
        if (!v.shelved) return { ok: false, code: "state", message: `alarm ${name} is not shelved` };
        this.set(name, { shelved: null });
        return { ok: true };
      default:
        return { ok: false, code: "unknown", message: `not an alarm command: ${req.command}` };
    }
  }
}
