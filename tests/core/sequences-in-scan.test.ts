// Sequences inside the scan: the start-up flush holds Starting, the UF backwash runs every
// 30 min of filtration with the product diverted, and a step that times out holds the skid
// with an alarm naming the step and what it waited for.
import { describe, expect, it } from "vitest";
import { CoreHarness } from "../helpers/core-harness.js";

describe("sequences in the scan", () => {
  it("auto-start: waits for every device, then Reset, Start, a 60 s flush, Execute; diverted until verified", () => {
    const h = new CoreHarness({ initial: {} });
    h.values["rio-1.online"] = false;
    h.run(5000);
    expect(h.state.state).toBe("Stopped");
    h.values["rio-1.online"] = true;
    // The RIO-OFFLINE row clears 1 s after rio-1 answers again; then Reset, Start.
    h.run(2000);
    expect(h.state.state).toBe("Starting");
    expect(h.state.sequences["start-flush"]?.status).toBe("running");
    h.run(60_000);
    expect(h.state.state).toBe("Execute");
    expect(h.mode).toBe("Divert");
    // Verification (300 s) begins when the flush ends, not during it.
    h.run(290_000);
    expect(h.mode).toBe("Divert");
    h.run(20_000);
    expect(h.mode).toBe("Reuse");
  });

  it("auto-start does not wait for a device no protection row needs (a KPI flowmeter offline)", () => {
    const h = new CoreHarness({ initial: {} });
    h.values["flow-302.online"] = false;
    h.run(3000);
    expect(h.state.state).toBe("Starting");
  });

  it("a skid given as Suspended, with no cause active, unsuspends by itself", () => {
    const h = new CoreHarness({ initial: { state: "Suspended", qualityMode: "Divert" } });
    h.run(3000);
    expect(h.state.state).toBe("Execute");
  });

  it("a restart after a stop is a start-up: flushed, then verified again before reuse", () => {
    const h = new CoreHarness();
    h.run(2000);
    expect(h.mode).toBe("Reuse");
    h.command({ kind: "packml", command: "Stop" });
    h.run(10_000);
    expect(h.state.state).toBe("Stopped");
    h.command({ kind: "packml", command: "Reset" });
    h.run(1000);
    expect(h.state.state).toBe("Idle");
    h.command({ kind: "packml", command: "Start" });
    h.run(61_000);
    expect(h.state.state).toBe("Execute");
    expect(h.state.divert).toMatchObject({ mode: "Divert", latched: true, cause: "start-up" });
    h.run(290_000);
    expect(h.mode).toBe("Divert");
    h.run(20_000);
    expect(h.mode).toBe("Reuse");
  });

  it("runs the UF backwash after 30 min of filtration, diverting while it runs", () => {
    const h = new CoreHarness();
    h.values["P-202-RUN"] = true; // the backwash pump confirms running when asked
    h.run(30 * 60_000 - 1000);
    expect(h.state.sequences["uf-backwash"]?.status).toBe("idle");
    h.run(2000);
    expect(h.state.sequences["uf-backwash"]?.status).toBe("running");
    expect(h.mode).toBe("Divert");
    h.run(8000);
    expect(h.state.outputs).toMatchObject({ "P-101-CW": 0, "XV-203": true, "P-202": true });
    h.run(70_000);
    expect(h.state.sequences["uf-backwash"]?.status).toBe("idle");
    expect(h.state.outputs).toMatchObject({ "P-101-CW": 1, "XV-203": false, "P-202": false });
    // Backwash divert does not latch: reuse resumes as soon as it ends.
    expect(h.mode).toBe("Reuse");
  });

  it("does not count time without filtration toward the next backwash", () => {
    const h = new CoreHarness();
    h.values["FIT-201"] = 0;
    h.run(40 * 60_000);
    expect(h.state.sequences["uf-backwash"]?.runs).toBe(0);
  });

  it("holds the skid when a step times out, with an alarm naming the step and what it waited for", () => {
    const h = new CoreHarness();
    h.values["P-202-RUN"] = false; // the backwash pump never confirms
    h.run(30 * 60_000 + 15_000);
    const failed = h.eventsOf("sequence").find((e) => e.kind === "failed");
    expect(failed && failed.kind === "failed" && failed.failure.message).toBe(
      "uf-backwash: step 'start backwash pump' timed out after 5s waiting for 'P-202-RUN'",
    );
    h.run(500);
    expect(h.state.state).toBe("Held");
    // Raised when the step failed; leaving Execute aborts the sequence, so it has returned, still unacknowledged.
    expect(h.eventsOf("alarm").some((e) => e.kind === "alarm" && e.alarm === "SEQUENCE-FAILED" && e.to === "Unacknowledged")).toBe(true);
    expect(h.state.alarms.alarms["SEQUENCE-FAILED"]?.state).toBe("RTNUnacknowledged");
    expect(h.state.outputs).toMatchObject({ "P-202": false, "XV-203": false });
  });

  it("counts scan overruns and raises the overrun alarm", () => {
    const h = new CoreHarness();
    h.overrun();
    h.run(100);
    expect(h.state.overruns).toBe(1);
    expect(h.state.alarms.alarms["SCAN-OVERRUN"]?.state).toBe("Unacknowledged");
  });
});
