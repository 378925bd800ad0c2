// `npm test`'s share of the reliability suite (issue 9, item 1): every device fault × every
// device of the reference skid in virtual time (about 20 s). The real-socket subset, the
// store variant and the rest are in tests/reliability/ (`npm run test:reliability`).
import { describe } from "vitest";
import { ALL_CELLS, defineMatrix } from "../reliability/helpers/matrix-suite.js";

describe("fault matrix, virtual time", () => {
  defineMatrix({ mode: "virtual", cells: ALL_CELLS, recoveryLimitMs: 5 * 60_000 });
});
