// The command intake: role, state, mode and range checked; every command audited, accepted
// or rejected, with who, what, old and new value and the reason.
import { describe, expect, it } from "vitest";
import { CoreHarness } from "../helpers/core-harness.js";

describe("command intake", () => {
  it("refuses a command the role may not give, and audits the refusal", () => {
    const h = new CoreHarness();
    const r = h.command({ kind: "packml", command: "Stop" }, "viewer", "visitor");
    expect(r.result).toEqual({ ok: false, code: "role", message: "Stop needs the operator role; visitor has viewer" });
    expect(r.audit).toMatchObject({ user: "visitor", role: "viewer", command: "Stop", result: "rejected" });
    expect(h.state.state).toBe("Execute");
  });

  it("refuses a PackML command that is not valid in the state, naming what is", () => {
    const h = new CoreHarness();
    const r = h.command({ kind: "packml", command: "Unhold" });
    expect(r.result.ok).toBe(false);
    expect(r.result.ok === false && r.result.code).toBe("state");
    expect(r.result.ok === false && r.result.message).toMatch(/Unhold is not accepted in Execute; Execute accepts only/);
  });

  it("takes Stop → Stopped and does not restart by itself", () => {
    const h = new CoreHarness();
    expect(h.command({ kind: "packml", command: "Stop" }).result).toMatchObject({ ok: true, old: "Execute", new: "Stopping" });
    h.run(10_000);
    expect(h.state.state).toBe("Stopped");
    expect(h.mode).toBe("Divert");
  });

  it("range-checks setpoints against their engineering limits and audits old and new", () => {
    const h = new CoreHarness();
    const bad = h.command({ kind: "setpoint", name: "SP-P101", value: 120 });
    expect(bad.result).toEqual({ ok: false, code: "range", message: "SP-P101 = 120 is outside its engineering limits 30..100 %" });
    const ok = h.command({ kind: "setpoint", name: "SP-P101", value: 80 });
    expect(ok.audit).toMatchObject({ old: 75, new: 80, result: "accepted" });
    h.run(200);
    expect(h.state.outputs["P-101-SREF"]).toBe(80);
    expect(h.command({ kind: "setpoint", name: "SP-NOPE", value: 1 }).result).toMatchObject({ ok: false, code: "unknown" });
  });

  it("forces outputs only in Maintenance, never the divert valve, and Maintenance forbids reuse", () => {
    const h = new CoreHarness();
    expect(h.command({ kind: "force", tag: "P-401", value: false }, "engineer").result).toMatchObject({ ok: false, code: "mode" });
    expect(h.command({ kind: "mode", mode: "Maintenance" }, "operator").result).toMatchObject({ ok: false, code: "role" });
    expect(h.command({ kind: "mode", mode: "Maintenance" }, "engineer").result.ok).toBe(true);
    expect(h.command({ kind: "force", tag: "XV-501", value: true }, "engineer").result).toMatchObject({ ok: false, code: "range" });
    expect(h.command({ kind: "force", tag: "P-202", value: 3 }, "engineer").result).toMatchObject({ ok: false, code: "range" });
    expect(h.command({ kind: "force", tag: "P-202", value: true }, "engineer").result.ok).toBe(true);
    h.run(200);
    expect(h.state.outputs["P-202"]).toBe(true);
    expect(h.mode).toBe("Divert");
    // Flagged on the tag (status, OPC UA GoodLocalOverride, history).
    h.values["P-202"] = true;
    h.run(200);
    expect(h.state.tags["P-202"]?.quality).toMatchObject({ code: "good", reason: "forced" });
    // Back to Automatic drops every force.
    h.command({ kind: "mode", mode: "Automatic" }, "engineer");
    h.run(200);
    expect(h.state.forced).toEqual({});
    expect(h.state.outputs["P-202"]).toBe(false);
    expect(h.state.tags["P-202"]?.quality.reason).toBeUndefined();
  });

  it("resets a latched divert only once verified, with the first-out kept until then", () => {
    const h = new CoreHarness();
    h.values["AIT-403"] = 0.9;
    h.run(12_000);
    h.values["AIT-403"] = 0.08;
    expect(h.state.divert.firstOut?.ccp).toBe("CCP-1");
    expect(h.command({ kind: "reset-divert" }).result.ok).toBe(true);
    h.run(200_000);
    expect(h.mode).toBe("Divert");
    expect(h.state.divert.firstOut?.ccp).toBe("CCP-1");
    h.run(110_000);
    expect(h.mode).toBe("Reuse");
    expect(h.state.divert.firstOut).toBeNull();
    expect(h.command({ kind: "reset-divert" }).result).toMatchObject({ ok: false, code: "state" });
  });

  it("acknowledges and shelves alarms as the named user", () => {
    const h = new CoreHarness();
    h.values["AIT-403"] = 0.9;
    h.run(12_000);
    expect(h.state.alarms.alarms["CCP-1"]?.state).toBe("Unacknowledged");
    const r = h.command({ kind: "alarm", action: "acknowledge", alarm: "CCP-1" }, "operator", "anna");
    expect(r.result.ok).toBe(true);
    expect(h.state.alarms.alarms["CCP-1"]?.state).toBe("Acknowledged");
    expect(h.eventsOf("alarm").at(-1)).toMatchObject({ alarm: "CCP-1", user: "anna", to: "Acknowledged" });
    expect(h.command({ kind: "alarm", action: "acknowledge", alarm: "NOPE" }).result).toMatchObject({ ok: false, code: "unknown" });
  });
});
