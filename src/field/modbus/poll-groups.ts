// Binds the poll plan to tags and decodes one poll cycle into tag samples. A group is one
// device's blocks of one poll period: it is read as a whole each cycle, so a value and the
// status word that qualifies it (the planner's `role: "status"` items, possibly in another
// block) always come from the same cycle. Pure: the engine does the I/O.
import type { Config, DeviceConfig, ModbusSource, TagConfig } from "../../config/schema.js";
import { bad, type Quality, type TagSample } from "../../core/quality.js";
import { CodecError, decodeSource, describeSource, isBitTable, sourceSpan } from "./codec.js";
import { isModbusError } from "./errors.js";
import type { ReadBlock } from "./planner.js";
import type { ModbusResponse } from "./transport.js";

/** One read request of the poll plan (planner.ts decides which tags it carries). */
export type PollBlock = Pick<ReadBlock, "device" | "fc" | "address" | "count" | "period" | "tags">;

/** Where in a cycle's results an item is: which block, and the offset from its first address. */
export interface Slot {
  block: number;
  offset: number;
}

export interface TagBinding {
  tag: TagConfig;
  src: ModbusSource;
  value: Slot;
  /** The status word's slot; absent when the tag has none, or the plan did not carry it. */
  status?: Slot;
}

export interface PollGroup {
  device: DeviceConfig;
  period: number;
  blocks: PollBlock[];
  tags: TagBinding[];
}

/** A block's outcome in one cycle; undefined when the block was not read (a demoted device's probe). */
export type BlockResult = { ok: true; res: ModbusResponse } | { ok: false; error: unknown } | undefined;

export interface Stamp {
  wall: number;
  mono: number;
}

/** Groups the plan's blocks by device and period, and finds each tag's value and status slot. */
export function bindGroups(config: Config, blocks: readonly PollBlock[]): PollGroup[] {
  const devices = new Map(config.devices.map((d) => [d.name, d]));
  const tags = new Map(config.tags.flatMap((t) => (t.modbus ? [[t.name, t] as const] : [])));
  const groups = new Map<string, PollGroup>();
  const slots = new Map<string, { group: PollGroup; tag: TagConfig; value?: Slot; status?: Slot }>();
  for (const block of blocks) {
    const device = devices.get(block.device);
    if (!device) continue;
    const key = `${block.device}@${block.period}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { device, period: block.period, blocks: [], tags: [] }));
    const index = g.blocks.push(block) - 1;
    for (const item of block.tags) {
      const tag = tags.get(item.tag);
      if (tag?.modbus?.device !== block.device) continue;
      const k = `${key}/${item.tag}`;
      let s = slots.get(k);
      if (!s) slots.set(k, (s = { group: g, tag }));
      s[item.role] = { block: index, offset: item.offset };
    }
  }
  for (const { group, tag, value, status } of slots.values()) {
    if (!value || !tag.modbus) continue;
    group.tags.push({ tag, src: tag.modbus, value, ...(status ? { status } : {}) });
  }
  return [...groups.values()];
}

/** Quality for tags whose read failed: a device's exception is its failure; anything else is no communication. */
export function failureQuality(err: unknown, prefix = ""): Quality {
  const msg = prefix + (err instanceof Error ? err.message : String(err));
  if (isModbusError(err) && err.kind === "exception") return bad("device-failure", msg);
  if (err instanceof CodecError) return bad("device-failure", msg);
  return bad("no-comm", msg);
}

export function badSamples(tags: readonly string[], quality: Quality, at: Stamp): TagSample[] {
  return tags.map((tag) => ({ tag, value: null, quality, sourceTs: at.wall, mono: at.mono }));
}

function decodeOne(t: TagBinding, results: readonly BlockResult[]): { value: TagSample["value"]; quality: Quality } | undefined {
  const v = results[t.value.block];
  if (v === undefined) return undefined;
  if (!v.ok) return { value: null, quality: failureQuality(v.error) };
  let status: number | undefined;
  if (t.src.status) {
    if (!t.status) {
      const where = describeSource({ device: t.src.device, table: t.src.status.table, address: t.src.status.address });
      return { value: null, quality: bad("device-failure", `status word ${where} is not in the poll plan`) };
    }
    const s = results[t.status.block];
    // A probe reads one block: without its status word the value cannot be judged yet.
    if (s === undefined) return undefined;
    if (!s.ok) return { value: null, quality: failureQuality(s.error, "status word: ") };
    status = s.res.registers?.[t.status.offset];
  }
  const off = t.value.offset;
  const span = sourceSpan(t.src);
  const raw = isBitTable(t.src.table)
    ? { bits: (v.res.bits ?? []).slice(off, off + span) }
    : { registers: (v.res.registers ?? []).slice(off, off + span), ...(t.src.status ? { status } : {}) };
  try {
    return decodeSource(t.src, raw);
  } catch (err) {
    return { value: null, quality: failureQuality(err) };
  }
}

/** The samples of one cycle: every tag whose value (and status word) was read, good or bad. */
export function decodeCycle(group: PollGroup, results: readonly BlockResult[], at: Stamp): TagSample[] {
  const out: TagSample[] = [];
  for (const t of group.tags) {
    const d = decodeOne(t, results);
    if (d) out.push({ tag: t.tag.name, value: d.value, quality: d.quality, sourceTs: at.wall, mono: at.mono });
  }
  return out;
}
