import { describe, expect, it } from "vitest";
import { PlugFlowPipe, type ChunkSink } from "../../src/model/plugflow.js";

const DT_MS = 100;
const dv = (m3h: number, dtMs = DT_MS) => (m3h * dtMs) / 3_600_000;

/** Runs a 1-quality pipe; returns the start time (ms) of the step in which `value` first leaves. */
function firstArrival(pipe: PlugFlowPipe, flowAt: (tMs: number) => number, qualityAt: (tMs: number) => number, value: number, untilMs: number): number | undefined {
  let arrived: number | undefined;
  let t = 0;
  const q = new Float64Array(1);
  const sink: ChunkSink = {
    chunk: (_v, quality) => {
      if (arrived === undefined && quality[0] === value) arrived = t;
    },
  };
  for (; t < untilMs && arrived === undefined; t += DT_MS) {
    q[0] = qualityAt(t);
    pipe.advance(dv(flowAt(t)), q, 0, sink);
  }
  return arrived;
}

describe("plug flow", () => {
  it("delivers a step change exactly volume/flow later at constant flow (1 m³ at 30 m³/h = 120 s)", () => {
    const pipe = new PlugFlowPipe(1, 1, [0]);
    const at = firstArrival(pipe, () => 30, (t) => (t >= 10_000 ? 1 : 0), 1, 600_000);
    expect(at).toBe(10_000 + 120_000);
  });

  it("follows the flow when it changes: 0.5 m³ at 30 m³/h, then the rest at 15 m³/h", () => {
    const pipe = new PlugFlowPipe(1, 1, [0]);
    // The water entering at 0 s has 0.5 m³ ahead of it after 60 s at 30 m³/h, then 0.5 m³ at 15 m³/h takes 120 s.
    const at = firstArrival(pipe, (t) => (t < 60_000 ? 30 : 15), () => 1, 1, 600_000);
    expect(at).toBe(180_000);
  });

  it("keeps water standing at zero flow: a 1000 s stop adds exactly 1000 s", () => {
    const pipe = new PlugFlowPipe(1, 1, [0]);
    const flow = (t: number) => (t >= 30_000 && t < 1_030_000 ? 0 : 30);
    const at = firstArrival(pipe, flow, (t) => (t >= 10_000 ? 1 : 0), 1, 3_000_000);
    expect(at).toBe(10_000 + 120_000 + 1_000_000);
  });

  it("conserves water and keeps its volume, whatever the flow", () => {
    const pipe = new PlugFlowPipe(0.5, 2, [0, 0]);
    let out = 0;
    let inn = 0;
    const sink: ChunkSink = { chunk: (v) => (out += v) };
    const q = new Float64Array(2);
    for (let i = 0; i < 20_000; i++) {
      const f = 40 * Math.abs(Math.sin(i / 300));
      q[0] = i;
      q[1] = -i;
      pipe.advance(dv(f), q, 0, sink);
      inn += dv(f);
    }
    expect(out).toBeCloseTo(inn, 9);
    expect(pipe.contentM3).toBeCloseTo(0.5, 9);
  });

  it("passes water straight through when more than its volume flows in one step", () => {
    const pipe = new PlugFlowPipe(0.001, 1, [5]);
    const seen: [number, number][] = [];
    pipe.advance(0.003, [7], 0, { chunk: (v, q) => seen.push([v, q[0] as number]) });
    expect(seen[0]?.[1]).toBe(5);
    expect(seen[0]?.[0]).toBeCloseTo(0.001, 12);
    expect(seen[1]?.[1]).toBe(7);
    expect(seen[1]?.[0]).toBeCloseTo(0.002, 12);
    expect(pipe.contentM3).toBeCloseTo(0.001, 12);
    expect(pipe.outlet[0]).toBe(7);
  });

  it("merges water of one quality into one parcel, so steady flow costs nothing", () => {
    const pipe = new PlugFlowPipe(1, 3, [1, 2, 3]);
    for (let i = 0; i < 10_000; i++) pipe.advance(dv(30), [1, 2, 3], 0);
    expect(pipe.parcels).toBe(1);
    for (let i = 0; i < 10; i++) pipe.advance(dv(30), [i, 2, 3], 0);
    expect(pipe.parcels).toBe(11);
  });

  it("grows past its initial capacity and blends only beyond maxParcels", () => {
    const pipe = new PlugFlowPipe(1, 1, [0], 2048);
    for (let i = 1; i <= 5000; i++) pipe.advance(1e-6, [i], 0);
    expect(pipe.parcels).toBe(2048);
    expect(pipe.contentM3).toBeCloseTo(1, 9);
  });

  it("reports the quality at a distance from the outlet", () => {
    const pipe = new PlugFlowPipe(1, 1, [0]);
    pipe.advance(0.25, [9], 0);
    expect(pipe.qualityAt(0.1, 0)).toBe(0);
    expect(pipe.qualityAt(0.8, 0)).toBe(9);
  });
});
