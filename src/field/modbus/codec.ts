// Pure codec between Modbus raw registers/bits and a tag's engineering value and quality.
//
// Word order, as a permutation of the value's big-endian bytes (A = most significant):
//   16-bit  ABCD, CDAB → AB          BADC, DCBA → BA
//   32-bit  ABCD   CDAB   BADC   DCBA
//   64-bit  ABCDEFGH (ABCD)  GHEFCDAB (CDAB)  BADCFEHG (BADC)  HGFEDCBA (DCBA)
// i.e. CDAB reverses the order of the 16-bit words, BADC swaps the two bytes inside each
// word, and DCBA does both. One definition for every width, so the 64-bit case of a
// "word-swapped" device is the one its 32-bit values already imply.
import type { DataType, ModbusSource, WordOrder } from "../../config/schema.js";
import { GOOD, bad, uncertain, type Quality } from "../../core/quality.js";
import { ERROR_CODES, ReclaimError } from "../../system/errors.js";

/** Raw data that cannot be decoded (wrong length, word out of range, value not encodable). */
export class CodecError extends ReclaimError {
  constructor(message: string) {
    super(ERROR_CODES.MODBUS_FRAME, message);
    this.name = "CodecError";
  }
}

const REGISTERS: Record<DataType, number> = { bool: 1, int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4 };
const WORDS_REVERSED: Record<WordOrder, boolean> = { ABCD: false, CDAB: true, BADC: false, DCBA: true };
const BYTES_SWAPPED: Record<WordOrder, boolean> = { ABCD: false, CDAB: false, BADC: true, DCBA: true };
const TABLE_NAMES: Record<ModbusSource["table"], string> = { coil: "coil", discrete: "DI", input: "IR", holding: "HR" };

/** Registers a value of this type occupies. */
export function registerCount(type: DataType): number {
  if (!Object.hasOwn(REGISTERS, type)) throw new CodecError(`unknown data type ${describe(type)}`);
  return REGISTERS[type];
}

/** Whether the source lives in a bit table (coils, discrete inputs) rather than registers. */
export function isBitTable(table: ModbusSource["table"]): boolean {
  return table === "coil" || table === "discrete";
}

/** Registers (or bits, in a bit table) the source occupies from its address: what the planner reads. */
export function sourceSpan(src: Pick<ModbusSource, "table" | "type" | "bit">): number {
  if (isBitTable(src.table)) return 1;
  return src.bit !== undefined ? 1 : registerCount(src.type);
}

/** "analyzer-1 IR 10": where a source is, for messages. */
export function describeSource(src: Pick<ModbusSource, "device" | "table" | "address">): string {
  return `${src.device} ${TABLE_NAMES[src.table] ?? String(src.table)} ${src.address}`;
}

// Describes an arbitrary value without ever throwing (a Symbol in a template literal would).
function describe(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  return v === null ? "null" : typeof v;
}

function checkOrder(order: WordOrder): void {
  if (!Object.hasOwn(WORDS_REVERSED, order)) throw new CodecError(`unknown word order ${describe(order)}`);
}

// `what` names the source in an error; a function, because it is built only when one is thrown
// (decoding runs for every tag of every poll, and a message nobody reads is not free).
function checkWords(words: unknown, expected: number, what: string | (() => string)): asserts words is number[] {
  const name = (): string => (typeof what === "string" ? what : what());
  if (!Array.isArray(words)) throw new CodecError(`${name()}: expected ${expected} register(s), got ${describe(words)}`);
  if (words.length !== expected) throw new CodecError(`${name()}: expected ${expected} register(s), got ${words.length}`);
  for (let i = 0; i < words.length; i++) {
    const w: unknown = words[i];
    if (!Number.isInteger(w) || (w as number) < 0 || (w as number) > 0xffff) throw new CodecError(`${name()}: register ${i} is ${describe(w)}, not a 16-bit word`);
  }
}

// The swap is its own inverse, so encode and decode share it.
function reorder(words: readonly number[], order: WordOrder): number[] {
  const out = BYTES_SWAPPED[order] ? words.map((w) => ((w & 0xff) << 8) | (w >> 8)) : [...words];
  return WORDS_REVERSED[order] ? out.reverse() : out;
}

