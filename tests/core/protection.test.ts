// The cause-and-effect matrix of the reference skid, row by row: the delay boundary, the
// effects (state command, forced outputs, divert, alarm, sequence), the clear and resume,
// and the fail-safe treatment of a cause that cannot be evaluated.
import { describe, expect, it } from "vitest";
import { bad } from "../../src/core/quality.js";
import { CoreHarness } from "../helpers/core-harness.js";

interface Row {
  row: string;
  set: Record<string, number | boolean>;
  delayMs: number;
  state: string;
  forced?: Record<string, number | boolean>;
  divert?: boolean;
  recover?: Record<string, number | boolean>;
  stateAfterClear?: string;
}

const ROWS: Row[] = [
  { row: "RIO-OFFLINE", set: { "rio-1.online": false }, delayMs: 0, state: "Held", divert: true, recover: { "rio-1.online": true }, stateAfterClear: "Held" },
  { row: "UF-BREAKTHROUGH", set: { "AIT-201": 9 }, delayMs: 30_000, state: "Execute", divert: true, recover: { "AIT-201": 5 }, stateAfterClear: "Execute" },
  { row: "EQ-LOW", set: { "LIT-101": 9.9 }, delayMs: 2000, state: "Suspended", forced: { "P-101-CW": 0 }, recover: { "LIT-101": 21 }, stateAfterClear: "Execute" },
  { row: "BREAK-LOW", set: { "LIT-202": 9 }, delayMs: 2000, state: "Suspended", forced: { "P-301-CW": 0 }, recover: { "LIT-202": 25 }, stateAfterClear: "Execute" },
  { row: "REUSE-FULL", set: { "LIT-601": 95.5 }, delayMs: 5000, state: "Suspended", recover: { "LIT-601": 84 }, stateAfterClear: "Execute" },
  { row: "RO-HIGH-PRESSURE", set: { "PIT-301": 16.2 }, delayMs: 500, state: "Aborted", forced: { "P-301-CW": 0 }, recover: { "PIT-301": 10 }, stateAfterClear: "Aborted" },
  { row: "TMP-CIP", set: { "PIT-201": 2.8, "PIT-202": 1.5 }, delayMs: 60_000, state: "Held" },
  { row: "P-101-DRIVE-FAULT", set: { "P-101-FAULT": true }, delayMs: 0, state: "Held", forced: { "P-101-CW": 0 } },
  { row: "P-301-DRIVE-FAULT", set: { "P-301-FAULT": true }, delayMs: 0, state: "Held", forced: { "P-301-CW": 0 } },
];

