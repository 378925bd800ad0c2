// The Modbus codec: every type in every word order round-trips, known vectors from device
// manuals decode, and bad data becomes a bad quality or a CodecError, never a crash.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DataType, ModbusSource, WordOrder } from "../../../src/config/schema.js";
import { CodecError, decodeRegisters, decodeSource, encodeRegisters, encodeSource, registerCount, sourceSpan } from "../../../src/field/modbus/codec.js";
import { ReclaimError } from "../../../src/system/errors.js";

const ORDERS: WordOrder[] = ["ABCD", "CDAB", "BADC", "DCBA"];
const INT_RANGES = { int16: [-0x8000, 0x7fff], uint16: [0, 0xffff], int32: [-0x80000000, 0x7fffffff], uint32: [0, 0xffffffff] } as const;

function src(over: Partial<ModbusSource> = {}): ModbusSource {
  return { device: "dev", table: "input", address: 0, type: "uint16", wordOrder: "ABCD", poll: 1000, writable: false, refresh: 10_000, ...over };
}

const float32 = fc.float({ noDefaultInfinity: false, noNaN: true });
const float64 = fc.double({ noNaN: true });

describe("registerCount and sourceSpan", () => {
  it("gives the width of each type", () => {
    expect(["bool", "int16", "uint16", "int32", "uint32", "float32", "float64"].map((t) => registerCount(t as DataType))).toEqual([1, 1, 1, 2, 2, 2, 4]);
  });
  it("a bit inside a register is one register, a coil one bit", () => {
    expect(sourceSpan(src({ type: "float32", bit: 3 }))).toBe(1);
    expect(sourceSpan(src({ table: "coil", type: "bool" }))).toBe(1);
    expect(sourceSpan(src({ type: "float64" }))).toBe(4);
  });
});

describe("round trip, every type in every word order", () => {
  for (const order of ORDERS) {
    for (const [type, [lo, hi]] of Object.entries(INT_RANGES) as [DataType, readonly [number, number]][]) {
      it(`${type} ${order}: value → words → value, and words → value → words`, () => {
        fc.assert(fc.property(fc.integer({ min: lo, max: hi }), (v) => decodeRegisters(encodeRegisters(v, type, order), type, order) === v));
        const words = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: registerCount(type), maxLength: registerCount(type) });
        fc.assert(
          fc.property(words, (w) => {
            expect(encodeRegisters(decodeRegisters(w, type, order), type, order)).toEqual(w);
          }),
        );
      });
    }
    it(`float32 ${order}: bit-exact for every float32, incl. subnormals, -0 and ±Infinity`, () => {
      fc.assert(fc.property(float32, (v) => Object.is(decodeRegisters(encodeRegisters(v, "float32", order), "float32", order), v)));
      for (const v of [-0, 1.4e-45, -1.17549421e-38, 3.4028234663852886e38]) {
        expect(Object.is(decodeRegisters(encodeRegisters(v, "float32", order), "float32", order), Math.fround(v))).toBe(true);
      }
    });
    it(`float32 ${order}: any double is stored as Math.fround of it`, () => {
      fc.assert(fc.property(float64, (v) => Object.is(decodeRegisters(encodeRegisters(v, "float32", order), "float32", order), Math.fround(v))));
    });
    it(`float64 ${order}: bit-exact, incl. subnormals and -0`, () => {
      fc.assert(fc.property(float64, (v) => Object.is(decodeRegisters(encodeRegisters(v, "float64", order), "float64", order), v)));
      for (const v of [-0, 5e-324, -2.2250738585072e-308, Number.MAX_VALUE, -Infinity]) {
        expect(Object.is(decodeRegisters(encodeRegisters(v, "float64", order), "float64", order), v)).toBe(true);
      }
    });
  }
});