// One scratch buffer: the codec is synchronous, so nothing else can use it mid-call.
const scratch = new DataView(new ArrayBuffer(8));

/** Decodes a value from exactly registerCount(type) words in the given order. bool → 1 or 0. */
export function decodeRegisters(words: readonly number[], type: DataType, order: WordOrder): number {
  const n = registerCount(type);
  checkOrder(order);
  checkWords(words, n, () => `${type} ${order}`);
  reorder(words, order).forEach((w, i) => scratch.setUint16(i * 2, w));
  switch (type) {
    case "bool":
      return scratch.getUint16(0) !== 0 ? 1 : 0;
    case "int16":
      return scratch.getInt16(0);
    case "uint16":
      return scratch.getUint16(0);
    case "int32":
      return scratch.getInt32(0);
    case "uint32":
      return scratch.getUint32(0);
    case "float32":
      return scratch.getFloat32(0);
    case "float64":
      return scratch.getFloat64(0);
  }
}

function checkInteger(value: number, type: DataType, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi)
    throw new CodecError(`${describe(value)} is not a ${type} (an integer in ${lo}..${hi})`);
}

/** Encodes a value into registerCount(type) words in the given order; integers out of range throw. */
export function encodeRegisters(value: number, type: DataType, order: WordOrder): number[] {
  const n = registerCount(type);
  checkOrder(order);
  if (typeof value !== "number") throw new CodecError(`cannot encode ${describe(value)} as ${type}`);
  switch (type) {
    case "bool":
      scratch.setUint16(0, value !== 0 ? 1 : 0);
      break;
    case "int16":
      checkInteger(value, type, -0x8000, 0x7fff);
      scratch.setInt16(0, value);
      break;
    case "uint16":
      checkInteger(value, type, 0, 0xffff);
      scratch.setUint16(0, value);
      break;
    case "int32":
      checkInteger(value, type, -0x80000000, 0x7fffffff);
      scratch.setInt32(0, value);
      break;
    case "uint32":
      checkInteger(value, type, 0, 0xffffffff);
      scratch.setUint32(0, value);
      break;
    case "float32":
      scratch.setFloat32(0, value);
      break;
    case "float64":
      scratch.setFloat64(0, value);
      break;
  }
  const words = Array.from({ length: n }, (_, i) => scratch.getUint16(i * 2));
  return reorder(words, order);
}

/** Raw data for one source: exactly sourceSpan(src) registers or bits, and its status word if it has one. */
export interface RawRead {
  registers?: readonly number[];
  bits?: readonly boolean[];
  status?: number;
}

export interface Decoded {
  /** What the wire said, scaled; null when there is no number to give (NaN, ±Infinity). */
  value: number | boolean | null;
  quality: Quality;
}

function scaled(src: ModbusSource, raw: number): number {
  if (!src.scale) return raw;
  const [r0, r1] = src.scale.raw;
  const [e0, e1] = src.scale.eu;
  return e0 + ((raw - r0) * (e1 - e0)) / (r1 - r0);
}