describe("equipment protection (cause-and-effect matrix)", () => {
  it.each(ROWS)("$row: trips after its delay with its effects, and clears", (r) => {
    const h = new CoreHarness();
    h.run(1000);
    Object.assign(h.values, r.set);
    // Samples arrive on the next scan; the delay counts from there.
    if (r.delayMs > 0) {
      h.run(r.delayMs);
      expect(h.state.protection[r.row]?.active, "not before its delay").toBe(false);
    }
    // Analyzer tags arrive once a second, so their delay starts on the next whole second.
    h.run(1300);
    expect(h.state.protection[r.row]?.active).toBe(true);
    h.run(300);
    expect(h.state.state).toBe(r.state);
    for (const [tag, v] of Object.entries(r.forced ?? {})) expect(h.state.outputs[tag], tag).toBe(v);
    if (r.divert) expect(h.mode).toBe("Divert");
    expect(h.state.alarms.alarms[r.row]?.state ?? "Unacknowledged").toBe("Unacknowledged");
    if (r.recover) {
      Object.assign(h.values, r.recover);
      // A row clears once its cause has stayed away for its delay (at least 1 s).
      h.run(Math.max(r.delayMs, 1000) - 200);
      expect(h.state.protection[r.row]?.active, "not cleared before its delay").toBe(true);
      h.run(1500);
      expect(h.state.protection[r.row]?.active).toBe(false);
      h.run(500);
      expect(h.state.state).toBe(r.stateAfterClear);
    }
  });

  it("a row whose cause has hysteresis holds until its clear condition (reuse tank resumes below 85 %)", () => {
    const h = new CoreHarness();
    h.values["LIT-601"] = 96;
    h.run(6000);
    expect(h.state.state).toBe("Suspended");
    h.values["LIT-601"] = 90;
    h.run(5000);
    expect(h.state.state).toBe("Suspended");
    h.values["LIT-601"] = 84.9;
    h.run(6000);
    expect(h.state.state).toBe("Execute");
  });

  it("a cause that cannot be evaluated holds: a failed level transmitter stops the feed pump", () => {
    const h = new CoreHarness();
    h.run(1000);
    h.quality["LIT-101"] = bad("sensor-failure", "wire fault");
    h.run(2500);
    expect(h.state.protection["EQ-LOW"]?.active).toBe(true);
    expect(h.state.outputs["P-101-CW"]).toBe(0);
  });

  it("a cross-check row with onBad: ignore does not act on its failed instrument (UF-BREAKTHROUGH on a bad AIT-201)", () => {
    const h = new CoreHarness();
    h.run(1000);
    h.quality["AIT-201"] = bad("device-failure", "sensor fault bit");
    h.run(60_000);
    expect(h.state.protection["UF-BREAKTHROUGH"]?.active).toBe(false);
    expect(h.mode).toBe("Reuse");
    // ...but a good reading past its limit still trips it.
    delete h.quality["AIT-201"];
    h.values["AIT-201"] = 9;
    h.run(31_000);
    expect(h.state.protection["UF-BREAKTHROUGH"]?.active).toBe(true);
    expect(h.mode).toBe("Divert");
  });

  it("inputs not read since start-up do not trip anything", () => {
    const h = new CoreHarness({ initial: { state: "Execute" } });
    h.values = {};
    h.run(5000);
    expect(Object.values(h.state.protection).some((p) => p.active)).toBe(false);
  });

  it("TMP above 0.8 bar starts the UF backwash early, but not within 10 min of filtration of the last one", () => {
    const h = new CoreHarness();
    h.values["P-202-RUN"] = true;
    h.run(60_000);
    h.values["PIT-201"] = 2.1;
    h.values["PIT-202"] = 1.2;
    h.run(29_000);
    expect(h.state.sequences["uf-backwash"]?.status).toBe("idle");
    h.run(2_000);
    expect(h.state.sequences["uf-backwash"]?.status).toBe("running");
    expect(h.mode).toBe("Divert");
    // Fouling the backwash cannot remove: the row clears and trips again, but no second
    // backwash within 10 min of filtration of the first.
    h.values["PIT-201"] = 1.5;
    h.run(120_000);
    h.values["PIT-201"] = 2.1;
    h.run(120_000);
    expect(h.state.sequences["uf-backwash"]?.runs).toBe(1);
    h.values["PIT-201"] = 1.5;
    h.run(400_000);
    h.values["PIT-201"] = 2.1;
    h.run(40_000);
    expect(h.state.sequences["uf-backwash"]?.runs).toBe(2);
  });

  it("a device that stops answering does not trip the rows that read through it; its own row acts", () => {
    const h = new CoreHarness();
    h.run(1000);
    h.quality["PIT-301"] = { code: "bad", reason: "no-comm", detail: "rio-1 offline" };
    h.quality["LIT-101"] = { code: "bad", reason: "no-comm", detail: "rio-1 offline" };
    h.values["rio-1.online"] = false;
    h.run(3000);
    expect(h.state.protection["RO-HIGH-PRESSURE"]?.active).toBe(false);
    expect(h.state.protection["EQ-LOW"]?.active).toBe(false);
    expect(h.state.protection["RIO-OFFLINE"]?.active).toBe(true);
    expect(h.state.state).toBe("Held");
  });
});

describe("two rows that suspend", () => {
  it("the skid resumes when the last clears: the reuse tank no longer full does not restart into an empty EQ tank", () => {
    const h = new CoreHarness();
    h.run(1000);
    h.values["LIT-601"] = 96;
    h.run(6000);
    expect(h.state.state).toBe("Suspended");
    h.values["LIT-101"] = 5;
    h.run(3000);
    expect(h.state.protection["EQ-LOW"]?.active).toBe(true);
    h.values["LIT-601"] = 80;
    h.run(10_000);
    expect(h.state.protection["REUSE-FULL"]?.active).toBe(false);
    expect(h.state.state).toBe("Suspended");
    expect(h.eventsOf("state-rejected").some((e) => e.type === "state-rejected" && e.command === "Unsuspend" && e.reason === "EQ-LOW is still active")).toBe(true);
    h.values["LIT-101"] = 30;
    h.run(10_000);
    expect(h.state.state).toBe("Execute");
  });
});
