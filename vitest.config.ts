import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "hil-sim/tests/**/*.test.ts"],
    exclude: ["tests/bench/**", "tests/reliability/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // The scenarios allocate a scan's worth of short-lived objects every 100 ms of simulated
    // time, thousands of times a second: a larger young generation spends about a third less
    // time in scavenges (--trace-gc on a simulated half hour). npm run scenario/sim/bench too.
    execArgv: ["--max-semi-space-size=32"],
  },
});