function unscaled(src: ModbusSource, eu: number): number {
  if (!src.scale) return eu;
  const [r0, r1] = src.scale.raw;
  const [e0, e1] = src.scale.eu;
  return r0 + ((eu - e0) * (r1 - r0)) / (e1 - e0);
}

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, "0")}`;
}

// The instrument's own status word. Fault before hold before warning: the worst wins.
function statusQuality(src: ModbusSource, word: unknown): Quality {
  const s = src.status;
  if (!s) return GOOD;
  const where = (): string => describeSource({ device: src.device, table: s.table, address: s.address });
  if (!Number.isInteger(word) || (word as number) < 0 || (word as number) > 0xffff)
    throw new CodecError(`${where()}: status word is ${describe(word)}, not a 16-bit word`);
  const w = word as number;
  if (w & s.badMask) return bad("device-failure", `sensor fault bit (status ${hex(w)} at ${where()})`);
  if (w & s.holdMask) return bad("hold", `calibration/hold bit (status ${hex(w)} at ${where()})`);
  if (w & s.uncertainMask) return uncertain("warning", `warning bit (status ${hex(w)} at ${where()})`);
  return GOOD;
}

function readBit(src: ModbusSource, bits: unknown): boolean {
  if (!Array.isArray(bits)) throw new CodecError(`${describeSource(src)}: expected 1 bit, got ${describe(bits)}`);
  if (bits.length !== 1) throw new CodecError(`${describeSource(src)}: expected 1 bit, got ${bits.length}`);
  const b: unknown = bits[0];
  if (typeof b !== "boolean") throw new CodecError(`${describeSource(src)}: bit is ${describe(b)}, not a boolean`);
  return b;
}

// A number read from registers: NaN/Inf and NE 43 wire faults make it bad, never a throw.
function numberQuality(src: ModbusSource, raw: number): Decoded {
  if (!Number.isFinite(raw)) return { value: null, quality: bad("device-failure", `${describeSource(src)}: ${src.type} is ${raw}`) };
  const value = scaled(src, raw);
  const ne = src.ne43;
  if (ne && raw < ne.low) return { value, quality: bad("sensor-failure", `wire fault: ${raw} µA below ${ne.low}`) };
  if (ne && raw > ne.high) return { value, quality: bad("sensor-failure", `wire fault: ${raw} µA above ${ne.high}`) };
  return { value, quality: GOOD };
}

/**
 * Decodes one source from its raw data. Bad data from a device is a bad quality; data of the
 * wrong shape (length, range) throws CodecError. The instrument range is the core's to check.
 * Precedence when several apply: status fault, status hold, NaN/Inf, NE 43, status warning.
 */
export function decodeSource(src: ModbusSource, raw: RawRead): Decoded {
  const r: RawRead = raw ?? {};
  const status = statusQuality(src, src.status ? r.status : undefined);
  let decoded: Decoded;
  if (isBitTable(src.table)) {
    decoded = { value: readBit(src, r.bits), quality: GOOD };
  } else {
    const regs = r.registers;
    checkWords(regs, sourceSpan(src), () => `${describeSource(src)} ${src.type}`);
    const first = regs[0] as number;
    if (src.bit !== undefined) decoded = { value: ((first >> src.bit) & 1) === 1, quality: GOOD };
    else if (src.type === "bool") decoded = { value: first !== 0, quality: GOOD };
    else decoded = numberQuality(src, decodeRegisters(regs, src.type, src.wordOrder));
  }
  if (status.code === "bad" || decoded.quality.code === "bad") {
    return { value: decoded.value, quality: status.code === "bad" ? status : decoded.quality };
  }
  return { value: decoded.value, quality: status };
}

function toBool(src: ModbusSource, value: number | boolean): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value !== "number" || Number.isNaN(value)) throw new CodecError(`${describeSource(src)}: cannot write ${describe(value)} as a bit`);
  return value !== 0;
}

/**
 * Encodes a value for a write (or for the simulator to serve). A bit inside a register is
 * set in `currentWord`, which the caller must have read: Modbus has no single-bit register write
 * in our transport, so this is a read-modify-write. Scaled integers round to the nearest count;
 * unscaled integers must already be whole.
 */
export function encodeSource(src: ModbusSource, value: number | boolean, currentWord = 0): { registers?: number[]; bits?: boolean[] } {
  if (isBitTable(src.table)) return { bits: [toBool(src, value)] };
  if (src.bit !== undefined) {
    checkWords([currentWord], 1, `${describeSource(src)} current word`);
    const mask = 1 << src.bit;
    return { registers: [toBool(src, value) ? currentWord | mask : currentWord & ~mask & 0xffff] };
  }
  if (src.type === "bool") return { registers: [toBool(src, value) ? 1 : 0] };
  if (typeof value !== "number") throw new CodecError(`${describeSource(src)}: cannot write ${describe(value)} as ${src.type}`);
  let raw = unscaled(src, value);
  const integer = !src.type.startsWith("float");
  if (integer && src.scale && Number.isFinite(raw)) raw = Math.round(raw);
  try {
    return { registers: encodeRegisters(raw, src.type, src.wordOrder) };
  } catch (err) {
    if (err instanceof CodecError) throw new CodecError(`${describeSource(src)}: ${value} → raw ${err.message}`);
    throw err;
  }
}
