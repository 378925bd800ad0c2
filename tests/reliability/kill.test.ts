// Issue 9, item 2: the whole controller (`reclaim run`, a child process) killed with SIGKILL
// 22 times at seeded random moments (RELIABILITY_SEED replays a schedule): during start-up,
// while running, and twice in production with the product going to reuse. The simulator runs
// here on real time; the child's GPIO reaches it over a Unix socket (gpio.backend: remote).
// What each kill checks: helpers/kill-suite.ts.
import { defineKillSuite, randomSchedule } from "./helpers/kill-suite.js";

const SEED = Number(process.env.RELIABILITY_SEED ?? 20260109);

defineKillSuite({
  name: "SIGKILL, 22 times",
  seed: SEED,
  persistEvery: "1s",
  persistEveryMs: 1000,
  schedule: (random) => {
    const kills = randomSchedule(20, 4)(random);
    // Two kills in production, where only the watchdog relay and the coupler can take the valve out of reuse.
    kills.splice(6, 0, { kind: "production", killAfterMs: 500 + Math.round(random() * 2000), offSpec: true });
    kills.push({ kind: "production", killAfterMs: 500 + Math.round(random() * 2000), offSpec: false });
    return kills;
  },
});