describe("known vectors", () => {
  it("float32 123.456 in each word order", () => {
    expect(encodeRegisters(123.456, "float32", "ABCD")).toEqual([0x42f6, 0xe979]);
    expect(encodeRegisters(123.456, "float32", "CDAB")).toEqual([0xe979, 0x42f6]);
    expect(encodeRegisters(123.456, "float32", "BADC")).toEqual([0xf642, 0x79e9]);
    expect(encodeRegisters(123.456, "float32", "DCBA")).toEqual([0x79e9, 0xf642]);
    expect(decodeRegisters([0xe979, 0x42f6], "float32", "CDAB")).toBe(Math.fround(123.456));
  });
  it("int32 and uint32 across words", () => {
    expect(decodeRegisters([0xffff, 0xfffe], "int32", "ABCD")).toBe(-2);
    expect(decodeRegisters([0xfffe, 0xffff], "int32", "CDAB")).toBe(-2);
    expect(decodeRegisters([0x0001, 0x0000], "uint32", "ABCD")).toBe(65536);
    expect(decodeRegisters([0x0000, 0x0001], "uint32", "CDAB")).toBe(65536);
    expect(decodeRegisters([0x0100, 0x0000], "uint32", "BADC")).toBe(65536);
    expect(decodeRegisters([0x0000, 0x0100], "uint32", "DCBA")).toBe(65536);
  });
  it("16-bit values: byte swap for BADC/DCBA, none for CDAB", () => {
    expect(decodeRegisters([0x1234], "uint16", "ABCD")).toBe(0x1234);
    expect(decodeRegisters([0x1234], "uint16", "CDAB")).toBe(0x1234);
    expect(decodeRegisters([0x1234], "uint16", "BADC")).toBe(0x3412);
    expect(decodeRegisters([0x1234], "int16", "DCBA")).toBe(0x3412);
    expect(decodeRegisters([0xffff], "int16", "ABCD")).toBe(-1);
  });
  it("float64 1.0 = 0x3FF0000000000000 as ABCDEFGH, GHEFCDAB, BADCFEHG, HGFEDCBA", () => {
    expect(encodeRegisters(1, "float64", "ABCD")).toEqual([0x3ff0, 0, 0, 0]);
    expect(encodeRegisters(1, "float64", "CDAB")).toEqual([0, 0, 0, 0x3ff0]);
    expect(encodeRegisters(1, "float64", "BADC")).toEqual([0xf03f, 0, 0, 0]);
    expect(encodeRegisters(1, "float64", "DCBA")).toEqual([0, 0, 0, 0xf03f]);
  });
});

describe("encodeRegisters refuses what it cannot represent", () => {
  it.each([
    [70000, "uint16"],
    [-1, "uint32"],
    [1.5, "int16"],
    [0x80000000, "int32"],
    [Number.NaN, "int32"],
  ] as const)("%s as %s", (v, type) => {
    expect(() => encodeRegisters(v, type, "ABCD")).toThrow(CodecError);
  });
});

describe("decodeSource: scaling and NE 43", () => {
  const ai = src({ scale: { raw: [4000, 20000], eu: [0, 100] }, ne43: { low: 3600, high: 21000 } });
  it("4000 → 0 %, 12000 → 50 %, 20000 → 100 %", () => {
    expect(decodeSource(ai, { registers: [4000] })).toEqual({ value: 0, quality: { code: "good" } });
    expect(decodeSource(ai, { registers: [12000] }).value).toBe(50);
    expect(decodeSource(ai, { registers: [20000] }).value).toBe(100);
  });
  it("exactly 3600 and 21000 are not wire faults; 3599 and 21001 are", () => {
    expect(decodeSource(ai, { registers: [3600] }).quality.code).toBe("good");
    expect(decodeSource(ai, { registers: [21000] }).quality.code).toBe("good");
    expect(decodeSource(ai, { registers: [3599] }).quality).toEqual({ code: "bad", reason: "sensor-failure", detail: "wire fault: 3599 µA below 3600" });
    expect(decodeSource(ai, { registers: [21001] }).quality).toEqual({ code: "bad", reason: "sensor-failure", detail: "wire fault: 21001 µA above 21000" });
  });
  it("the value outside the instrument range is not judged here (the core does)", () => {
    expect(decodeSource(ai, { registers: [20800] })).toEqual({ value: 105, quality: { code: "good" } });
  });
  it("encodeSource inverts the scale to the nearest count", () => {
    expect(encodeSource(ai, 50)).toEqual({ registers: [12000] });
    expect(encodeSource(ai, 33.33333)).toEqual({ registers: [9333] });
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (eu) => {
        const back = decodeSource(ai, encodeSource(ai, eu)).value as number;
        return Math.abs(back - eu) <= 100 / 16000 / 2 + 1e-9;
      }),
    );
  });
});

describe("decodeSource: status word and float faults", () => {
  const an = src({ type: "float32", wordOrder: "CDAB", status: { table: "input", address: 2, badMask: 1, holdMask: 2, uncertainMask: 4 } });
  const regs = encodeRegisters(0.12, "float32", "CDAB");
  it("status 0 is good", () => {
    expect(decodeSource(an, { registers: regs, status: 0 })).toEqual({ value: Math.fround(0.12), quality: { code: "good" } });
  });
  it("fault, hold and warning bits, the worst winning", () => {
    expect(decodeSource(an, { registers: regs, status: 1 }).quality).toMatchObject({ code: "bad", reason: "device-failure", detail: expect.stringContaining("sensor fault bit") as string });
    expect(decodeSource(an, { registers: regs, status: 2 }).quality).toMatchObject({ code: "bad", reason: "hold", detail: expect.stringContaining("calibration/hold bit") as string });
    expect(decodeSource(an, { registers: regs, status: 4 }).quality).toMatchObject({ code: "uncertain", reason: "warning" });
    expect(decodeSource(an, { registers: regs, status: 7 }).quality.reason).toBe("device-failure");
    expect(decodeSource(an, { registers: regs, status: 6 }).quality.reason).toBe("hold");
    expect(decodeSource(an, { registers: regs, status: 0xfff8 }).quality.code).toBe("good");
  });
  it("a missing status word is a CodecError, not a silent good", () => {
    expect(() => decodeSource(an, { registers: regs })).toThrow(CodecError);
  });
  it.each([Number.NaN, Infinity, -Infinity])("%s is bad device-failure with no value", (v) => {
    for (const type of ["float32", "float64"] as const) {
      const s = src({ type, wordOrder: "DCBA" });
      const d = decodeSource(s, { registers: encodeRegisters(v, type, "DCBA") });
      expect(d.value).toBeNull();
      expect(d.quality).toMatchObject({ code: "bad", reason: "device-failure", detail: expect.stringContaining(String(v)) as string });
    }
  });
  it("a NaN with a warning bit is still bad", () => {
    expect(decodeSource(an, { registers: [0, 0x7fc0], status: 4 }).quality.code).toBe("bad");
  });
});

