// The Modbus engine: runs the poll plan on each line's queue, decodes each cycle into tag
// samples with quality, keeps device health (with demotion: a dead device gets one probe per
// demotion period; a device that answers only with exceptions is offline but keeps its poll
// rate, see health.ts), and carries out writes ahead of queued reads. The only code above the
// transports that knows registers; it reports, it does not decide.
import { Subject } from "rxjs";
import type { Config, DeviceConfig, ModbusSource } from "../../config/schema.js";
import { bad, type TagSample } from "../../core/quality.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { describeThrown } from "./classify.js";
import { encodeSource } from "./codec.js";
import { isModbusError, ModbusConnectionError, type ModbusError } from "./errors.js";
import { initialHealth, recordAnswerError, recordFailure, recordSuccess, type DeviceHealth } from "./health.js";
import { LineQueue, type LineQueueOptions, type Priority } from "./line.js";
import { badSamples, bindGroups, decodeCycle, type BlockResult, type PollBlock, type PollGroup, type Stamp } from "./poll-groups.js";
import { describeRequest, type ModbusRequest, type ModbusResponse, type ModbusTransport } from "./transport.js";
import { ReadBack, writeRequest } from "./writes.js";

export type { PollBlock } from "./poll-groups.js";

export interface EngineOptions {
  /** After a write, the next read of the written address must show the value, else a health warning. */
  verifyWrites?: boolean;
  /** Reconnect back-off and connection replacement, for every line. */
  line?: LineQueueOptions;
}

interface GroupState extends PollGroup {
  busy: boolean;
  timer?: TimerHandle;
}

interface WriteTarget {
  src: ModbusSource;
  device: DeviceConfig;
}

export class ModbusEngine {
  readonly samples$ = new Subject<TagSample[]>();
  readonly health$ = new Subject<DeviceHealth>();
  /** Cycles skipped because the previous cycle of the group had not finished. */
  overruns = 0;
  private readonly lines = new Map<string, LineQueue>();
  private readonly healthBy = new Map<string, DeviceHealth>();
  private readonly groups: GroupState[];
  private readonly tagsOf = new Map<string, string[]>();
  private readonly writable = new Map<string, WriteTarget>();
  /** Per device, the blocks whose last read failed: the device stays degraded while any does. */
  private readonly failing = new Map<string, Set<string>>();
  /** Per device, the keys of all its poll blocks: when every one is failing, nothing of it answers. */
  private readonly blockKeys = new Map<string, string[]>();
  /** Each poll block's name (its request), made once: reads name their block every poll. */
  private readonly keyOfBlock = new Map<PollBlock, string>();
  private readonly probing = new Set<string>();
  private readonly readBack = new ReadBack();
  /** Orders reads after writes for read-back verification. */
  private seq = 0;
  private running = false;

  constructor(
    private readonly config: Config,
    private readonly clock: Clock,
    transports: ReadonlyMap<string, ModbusTransport>,
    blocks: readonly PollBlock[],
    private readonly opts: EngineOptions = {},
  ) {
    for (const line of config.lines) {
      const t = transports.get(line.name);
      if (t) this.lines.set(line.name, new LineQueue(line, t, clock, opts.line));
    }
    const devices = new Map(config.devices.map((d) => [d.name, d]));
    for (const d of config.devices) {
      this.healthBy.set(d.name, initialHealth(d.name));
      this.tagsOf.set(d.name, []);
      this.failing.set(d.name, new Set());
    }
    for (const t of config.tags) {
      const device = t.modbus ? devices.get(t.modbus.device) : undefined;
      if (!t.modbus || !device) continue;
      this.tagsOf.get(device.name)?.push(t.name);
      if (t.modbus.writable && (t.modbus.table === "coil" || t.modbus.table === "holding")) this.writable.set(t.name, { src: t.modbus, device });
    }
    this.groups = bindGroups(config, blocks).map((g) => ({ ...g, busy: false }));
    for (const g of this.groups) {
      const keys = this.blockKeys.get(g.device.name) ?? [];
      for (const b of g.blocks) {
        const key = describeRequest({ fc: b.fc, unit: g.device.unit, address: b.address, count: b.count });
        keys.push(key);
        this.keyOfBlock.set(b, key);
      }
      this.blockKeys.set(g.device.name, keys);
    }
  }

