// Interlock reaction over real sockets at 1× (issue 5): from the simulator putting AIT-403
// over its critical limit to XV-501's coil de-energized, minus CCP-1's configured delay.
// Goal: no more than the analyzer's poll period + one scan + one write round trip.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startController } from "../../src/main.js";
import { silentLogger } from "../../src/system/log.js";
import { realClock } from "../../src/time/real.js";
import { Simulator } from "../../hil-sim/src/sim.js";
import { GpioLink } from "../../hil-sim/src/runner/gpio-link.js";
import { pointAtSim } from "../../hil-sim/src/wire.js";
import { referenceConfig } from "../helpers/config.js";
import type { Bench, BenchFigure } from "./types.js";
import { isMain, round } from "./stats.js";

const SAMPLES = 3;

async function once(): Promise<number> {
  const clock = realClock();
  const dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-reaction-"));
  const base = referenceConfig();
  const sim = new Simulator({ clock, permissive: "gpio", seed: 5 });
  const link = new GpioLink(base, sim, clock);
  link.start(10);
  sim.start();
  const endpoints = await sim.serveTcp();
  const config = pointAtSim({ ...base, store: { ...base.store, path: path.join(dir, "db.sqlite") }, control: { socket: path.join(dir, "sock") } }, endpoints);
  const ctl = await startController({ config, clock, log: silentLogger(), gpio: link.backend, opcua: false, store: false, control: false, clockSynced: true, initial: { state: "Execute", qualityMode: "Reuse" } });
  try {
    await new Promise((r) => setTimeout(r, 3000));
    if (sim.image.coils.get("XV-501") !== true) throw new Error("not in reuse before the fault");
    const t0 = performance.now();
    sim.faults.add({ atMs: sim.nowMs, fault: "offset", tag: "AIT-403", value: 1.0 });
    while (sim.image.coils.get("XV-501") !== false) await new Promise((r) => setTimeout(r, 1));
    return performance.now() - t0;
  } finally {
    await ctl.stop();
    link.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = {
  area: "core",
  async run(): Promise<BenchFigure[]> {
    const delay = referenceConfig().quality.ccps.find((c) => c.name === "CCP-1")?.delay ?? 10_000;
    const budget = 1000 + 100 + 50; // analyzer poll + one scan + one write round trip (rio-1 ~ a few ms; 50 ms allowed)
    const beyond: number[] = [];
    for (let i = 0; i < SAMPLES; i++) beyond.push((await once()) - delay);
    const worst = Math.max(...beyond);
    return [
      { name: "CCP-1 reaction beyond its 10 s delay, worst of 3 (real sockets, 1×)", value: round(worst, 0), unit: "ms", goal: `<= ${budget} (poll + scan + write)`, met: worst <= budget },
      { name: "CCP-1 reaction beyond its delay, mean of 3", value: round(beyond.reduce((a, b) => a + b, 0) / beyond.length, 0), unit: "ms" },
    ];
  },
};

if (isMain(import.meta.url)) {
  for (const f of await bench.run()) console.log(`${f.name}: ${f.value} ${f.unit}${f.goal ? ` (goal ${f.goal})` : ""}`);
  process.exit(0);
}