describe("decodeSource and encodeSource: bits", () => {
  it("coils and discrete inputs are booleans", () => {
    expect(decodeSource(src({ table: "coil", type: "bool" }), { bits: [true] }).value).toBe(true);
    expect(decodeSource(src({ table: "discrete", type: "bool" }), { bits: [false] }).value).toBe(false);
    expect(encodeSource(src({ table: "coil", type: "bool" }), true)).toEqual({ bits: [true] });
  });
  it("a bit inside a register reads and read-modify-writes only that bit", () => {
    const b3 = src({ table: "holding", type: "bool", bit: 3 });
    expect(decodeSource(b3, { registers: [0b1000] }).value).toBe(true);
    expect(decodeSource(b3, { registers: [0b0111] }).value).toBe(false);
    expect(encodeSource(b3, true, 0x8001)).toEqual({ registers: [0x8009] });
    expect(encodeSource(b3, false, 0xffff)).toEqual({ registers: [0xfff7] });
  });
  it("writes of the wrong kind are CodecErrors", () => {
    expect(() => encodeSource(src({ type: "int16" }), true)).toThrow(CodecError);
    expect(() => encodeSource(src({ type: "uint16" }), 12.5)).toThrow(/dev IR 0/);
    expect(() => encodeSource(src({ type: "uint16" }), 70000)).toThrow(CodecError);
  });
});

describe("shape errors name expected and got", () => {
  it("wrong register count", () => {
    expect(() => decodeSource(src({ type: "float32" }), { registers: [1] })).toThrow("dev IR 0 float32: expected 2 register(s), got 1");
    expect(() => decodeRegisters([1, 2, 3], "int32", "ABCD")).toThrow(/expected 2 register\(s\), got 3/);
  });
  it("words out of range, missing bits", () => {
    expect(() => decodeSource(src(), { registers: [65536] })).toThrow(/not a 16-bit word/);
    expect(() => decodeSource(src({ table: "coil", type: "bool" }), {})).toThrow(CodecError);
  });
  it("CodecError carries the frame error code", () => {
    const err = (() => {
      try {
        decodeSource(src(), { registers: [] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ReclaimError);
    expect((err as ReclaimError).code).toBe("RECLAIM_E_MODBUS_FRAME");
  });
});

describe("fuzz: decodeSource only ever returns or throws CodecError", () => {
  const anySource = fc.record({
    device: fc.constant("dev"),
    table: fc.constantFrom("coil", "discrete", "input", "holding"),
    address: fc.integer({ min: 0, max: 65535 }),
    type: fc.oneof(fc.constantFrom("bool", "int16", "uint16", "int32", "uint32", "float32", "float64"), fc.string()),
    wordOrder: fc.oneof(fc.constantFrom("ABCD", "CDAB", "BADC", "DCBA"), fc.string()),
    bit: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
    scale: fc.option(fc.constant({ raw: [4000, 20000] as [number, number], eu: [0, 100] as [number, number] }), { nil: undefined }),
    ne43: fc.option(fc.constant({ low: 3600, high: 21000 }), { nil: undefined }),
    status: fc.option(fc.constant({ table: "input" as const, address: 9, badMask: 1, holdMask: 2, uncertainMask: 4 }), { nil: undefined }),
    poll: fc.constant(1000),
    writable: fc.boolean(),
  }) as fc.Arbitrary<ModbusSource>;
  const word = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer(), fc.double(), fc.anything());
  const rawRead = fc.record(
    {
      registers: fc.oneof(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 6 }), fc.array(word, { maxLength: 300 }), fc.anything()),
      bits: fc.oneof(fc.array(fc.boolean(), { maxLength: 3 }), fc.array(fc.anything()), fc.anything()),
      status: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.anything()),
    },
    { requiredKeys: [] },
  );

  it("never crashes, never hangs", () => {
    fc.assert(
      fc.property(anySource, rawRead, (s, raw) => {
        try {
          const d = decodeSource(s, raw as never);
          expect(["good", "uncertain", "bad"]).toContain(d.quality.code);
          expect(d.value === null || typeof d.value === "boolean" || Number.isFinite(d.value)).toBe(true);
        } catch (err) {
          if (!(err instanceof CodecError)) throw err;
        }
      }),
      { numRuns: 5000 },
    );
  }, 20_000);
});
