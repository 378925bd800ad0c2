// XV-501 discrepancy in both directions (REFERENCE-SKID.md): not in reuse 5 s after being
// commanded there → divert and alarm; not in divert 5 s after being commanded there → abort.
import { describe, expect, it } from "vitest";
import { CoreHarness } from "../helpers/core-harness.js";

describe("divert valve discrepancy", () => {
  it("a valve that does not reach reuse within 5 s trips the divert and alarms", () => {
    const h = new CoreHarness({ initial: { state: "Execute" } });
    h.travelMs = Infinity; // stuck in divert
    h.run(301_000);
    const reuseAt = h.eventsOf("quality-mode").find((e) => e.mode === "Reuse")?.t ?? NaN;
    h.run(10_000);
    const d = h.eventsOf("discrepancy")[0];
    expect(d?.side).toBe("reuse");
    // Detected on the first scan at or after 5 s.
    expect((d?.t ?? NaN) - reuseAt).toBeGreaterThanOrEqual(5000);
    expect((d?.t ?? NaN) - reuseAt).toBeLessThanOrEqual(5100);
    expect(h.mode).toBe("Divert");
    expect(h.state.divert.firstOut?.ccp).toBe("DISCREPANCY");
    // Raised; it returns to normal (unacknowledged) once the diverted valve is confirmed in divert.
    expect(h.eventsOf("alarm").some((e) => e.kind === "alarm" && e.alarm === "DISCREPANCY" && e.to === "Unacknowledged")).toBe(true);
    expect(h.state.alarms.alarms.DISCREPANCY?.state).toBe("RTNUnacknowledged");
    expect(h.state.state).toBe("Execute");
  });

  it("a limit switch lost for a poll or two is not a discrepancy; lost for 5 s it is", () => {
    const h = new CoreHarness();
    h.run(10_000);
    h.quality["ZSO-501"] = { code: "bad", reason: "no-comm" };
    h.run(1000);
    delete h.quality["ZSO-501"];
    h.run(10_000);
    expect(h.eventsOf("discrepancy")).toEqual([]);
    expect(h.mode).toBe("Reuse");
    h.quality["ZSO-501"] = { code: "bad", reason: "no-comm" };
    h.run(4800);
    expect(h.eventsOf("discrepancy")).toEqual([]);
    h.run(400);
    expect(h.eventsOf("discrepancy")[0]?.side).toBe("reuse");
  });

  it("a valve that travels within 5 s raises nothing", () => {
    const h = new CoreHarness({ initial: { state: "Execute" } });
    h.travelMs = 4900;
    h.run(320_000);
    expect(h.mode).toBe("Reuse");
    expect(h.eventsOf("discrepancy")).toEqual([]);
  });

  it("a valve that does not reach divert within 5 s aborts production", () => {
    const h = new CoreHarness();
    h.run(1000);
    h.travelMs = Infinity; // stuck in reuse
    h.values["AIT-403"] = 0.9;
    while (h.mode !== "Divert") h.run(100);
    const divertAt = h.now;
    h.run(4800);
    expect(h.state.state).toBe("Execute");
    h.run(500);
    const d = h.eventsOf("discrepancy")[0];
    expect(d?.side).toBe("divert");
    expect((d?.t ?? NaN) - divertAt).toBeGreaterThanOrEqual(5000);
    h.run(300);
    expect(h.state.state).toBe("Aborted");
    expect(d?.message).toMatch(/off-spec water may be reaching reuse/);
  });
});
