// The Modbus engine: runs the poll plan on each line's queue, decodes blocks into tag
// samples with quality, keeps device health (with demotion), and carries out writes.
// The only code above the transports that knows registers; it reports, it does not decide.
import { Subject } from "rxjs";
import type { Config, DeviceConfig, ModbusSource, TagConfig } from "../../config/schema.js";
import { bad, type Quality, type TagSample } from "../../core/quality.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { CodecError, decodeSource, encodeSource, isBitTable, sourceSpan } from "./codec.js";
import { ModbusError, ModbusExceptionError, withAttempt } from "./errors.js";
import { initialHealth, mayPoll, recordFailure, recordSuccess, type DeviceHealth } from "./health.js";
import { LineQueue } from "./line.js";
import type { ReadBlock } from "./planner.js";
import type { ModbusRequest, ModbusTransport } from "./transport.js";

/** One read request of the poll plan (planner.ts decides which tags it carries). */
export type PollBlock = Pick<ReadBlock, "device" | "fc" | "address" | "count" | "period" | "tags">;

const FC_OF_TABLE: Record<ModbusSource["table"], 1 | 2 | 3 | 4> = { coil: 1, discrete: 2, holding: 3, input: 4 };

interface BoundTag {
  tag: TagConfig;
  src: ModbusSource;
}

interface Group {
  device: DeviceConfig;
  period: number;
  blocks: Array<{ block: PollBlock; tags: BoundTag[]; busy: boolean }>;
  timer?: TimerHandle;
}

/** Quality for tags whose read failed: no communication, or device failure for an exception. */
function failureQuality(err: unknown): Quality {
  if (err instanceof ModbusExceptionError) return bad("device-failure", err.message);
  if (err instanceof CodecError) return bad("device-failure", err.message);
  return bad("no-comm", err instanceof Error ? err.message : String(err));
}

export class ModbusEngine {
  readonly samples$ = new Subject<TagSample[]>();
  readonly health$ = new Subject<DeviceHealth>();
  private readonly lines = new Map<string, LineQueue>();
  private readonly devices = new Map<string, DeviceConfig>();
  private readonly healthBy = new Map<string, DeviceHealth>();
  private readonly groups: Group[] = [];
  /** Last raw word per device/table/address: status words and read-modify-write of register bits. */
  private readonly cache = new Map<string, number>();
  private readonly tagSources = new Map<string, ModbusSource>();
  private running = false;

  constructor(
    private readonly config: Config,
    private readonly clock: Clock,
    transports: ReadonlyMap<string, ModbusTransport>,
    blocks: readonly PollBlock[],
  ) {
    for (const line of config.lines) {
      const t = transports.get(line.name);
      if (t) this.lines.set(line.name, new LineQueue(line, t, clock));
    }
    for (const d of config.devices) {
      this.devices.set(d.name, d);
      this.healthBy.set(d.name, initialHealth(d.name));
    }
    const bound = new Map<string, BoundTag>();
    for (const tag of config.tags) {
      if (!tag.modbus) continue;
      bound.set(tag.name, { tag, src: tag.modbus });
      this.tagSources.set(tag.name, tag.modbus);
    }
    const byKey = new Map<string, Group>();
    for (const block of blocks) {
      const device = this.devices.get(block.device);
      if (!device) continue;
      const key = `${block.device}@${block.period}`;
      let g = byKey.get(key);
      if (!g) {
        g = { device, period: block.period, blocks: [] };
        byKey.set(key, g);
        this.groups.push(g);
      }
      const tags = block.tags.filter((i) => i.role === "value").flatMap((i) => bound.get(i.tag) ?? []);
      g.blocks.push({ block, tags, busy: false });
    }
  }

  health(): DeviceHealth[] {
    return [...this.healthBy.values()];
  }

  lineQueues(): LineQueue[] {
    return [...this.lines.values()];
  }

