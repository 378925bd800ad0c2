// Poll plan efficiency: requests a second the planner makes against one request per value
// (and per status word), and how long planning takes, for the reference skid and a large
// synthetic plant. Run alone: node --import tsx tests/bench/plan.bench.ts
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig } from "../../src/config/load.js";
import { configSchema, type Config, type ConfigInput } from "../../src/config/schema.js";
import { lineBudgets, planBlocks, planPoll, type PollPlan } from "../../src/field/modbus/planner.js";
import type { Bench, BenchFigure } from "./types.js";

const REFERENCE = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));

// A small deterministic generator, so every run plans the same synthetic plant.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

/** 20 devices × 100 tags: 2 RTU lines of 5 devices and 2 TCP lines of 5, mixed tables, types, gaps and polls. */
export function syntheticConfig(devices = 20, tagsPerDevice = 100): Config {
  const rnd = random(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const lines: ConfigInput["lines"] = [
    { name: "rtu-1", type: "rtu", path: "/dev/ttyUSB0", baud: 115200 },
    { name: "rtu-2", type: "rtu", path: "/dev/ttyUSB1", baud: 115200 },
    { name: "tcp-1", type: "tcp" },
    { name: "tcp-2", type: "tcp" },
  ];
  const tags: ConfigInput["tags"] = [];
  const devs = Array.from({ length: devices }, (_, d) => ({ name: `dev-${d}`, line: lines[Math.floor((d * lines.length) / devices)]?.name ?? "tcp-1", unit: (d % 247) + 1 }));
  for (const dev of devs) {
    const next = { coil: 0, discrete: 0, input: 0, holding: 0 };
    // As plants configure it: one period per table of a device, a few tags polled faster or slower.
    const periods = ["200ms", "500ms", "1s", "5s"] as const;
    const tablePoll = { coil: "200ms", discrete: "200ms", input: pick(periods), holding: pick(periods) } as const;
    for (let i = 0; i < tagsPerDevice; i++) {
      const table = pick(["coil", "discrete", "input", "input", "holding", "holding"] as const);
      const bits = table === "coil" || table === "discrete";
      const type = bits ? "bool" : pick(["uint16", "int16", "int32", "float32", "float32", "float64"] as const);
      const width = { bool: 1, uint16: 1, int16: 1, int32: 2, float32: 2, float64: 4 }[type];
      next[table] += rnd() < 0.7 ? 0 : Math.floor(rnd() * 20);
      const address = next[table];
      const withStatus = !bits && rnd() < 0.2;
      next[table] += width + (withStatus ? 1 : 0);
      tags.push({
        name: `${dev.name}-T${i}`,
        modbus: {
          device: dev.name,
          table,
          address,
          type,
          poll: rnd() < 0.1 ? pick(periods) : tablePoll[table],
          ...(withStatus ? { status: { table: table === "input" ? "input" : "holding", address: address + width, badMask: 1 } } : {}),
        },
      });
    }
  }
  return configSchema.parse({
    version: 1,
    skid: { id: "SYNTH" },
    lines,
    devices: devs,
    tags,
    quality: { valve: tags[0]?.name ?? "X", designFlow: 30, ccps: [{ name: "C", tag: tags[0]?.name ?? "X", alert: { high: 1 }, critical: { high: 2 }, delay: "10s", transportVolume: 1 }] },
  });
}

function requestsPerSecond(plan: PollPlan): number {
  return planBlocks(plan).reduce((sum, b) => sum + 1000 / b.period, 0);
}

function medianMs(fn: () => void, runs: number): number {
  fn(); // warm-up: the first run pays for JIT compilation
  const times = Array.from({ length: runs }, () => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  }).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? 0;
}

function figures(label: string, config: Config, planGoalMs: number): BenchFigure[] {
  const plan = planPoll(config);
  const planned = requestsPerSecond(plan);
  const naive = requestsPerSecond(planPoll(config, { coalesce: false }));
  const ms = medianMs(() => planPoll(config), 20);
  const worst = Math.max(...lineBudgets(plan, config).map((b) => b.utilization));
  return [
    { name: `${label}: requests/s planned`, value: round(planned), unit: "req/s" },
    { name: `${label}: requests/s one per value and status word`, value: round(naive), unit: "req/s" },
    { name: `${label}: requests saved (one-per-value / planned)`, value: round(naive / planned), unit: "×" },
    { name: `${label}: busiest line utilization (estimated)`, value: round(worst * 100), unit: "%" },
    { name: `${label}: planning time (median of 20)`, value: round(ms, 3), unit: "ms", goal: `<= ${planGoalMs}`, met: ms <= planGoalMs },
  ];
}

function round(x: number, digits = 2): number {
  return Number(x.toFixed(digits));
}

export const bench: Bench = {
  area: "field",
  run() {
    const reference = loadConfig(REFERENCE).config;
    const synthetic = syntheticConfig();
    return Promise.resolve([...figures("reference skid", reference, 5), ...figures("synthetic 20 devices × 100 tags", synthetic, 50)]);
  },
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of await bench.run()) {
    const goal = f.goal === undefined ? "" : `   goal ${f.goal}: ${f.met ? "met" : "NOT met"}`;
    console.log(`${f.name.padEnd(72)} ${String(f.value).padStart(10)} ${f.unit}${goal}`);
  }
}
