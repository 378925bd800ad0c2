// The simulator with the real controller (hil-sim/src/runner): how fast virtual mode runs the
// reference skid (simulated seconds per wall second and per CPU second; goal ≥ 1000×, so a
// simulated day takes under 90 s), and whether real-socket mode keeps up at 10× real time
// (achieved ratio, the controller's scan period p99 in simulated time, failed polls, and any
// divert a slow machine causes). Run alone: node --import tsx tests/bench/sim.bench.ts
import { performance } from "node:perf_hooks";
import { parseScenarioFile } from "../../hil-sim/src/runner/scenario-file.js";
import { referenceConfig } from "../../hil-sim/src/runner/run.js";
import { ScenarioSession, type RunMode } from "../../hil-sim/src/runner/session.js";
import { isMain, percentile, round } from "./stats.js";
import type { Bench, BenchFigure } from "./types.js";

const VIRTUAL_S = 3600;
const SPEED = 10;
const SPEED_S = 60;

interface Measured {
  simS: number;
  wallS: number;
  cpuS: number;
  scanGapsMs: number[];
  failedPolls: number;
  diverts: number;
}

/** Normal operation (no faults) for `durationS`, timing only the run itself (not start or stop). */
async function measure(mode: RunMode, durationS: number): Promise<Measured> {
  const { scenario } = parseScenarioFile(`name: bench\nduration: ${durationS}s\nseed: 1\n`, "bench.yaml");
  const session = await ScenarioSession.open({ config: referenceConfig(), scenario, mode });
  const scans: number[] = [];
  const sub = session.ctl.controller.scanned$.subscribe((t) => scans.push(t));
  const sim0 = session.sim.nowMs;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await session.runTo(scenario.durationMs);
  } finally {
    sub.unsubscribe();
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const simS = (session.sim.nowMs - sim0) / 1000;
  const failedPolls = session.ctl.engine.lineQueues().reduce((n, q) => n + q.stats.failures, 0);
  const diverts = session.recorder.diverts.length;
  await session.close();
  const scanGapsMs = scans.slice(1).map((t, i) => t - (scans[i] as number));
  return { simS, wallS, cpuS: (cpu.user + cpu.system) / 1e6, scanGapsMs, failedPolls, diverts };
}

export const bench: Bench = {
  area: "sim",
  async run(): Promise<BenchFigure[]> {
    const v = await measure("virtual", VIRTUAL_S);
    const perWall = v.simS / v.wallS;
    const perCpu = v.simS / v.cpuS;
    const r = await measure({ speed: SPEED }, SPEED_S);
    const gaps = [...r.scanGapsMs].sort((a, b) => a - b);
    const ratio = r.simS / r.wallS;
    const p99 = percentile(gaps, 99);
    const scanMs = referenceConfig().skid.scanPeriod;
    return [
      { name: `virtual mode, reference skid, ${VIRTUAL_S / 3600} h normal operation: simulated s per wall s`, value: round(perWall, 0), unit: "×", goal: ">= 1000", met: perWall >= 1000 },
      // Information, not a goal: CPU time includes V8's parallel GC threads, so it exceeds wall time.
      { name: "virtual mode: simulated s per CPU s (this process, all its threads)", value: round(perCpu, 0), unit: "×" },
      { name: `virtual mode: a simulated day takes (from the above)`, value: round(86_400 / perWall, 1), unit: "s" },
      { name: `real sockets at ${SPEED}×, ${SPEED_S} simulated s: achieved ratio`, value: round(ratio, 2), unit: "×", goal: `>= ${SPEED * 0.95}`, met: ratio >= SPEED * 0.95 },
      { name: `real sockets at ${SPEED}×: scan period p99 (simulated, configured ${scanMs} ms)`, value: round(p99, 1), unit: "ms", goal: `<= ${scanMs * 1.5}`, met: p99 <= scanMs * 1.5 },
      { name: `real sockets at ${SPEED}×: scan period max`, value: round(gaps.at(-1) ?? NaN, 1), unit: "ms" },
      { name: `real sockets at ${SPEED}×: failed polls (device timeouts become ${SPEED}× shorter in wall time)`, value: r.failedPolls, unit: "", goal: "0", met: r.failedPolls === 0 },
      { name: `real sockets at ${SPEED}×: diverts in normal operation`, value: r.diverts, unit: "", goal: "0", met: r.diverts === 0 },
    ];
  },
};

if (isMain(import.meta.url)) {
  for (const f of await bench.run()) {
    const goal = f.goal === undefined ? "" : `   goal ${f.goal}: ${f.met ? "met" : "NOT met"}`;
    console.log(`${f.name.padEnd(96)} ${String(f.value).padStart(10)} ${f.unit}${goal}`);
  }
}