  start(): void {
    this.running = true;
    for (const g of this.groups) this.tick(g);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const g of this.groups) this.clock.clearTimer(g.timer);
    await Promise.all([...this.lines.values()].map((l) => l.close()));
    this.samples$.complete();
    this.health$.complete();
  }

  /** Polls one group now and schedules its next cycle one period later. */
  private tick(g: Group): void {
    if (!this.running) return;
    g.timer = this.clock.setTimer(() => this.tick(g), g.period);
    const h = this.healthBy.get(g.device.name) as DeviceHealth;
    const now = this.clock.now();
    if (!mayPoll(h, now)) return;
    // A demoted device gets a single probe per demotion period, not a full cycle.
    const blocks = h.demotedUntil !== null ? g.blocks.slice(0, 1) : g.blocks;
    for (const b of blocks) if (!b.busy) void this.poll(g.device, b);
  }

  private async poll(device: DeviceConfig, b: Group["blocks"][number]): Promise<void> {
    const line = this.lines.get(device.line);
    if (!line) return;
    b.busy = true;
    const req: ModbusRequest = { fc: b.block.fc, unit: device.unit, address: b.block.address, count: b.block.count };
    const started = this.clock.now();
    try {
      const res = await this.withRetries(device, line, req, "read");
      this.onHealth(recordSuccess(this.healthOf(device), this.clock.now() - started));
      const words = isBitTable(tableOf(b.block.fc)) ? (res.bits ?? []).map((x) => (x ? 1 : 0)) : (res.registers ?? []);
      for (let i = 0; i < b.block.count; i++) this.cache.set(`${device.name}/${b.block.fc}/${b.block.address + i}`, words[i] ?? 0);
      this.emitDecoded(device, b.block, b.tags, res);
    } catch (err) {
      const e = err as ModbusError;
      this.onHealth(recordFailure(this.healthOf(device), device, e.message, this.clock.now()));
      this.emitBad(b.tags, failureQuality(err));
    } finally {
      b.busy = false;
    }
  }

  private async withRetries(device: DeviceConfig, line: LineQueue, req: ModbusRequest, priority: "read" | "write") {
    const attempts = device.retries + 1;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await line.request(req, device.timeout, priority);
      } catch (err) {
        last = err instanceof ModbusError ? withAttempt(err, device.name, attempt, attempts) : err;
        // An exception is the device's considered answer: asking again will not change it.
        if (err instanceof ModbusExceptionError) break;
      }
    }
    throw last as Error;
  }

  private healthOf(device: DeviceConfig): DeviceHealth {
    return this.healthBy.get(device.name) ?? initialHealth(device.name);
  }

  private onHealth(next: DeviceHealth): void {
    const prev = this.healthBy.get(next.device);
    this.healthBy.set(next.device, next);
    if (!prev || prev.status !== next.status || prev.lastError !== next.lastError) this.health$.next(next);
  }

  private emitDecoded(device: DeviceConfig, block: PollBlock, tags: BoundTag[], res: { bits?: boolean[]; registers?: number[] }): void {
    const sourceTs = this.clock.wall();
    const mono = this.clock.now();
    const out: TagSample[] = [];
    for (const { tag, src } of tags) {
      const off = src.address - block.address;
      const span = sourceSpan(src);
      try {
        const status = src.status ? this.cache.get(`${device.name}/${FC_OF_TABLE[src.status.table]}/${src.status.address}`) : undefined;
        const raw = isBitTable(src.table)
          ? { bits: (res.bits ?? []).slice(off, off + span) }
          : { registers: (res.registers ?? []).slice(off, off + span), ...(status !== undefined ? { status } : {}) };
        const d = decodeSource(src, raw);
        out.push({ tag: tag.name, value: d.value, quality: d.quality, sourceTs, mono });
      } catch (err) {
        out.push({ tag: tag.name, value: null, quality: failureQuality(err), sourceTs, mono });
      }
    }
    if (out.length > 0) this.samples$.next(out);
  }

  private emitBad(tags: BoundTag[], quality: Quality): void {
    if (tags.length === 0) return;
    const sourceTs = this.clock.wall();
    const mono = this.clock.now();
    this.samples$.next(tags.map(({ tag }) => ({ tag: tag.name, value: null, quality, sourceTs, mono })));
  }

  /** Writes a tag's value to its device (coil or register), ahead of queued reads. */
  async write(tagName: string, value: number | boolean): Promise<void> {
    const src = this.tagSources.get(tagName);
    const device = src ? this.devices.get(src.device) : undefined;
    const line = device ? this.lines.get(device.line) : undefined;
    if (!src || !device || !line || !src.writable) throw new Error(`tag ${tagName} is not a writable Modbus tag`);
    const current = this.cache.get(`${device.name}/3/${src.address}`) ?? 0;
    const enc = encodeSource(src, value, current);
    const req: ModbusRequest = enc.bits
      ? { fc: 5, unit: device.unit, address: src.address, value: enc.bits[0] as boolean }
      : (enc.registers ?? []).length === 1
        ? { fc: 6, unit: device.unit, address: src.address, value: (enc.registers as number[])[0] as number }
        : { fc: 16, unit: device.unit, address: src.address, values: enc.registers as number[] };
    const started = this.clock.now();
    try {
      await this.withRetries(device, line, req, "write");
      this.onHealth(recordSuccess(this.healthOf(device), this.clock.now() - started));
    } catch (err) {
      this.onHealth(recordFailure(this.healthOf(device), device, (err as Error).message, this.clock.now()));
      throw err;
    }
  }
}

function tableOf(fc: 1 | 2 | 3 | 4): ModbusSource["table"] {
  return fc === 1 ? "coil" : fc === 2 ? "discrete" : fc === 3 ? "holding" : "input";
}
