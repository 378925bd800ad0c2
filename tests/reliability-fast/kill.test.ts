// `npm test`'s share of the SIGKILL test (issue 9, item 2): three kills of a `reclaim run`
// child (one during start-up, two while running, off-spec water injected while it is dead
// once), then a clean start and stop. The 22-kill version, with kills in production, is
// tests/reliability/kill.test.ts.
import { defineKillSuite } from "../reliability/helpers/kill-suite.js";

defineKillSuite({
  name: "SIGKILL, 3 times",
  seed: Number(process.env.RELIABILITY_SEED ?? 20260109),
  persistEvery: "1s",
  persistEveryMs: 1000,
  schedule: (random) => [
    { kind: "startup", killAfterMs: 800 + Math.round(random() * 2500), offSpec: false },
    { kind: "running", killAfterMs: 200 + Math.round(random() * 2000), offSpec: true },
    { kind: "running", killAfterMs: 1200 + Math.round(random() * 2000), offSpec: false },
  ],
});
