import { describe, expect, it } from "vitest";
import { FaultRegistry, type FaultEvent } from "../../src/model/faults.js";
import { Sensors } from "../../src/model/sensors.js";

const truth: Record<string, number> = { "LIT-101": 50, "AIT-403": 0.06, "FIT-201": 0, "PIT-201": 2, "AIT-401": 1 };
const source = { measure: (tag: string) => truth[tag] ?? 0 };

function sensors(events: FaultEvent[] = [], seed = 1) {
  return new Sensors(source, new FaultRegistry(events), seed);
}

function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
}

describe("sensor noise", () => {
  it("adds seeded Gaussian noise of the tag's sigma around the truth", () => {
    const s = sensors();
    const xs = Array.from({ length: 20_000 }, (_, i) => s.read("LIT-101", i * 100));
    const { mean, sd } = stats(xs);
    expect(mean).toBeCloseTo(50, 2);
    expect(sd).toBeGreaterThan(0.045);
    expect(sd).toBeLessThan(0.055);
  });

  it("holds the reading for the instrument's update period (analyzers: 1 s)", () => {
    const s = sensors();
    const a = s.read("AIT-403", 1000);
    const b = s.read("AIT-403", 1900);
    const c = s.read("AIT-403", 2000);
    expect(b).toBe(a);
    expect(c).not.toBe(b);
  });

  it("is reproducible from the seed, and one tag's reads never shift another's noise", () => {
    const a = sensors([], 7);
    const b = sensors([], 7);
    const c = sensors([], 8);
    const seqA = Array.from({ length: 50 }, (_, i) => a.read("AIT-403", i * 1000));
    const seqB = Array.from({ length: 50 }, (_, i) => {
      b.read("LIT-101", i * 1000);
      return b.read("AIT-403", i * 1000);
    });
    const seqC = Array.from({ length: 50 }, (_, i) => c.read("AIT-403", i * 1000));
    expect(seqB).toEqual(seqA);
    expect(seqC).not.toEqual(seqA);
  });

  it("reads a flowmeter at no flow as exactly 0 (low-flow cut-off)", () => {
    const s = sensors();
    for (let i = 0; i < 100; i++) expect(s.read("FIT-201", i * 200)).toBe(0);
  });
});

describe("sensor faults", () => {
  it("offset adds its value while active, then recovers", () => {
    const s = sensors([{ atMs: 1000, fault: "offset", tag: "PIT-201", value: 1, forMs: 1000 }]);
    expect(s.read("PIT-201", 500)).toBeCloseTo(2, 1);
    expect(s.read("PIT-201", 1500)).toBeCloseTo(3, 1);
    expect(s.read("PIT-201", 2500)).toBeCloseTo(2, 1);
  });

  it("drift adds rate per hour since its start", () => {
    const s = sensors([{ atMs: 0, fault: "drift", tag: "LIT-101", rate: 10 }]);
    expect(s.read("LIT-101", 1_800_000)).toBeCloseTo(55, 0);
  });

  it("spike reads its value for its duration", () => {
    const s = sensors([{ atMs: 20_000, fault: "spike", tag: "AIT-403", value: 2, forMs: 4000 }]);
    expect(s.read("AIT-403", 19_000)).toBeLessThan(0.1);
    expect(s.read("AIT-403", 20_000)).toBe(2);
    expect(s.read("AIT-403", 23_900)).toBe(2);
    expect(s.read("AIT-403", 24_000)).toBeLessThan(0.1);
  });

  it("stuck without a value freezes at the last reading, and goes flat", () => {
    const s = sensors([{ atMs: 10_000, fault: "stuck", tag: "AIT-401", forMs: 60_000 }]);
    const before = s.read("AIT-401", 9000);
    const during = Array.from({ length: 50 }, (_, i) => s.read("AIT-401", 10_000 + i * 1000));
    expect(new Set(during)).toEqual(new Set([before]));
    expect(s.read("AIT-401", 71_000)).not.toBe(before);
  });

  it("stuck with a value reads that value", () => {
    const s = sensors([{ atMs: 0, fault: "stuck", tag: "ZSO-501", value: 1 }]);
    expect(s.read("ZSO-501", 100)).toBe(1);
  });

  it("noise adds extra noise of sigma = value", () => {
    const s = sensors([{ atMs: 0, fault: "noise", tag: "AIT-403", value: 0.5 }]);
    const { sd } = stats(Array.from({ length: 5000 }, (_, i) => s.read("AIT-403", i * 1000)));
    expect(sd).toBeGreaterThan(0.45);
    expect(sd).toBeLessThan(0.55);
  });

  it("wire-break and status are flags for the device layer, active only for their time", () => {
    const s = sensors([
      { atMs: 1000, fault: "wire-break", tag: "LIT-202", forMs: 1000 },
      { atMs: 0, fault: "status", tag: "AIT-403", value: 2 },
      { atMs: 500, fault: "status", tag: "AIT-403", value: 1, forMs: 100 },
    ]);
    expect(s.wireBreak("LIT-202", 999)).toBe(false);
    expect(s.wireBreak("LIT-202", 1000)).toBe(true);
    expect(s.wireBreak("LIT-202", 2000)).toBe(false);
    expect(s.wireBreak("LIT-101", 1500)).toBe(false);
    expect(s.statusBits("AIT-403", 0)).toBe(2);
    expect(s.statusBits("AIT-403", 550)).toBe(3);
    expect(s.statusBits("AIT-401", 550)).toBe(0);
  });
});