  health(): DeviceHealth[] {
    return [...this.healthBy.values()];
  }

  lineQueues(): LineQueue[] {
    return [...this.lines.values()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const d of this.config.devices) {
      if (this.lines.has(d.line)) continue;
      this.emit(badSamples(this.tagsOf.get(d.name) ?? [], bad("no-comm", `${d.name}: line ${d.line} has no transport`), this.stamp()));
    }
    for (const g of this.groups) this.tick(g);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const g of this.groups) this.clock.clearTimer(g.timer);
    await Promise.all([...this.lines.values()].map((l) => l.close()));
    this.samples$.complete();
    this.health$.complete();
  }

  /** Writes a tag's value to its device (coil or register), ahead of queued reads. */
  async write(tagName: string, value: number | boolean): Promise<void> {
    const target = this.writable.get(tagName);
    const line = target ? this.lines.get(target.device.line) : undefined;
    if (!target || !line) throw new Error(`tag ${tagName} is not a writable Modbus tag`);
    const { src, device } = target;
    // A bit inside a register is a read-modify-write: read the word now, not from a poll that may be old.
    let current = 0;
    if (src.bit !== undefined) {
      const res = await this.request(device, line, { fc: 3, unit: device.unit, address: src.address, count: 1 }, "write");
      current = res.registers?.[0] ?? 0;
    }
    const enc = encodeSource(src, value, current);
    await this.request(device, line, writeRequest(src, device.unit, enc), "write");
    if (this.opts.verifyWrites) this.readBack.expect(tagName, src, enc, ++this.seq);
  }

  /** Polls one group now and schedules its next cycle one period later. */
  private tick(g: GroupState): void {
    if (!this.running) return;
    g.timer = this.clock.setTimer(() => this.tick(g), g.period);
    if (g.busy) {
      this.overruns++;
      return;
    }
    void this.cycle(g);
  }

  private async cycle(g: GroupState): Promise<void> {
    const device = g.device;
    const line = this.lines.get(device.line);
    const h = this.healthOf(device);
    if (!line) return;
    let indices = g.blocks.map((_, i) => i);
    let attempts = device.retries + 1;
    if (h.demotedUntil !== null) {
      // A demoted device gets one probe per demotion period, of one block, without retries.
      if (this.clock.now() < h.demotedUntil || this.probing.has(device.name)) return;
      this.probing.add(device.name);
      indices = [0];
      attempts = 1;
    }
    g.busy = true;
    try {
      const results: BlockResult[] = g.blocks.map(() => undefined);
      await Promise.all(
        indices.map(async (i) => {
          results[i] = await this.readBlock(device, line, g.blocks[i] as PollBlock, attempts);
        }),
      );
      this.emit(this.asOffline(device, decodeCycle(g, results, this.stamp())));
    } finally {
      g.busy = false;
      this.probing.delete(device.name);
    }
  }

  private async readBlock(device: DeviceConfig, line: LineQueue, b: PollBlock, attempts: number): Promise<BlockResult> {
    const req: ModbusRequest = { fc: b.fc, unit: device.unit, address: b.address, count: b.count };
    const key = this.keyOfBlock.get(b) ?? describeRequest(req);
    const issued = ++this.seq;
    try {
      const res = await this.request(device, line, req, "read", attempts, key);
      // A write the device does not show keeps it degraded until a read shows it after all.
      const { problems, cleared } = this.readBack.check(b, res, issued);
      const failing = this.failing.get(device.name) as Set<string>;
      for (const tag of cleared) failing.delete(`read-back ${tag}`);
      const h = this.healthOf(device);
      if (cleared.length > 0 && h.status !== "offline") this.setHealth({ ...h, status: failing.size > 0 ? "degraded" : "online" });
      for (const p of problems) {
        failing.add(`read-back ${p.tag}`);
        this.setHealth(recordAnswerError(this.healthOf(device), device, `read-back mismatch: ${p.message}`, this.clock.wall(), { request: false }));
      }
      return { ok: true, res };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** One request with the device's retries, recorded in its health. `key` names a poll block. */
  private async request(device: DeviceConfig, line: LineQueue, req: ModbusRequest, priority: Priority, attempts = device.retries + 1, key?: string): Promise<ModbusResponse> {
    const started = this.clock.now();
    const failing = this.failing.get(device.name) as Set<string>;
    try {
      const res = await this.withRetries(device, line, req, priority, attempts);
      if (key) failing.delete(key);
      this.setHealth(recordSuccess(this.healthOf(device), this.clock.now() - started, failing.size > 0));
      return res;
    } catch (err) {
      const e = err as ModbusError;
      if (key) failing.add(key);
      const h = this.healthOf(device);
      const everyReadFailing = (this.blockKeys.get(device.name) ?? []).every((k) => failing.has(k));
      if (e.kind === "exception") this.setHealth(recordAnswerError(h, device, e.message, this.clock.wall(), { everyReadFailing }));
      else this.setHealth(recordFailure(h, device, e.message, this.clock.now(), this.clock.wall(), everyReadFailing));
      throw e;
    }
  }

  private async withRetries(device: DeviceConfig, line: LineQueue, req: ModbusRequest, priority: Priority, attempts: number): Promise<ModbusResponse> {
    let last: ModbusError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // Demoted meanwhile (by another block's failure): no more retries for a dead device.
      if (attempt > 1 && priority === "read" && this.healthOf(device).demotedUntil !== null) break;
      try {
        return await line.request(req, device.timeout, priority);
      } catch (thrown) {
        const err = isModbusError(thrown)
          ? thrown
          : new ModbusConnectionError({ line: device.line, unit: device.unit, request: describeRequest(req) }, describeThrown(thrown), { cause: thrown });
        last = err.withAttempt(device.name, attempt, attempts);
        // An exception is the device's considered answer: asking again will not change it.
        if (err.kind === "exception") break;
      }
    }
    throw last as ModbusError;
  }

  private healthOf(device: DeviceConfig): DeviceHealth {
    return this.healthBy.get(device.name) ?? initialHealth(device.name);
  }

  private setHealth(next: DeviceHealth): void {
    const prev = this.healthBy.get(next.device);
    this.healthBy.set(next.device, next);
    if (prev?.status !== next.status || prev.lastError !== next.lastError) this.health$.next(next);
    // Demoted, or offline for answering without data: every tag of the device is bad now, not
    // only those of the block that failed last.
    const wentOffline = prev !== undefined && prev.status !== "offline" && next.status === "offline";
    if (wentOffline || (prev?.demotedUntil === null && next.demotedUntil !== null)) {
      const why = bad("no-comm", `${next.device} offline after ${next.withoutData} failed requests: ${next.lastError ?? ""}`);
      this.emit(badSamples(this.tagsOf.get(next.device) ?? [], why, this.stamp()));
    }
  }

  /**
   * The tags of an offline device are bad no-comm, whatever made each read fail: an exception
   * from a device that gives no data at all is the loss of the device (BadNoCommunication, and
   * for protection the business of its `not <device>.online` row, protection.ts), while an
   * exception from a device whose other blocks answer stays device-failure on its own tags.
   */
  private asOffline(device: DeviceConfig, samples: TagSample[]): TagSample[] {
    const h = this.healthOf(device);
    if (h.status !== "offline") return samples;
    return samples.map((s) =>
      s.quality.code === "bad" && s.quality.reason !== "no-comm" ? { ...s, quality: bad("no-comm", `${device.name} offline after ${h.withoutData} failed requests: ${s.quality.detail ?? s.quality.reason ?? ""}`) } : s,
    );
  }

  private emit(samples: TagSample[]): void {
    if (samples.length > 0 && this.running) this.samples$.next(samples);
  }

  private stamp(): Stamp {
    return { wall: this.clock.wall(), mono: this.clock.now() };
  }
}
