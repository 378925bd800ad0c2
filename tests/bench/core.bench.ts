// Scan time of the control core (issue 5): p50/p99 of one scan for the reference skid and
// for a synthetic 2,000-tag config (1,000 analog inputs with derived tags, alarms and CCPs),
// with a full set of fresh samples every scan (the worst case).
import { performance } from "node:perf_hooks";
import { configSchema, type ConfigInput } from "../../src/config/schema.js";
import { modelOf } from "../../src/core/model.js";
import { GOOD, type TagSample } from "../../src/core/quality.js";
import { initialState, scan } from "../../src/core/scan.js";
import { referenceConfig } from "../helpers/config.js";
import { HEALTHY } from "../helpers/core-harness.js";
import type { Bench, BenchFigure } from "./types.js";
import { isMain, percentile, round } from "./stats.js";

function synthetic(n: number): ConfigInput {
  const half = n / 2;
  const tags: NonNullable<ConfigInput["tags"]> = [];
  const devices = Array.from({ length: 20 }, (_, i) => ({ name: `dev-${i}`, line: `tcp-${i}`, unit: 1 }));
  for (let i = 0; i < half; i++) {
    tags.push({ name: `AI-${i}`, unit: "bar", range: [0, 100], modbus: { device: `dev-${i % 20}`, table: "input", address: Math.floor(i / 20) * 2, type: "float32", poll: "1s" } });
    tags.push({ name: `DV-${i}`, unit: "bar", expr: `AI-${i} * 2 + 1` });
  }
  return {
    version: 1,
    skid: { id: "SYN", scanPeriod: "100ms" },
    lines: Array.from({ length: 20 }, (_, i) => ({ name: `tcp-${i}`, type: "tcp" as const, port: 1000 + i })),
    devices,
    tags: [...tags, { name: "XV", kind: "bool", modbus: { device: "dev-0", table: "coil", address: 0, type: "bool", writable: true } }],
    quality: {
      valve: "XV",
      designFlow: 30,
      ccps: Array.from({ length: 10 }, (_, i) => ({ name: `CCP-${i}`, tag: `AI-${i}`, alert: { high: 80 }, critical: { high: 90 }, delay: "10s", transportVolume: 1 })),
    },
    alarms: Array.from({ length: 200 }, (_, i) => ({ name: `AL-${i}`, condition: `DV-${i} > 150`, priority: "medium" as const })),
  };
}

function measure(config: ReturnType<typeof referenceConfig>, values: Record<string, number | boolean>, scans: number): { p50: number; p99: number; max: number } {
  const model = modelOf(config);
  let state = initialState(model, 0, { state: "Execute", qualityMode: "Reuse" });
  const names = Object.keys(values);
  const times: number[] = [];
  for (let k = 1; k <= scans; k++) {
    const now = k * 100;
    const samples: TagSample[] = names.map((tag) => {
      const v = values[tag] as number | boolean;
      return { tag, value: typeof v === "number" ? v + (k % 7) * 1e-3 : v, quality: GOOD, sourceTs: now, mono: now };
    });
    const t0 = performance.now();
    state = scan(model, state, { samples }, now, now).state;
    times.push(performance.now() - t0);
  }
  times.splice(0, Math.floor(scans / 10)); // warm-up
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) ?? NaN };
}

export const bench: Bench = {
  area: "core",
  run(): Promise<BenchFigure[]> {
    const ref = measure(referenceConfig(), { ...(HEALTHY as Record<string, number | boolean>), "ZSO-501": true, "ZSC-501": false }, 5000);
    const syn = configSchema.parse(synthetic(2000));
    const values: Record<string, number> = {};
    for (const t of syn.tags) if (t.modbus && t.kind === "analog") values[t.name] = 50;
    const big = measure(syn, values, 2000);
    return Promise.resolve([
      { name: "scan time p50, reference skid", value: round(ref.p50), unit: "ms" },
      { name: "scan time p99, reference skid", value: round(ref.p99), unit: "ms", goal: "< 10 (10 % of the 100 ms period)", met: ref.p99 < 10 },
      { name: "scan time p50, 2,000 tags", value: round(big.p50), unit: "ms" },
      { name: "scan time p99, 2,000 tags", value: round(big.p99), unit: "ms", goal: "< 100 (the scan period)", met: big.p99 < 100 },
    ]);
  },
};

if (isMain(import.meta.url)) {
  for (const f of await bench.run()) console.log(`${f.name}: ${f.value} ${f.unit}${f.goal ? ` (goal ${f.goal})` : ""}`);
}
