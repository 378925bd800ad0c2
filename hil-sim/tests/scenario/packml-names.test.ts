// The scenario format names PackML states on its own (the plant does not import the
// controller's core, ARCHITECTURE.md); this keeps the two lists from drifting apart.
import { expect, it } from "vitest";
import { PACKML_STATES as CORE_STATES } from "../../../src/core/packml.js";
import { PACKML_STATES as SCENARIO_STATES } from "../../src/scenario/types.js";

it("the scenario format knows exactly the core's PackML states", () => {
  expect([...SCENARIO_STATES].sort()).toEqual([...CORE_STATES].sort());
});
