// The config diff behind `reclaim config diff|apply`: list items matched by name (reordering
// is no change), values shown as written in the YAML, and the live/restart rule: only a
// setpoint's value goes live; CCP limits and everything else restart the controller.
import { readFileSync } from "node:fs";
import { parse, parseDocument, type Document } from "yaml";
import { describe, expect, it } from "vitest";
import { diffConfigs, liveSetpoints } from "../../src/config/lifecycle-diff.js";
import { parseConfig } from "../../src/config/load.js";
import { REFERENCE_CONFIG_PATH } from "../helpers/config.js";
import { indexOf, otherValue, REF, setpointValue } from "./ref.js";

const TEXT = readFileSync(REFERENCE_CONFIG_PATH, "utf8");
const CCP3 = REF.quality.ccps.find((c) => c.name === "CCP-3") ?? REF.quality.ccps[0]!;
const DELAY1 = `${(REF.quality.ccps.find((c) => c.name === "CCP-1")?.delay ?? 10_000) / 1000 + 1}s`;
/** Between CCP-3's critical and alert low limits: a valid new critical limit. */
const LOW3 = ((CCP3.critical.low ?? 0) + (CCP3.alert.low ?? 1)) / 2;

function diff(edit: (doc: Document) => void) {
  const doc = parseDocument(TEXT);
  edit(doc);
  const after = doc.toString();
  return diffConfigs(parseConfig(TEXT, "a.yaml"), parseConfig(after, "b.yaml"), { before: parse(TEXT) as unknown, after: parse(after) as unknown });
}

describe("config diff", () => {
  it("finds nothing between a file and itself, nor when list items are reordered", () => {
    expect(diff(() => undefined).changes).toEqual([]);
    const reordered = diff((d) => {
      const devices = d.get("devices") as { items: unknown[] };
      devices.items.reverse();
    });
    expect(reordered.changes).toEqual([]);
  });

  it("sets only setpoint values live, and says which", () => {
    const v = otherValue("SP-P301");
    const edit = (doc: Document): void => void doc.setIn(["setpoints", indexOf(doc, ["setpoints"], "SP-P301"), "value"], v);
    const d = diff(edit);
    expect(d.restart).toBe(false);
    expect(d.changes).toEqual([{ path: "setpoints[SP-P301].value", section: "setpoints", kind: "changed", old: setpointValue("SP-P301"), new: v, applies: "live", why: "setpoint value, set through the command intake" }]);
    const after = parseDocument(TEXT);
    edit(after);
    expect(liveSetpoints(d, parseConfig(after.toString(), "x"))).toEqual([{ name: "SP-P301", value: v }]);
  });

  it("restarts for a setpoint's limits, a CCP limit, and an added or removed item", () => {
    const d = diff((doc) => {
      doc.setIn(["setpoints", indexOf(doc, ["setpoints"], "SP-P101"), "max"], 99);
      doc.setIn(["quality", "ccps", indexOf(doc, ["quality", "ccps"], "CCP-3"), "critical", "low"], LOW3);
      doc.deleteIn(["protection", 8]);
      doc.addIn(["setpoints"], { name: "SP-NEW", value: 1, min: 0, max: 2 });
    });
    const byPath = Object.fromEntries(d.changes.map((c) => [c.path, c]));
    expect(byPath["setpoints[SP-P101].max"]).toMatchObject({ kind: "changed", old: 100, new: 99, applies: "restart" });
    expect(byPath["quality.ccps[CCP-3].critical.low"]).toMatchObject({ old: CCP3.critical.low, new: LOW3, applies: "restart" });
    expect(byPath["quality.ccps[CCP-3].critical.low"]?.why).toMatch(/safety-relevant/);
    const removed = d.changes.filter((c) => c.kind === "removed");
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ section: "protection", applies: "restart" });
    expect(byPath["setpoints[SP-NEW]"]).toMatchObject({ kind: "added", applies: "restart" });
    expect(d.restart).toBe(true);
  });

  it("shows durations as written, and a default where the file relies on one", () => {
    const d = diff((doc) => {
      doc.setIn(["quality", "ccps", indexOf(doc, ["quality", "ccps"], "CCP-1"), "delay"], DELAY1);
      doc.setIn(["devices", indexOf(doc, ["devices"], "analyzer-1"), "maxGap"], 4);
    });
    const delay = d.changes.find((c) => c.path === "quality.ccps[CCP-1].delay");
    expect(delay?.new).toBe(DELAY1);
    // As written in the file ("10s"), not as milliseconds.
    expect(delay?.old).toMatch(/^\d+(\.\d+)?(ms|s|m)$/);
    expect(d.changes).toContainEqual(expect.objectContaining({ path: "devices[analyzer-1].maxGap", old: 8, new: 4 }));
  });
});
