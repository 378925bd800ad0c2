// Issue 9, item 1: every device fault × every device of the reference skid against the
// simulator. Virtual time over in-memory transports for the whole matrix (deterministic,
// seconds); then a subset over real Modbus TCP sockets on a 5× clock, counting the process's
// open handles before and after. What each cell asserts: helpers/matrix-suite.ts.
import { describe, expect } from "vitest";
import { ALL_CELLS, defineMatrix } from "./helpers/matrix-suite.js";
import { handleCensus, handleCount, settleHandles } from "./helpers/handles.js";

describe("fault matrix, virtual time", () => {
  defineMatrix({ mode: "virtual", cells: ALL_CELLS });
});

describe("fault matrix with the store open (SQLite in a temp dir), virtual time", () => {
  defineMatrix({ mode: "virtual", store: true, cells: [["analyzer-1", "offline"], ["rio-1", "corrupt"], ["vfd-p301", "exception"]] });
});

describe("fault matrix over real Modbus TCP sockets, 5× real time", () => {
  defineMatrix({
    mode: { speed: 5 },
    // At 5× a 150 ms timeout is 30 ms of real time: too tight for a loaded CI machine.
    configure: (c) => ({ ...c, devices: c.devices.map((d) => ({ ...d, timeout: 1000 })) }),
    faultMs: 15_000,
    recoveryLimitMs: 330_000,
    timeoutMs: 90_000,
    cells: [
      ["analyzer-1", "corrupt"],
      ["analyzer-1", "slow"],
      ["rio-1", "offline"],
      ["vfd-p301", "exception"],
      ["flow-501", "offline"],
    ],
    around: async (run) => {
      const before = handleCount();
      const census = handleCensus();
      const r = await run();
      const after = await settleHandles(before);
      expect(after, `handles left open: before ${JSON.stringify(census)}, after ${JSON.stringify(handleCensus())}`).toBeLessThanOrEqual(before);
      return r;
    },
  });
});
