// Issue 9, item 3: the soak. 24 simulated hours of the reference skid in production on
// virtual time with the store open (two hours of warm-up, a sample every hour); then a short
// real-time run over real sockets watched by perf_hooks' event-loop delay histogram and
// this process's CPU time (helpers/stall-monitor.ts).
// What the long run asserts: helpers/soak-suite.ts.
import { expect, it } from "vitest";
import { defineSoak } from "./helpers/soak-suite.js";
import { TestSkid } from "./helpers/skid.js";
import { StallMonitor, type StallReport } from "./helpers/stall-monitor.js";

const HOUR = 3_600_000;

// Just past 24 h: the totals' day boundary (midnight UTC on the virtual wall clock) is crossed too.
defineSoak({ simMs: 24 * HOUR + 10 * 60_000, warmupMs: 2 * HOUR, sampleEveryMs: HOUR, timeoutMs: 15 * 60_000 });

it("30 s of real time over Modbus TCP with the store: no event-loop stall of 100 ms", async () => {
  const skid = await TestSkid.open({ mode: { speed: 1 }, store: true });
  const monitor = new StallMonitor();
  let r: StallReport;
  try {
    await skid.run(2_000);
    monitor.start();
    await skid.run(30_000, undefined, 1000);
  } finally {
    r = monitor.stop();
    await skid.close();
  }
  const summary = `event-loop delay p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; longest stall on the CPU ${r.maxCpuStall.toFixed(1)} ms`;
  console.info(summary);
  // The controller never held the loop for 100 ms (time other processes took from it aside)…
  expect(r.maxCpuStall, summary).toBeLessThan(100);
  // …and the loop was on time nearly always, even on a loaded machine (p99 includes the 10 ms resolution).
  expect(r.p99, summary).toBeLessThan(100);
  expect(skid.sim.plant.ledger.offSpecToReuseL).toBe(0);
}, 120_000);
