// The parts of the controller that main.ts hands to the OPC UA server already fit its ports
// where they exist: the store's reader serves HistorySource as it is. A change on either side
// that breaks the fit fails to compile here, not at the first HistoryRead on a skid.
import { expect, it } from "vitest";
import type { HistorySource } from "../../src/opcua/ports.js";
import type { StoreReader } from "../../src/store/reader.js";

it("the store's reader is a HistorySource (raw and aggregates; reverse reads still to add)", () => {
  const fits = (s: StoreReader): HistorySource => s;
  expect(typeof fits).toBe("function");
});
