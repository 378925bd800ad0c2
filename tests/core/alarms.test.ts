// ISA-18.2 alarm processing: every transition of the state model, delays at their
// boundaries, deadband, shelving (timed, maximum, one-shot), suppression by design,
// out of service, first-out and the flood counter.
import { describe, expect, it } from "vitest";
import {
  type AlarmCommand,
  type AlarmDef,
  type AlarmDisplayState,
  type AlarmEvent,
  type AlarmInput,
  type AlarmsState,
  alarmCommand,
  alarmsStep,
  checkAlarmDefs,
  displayState,
  initialAlarmsState,
  priorityName,
} from "../../src/core/alarms.js";

const HI_PRESSURE: AlarmDef = { name: "PAHH-301", message: "RO feed pressure high", priority: 1, deadband: 0.5 };
const LOW_FLOW: AlarmDef = { name: "FAL-501", priority: "low", onDelay: 10_000, offDelay: 5_000, suppressWhen: ["Stopped", "Idle"] };
const DEFS = [HI_PRESSURE, LOW_FLOW];

/** A little harness: keeps the state, steps the scan, runs commands, collects events. */
function harness(defs: AlarmDef[] = DEFS, packml = "Execute") {
  let state: AlarmsState = initialAlarmsState(defs);
  let events: AlarmEvent[] = [];
  const h = {
    packml,
    step(now: number, inputs: Record<string, AlarmInput>) {
      const r = alarmsStep(defs, state, inputs, now, h.packml);
      state = r.state;
      events = r.events;
      return h;
    },
    cmd(cmd: AlarmCommand, now: number) {
      const r = alarmCommand(defs, state, cmd, now);
      if (r.ok) {
        state = r.state;
        events = r.events;
      }
      return r;
    },
    shown: (name: string): AlarmDisplayState => displayState(state.alarms[name] as NonNullable<AlarmsState["alarms"][string]>),
    rec: (name: string) => state.alarms[name] as NonNullable<AlarmsState["alarms"][string]>,
    get state() {
      return state;
    },
    get events() {
      return events;
    },
    transitions: () => events.flatMap((e) => (e.kind === "alarm" ? [`${e.alarm}: ${e.from} → ${e.to}`] : [])),
  };
  return h;
}

const ack = (alarm: string, user = "op1"): AlarmCommand => ({ kind: "acknowledge", alarm, user });

describe("the ISA-18.2 state model", () => {
  it("Normal → Unacknowledged → Acknowledged → Normal", () => {
    const h = harness().step(0, { "PAHH-301": true });
    expect(h.events).toEqual([{ kind: "alarm", alarm: "PAHH-301", from: "Normal", to: "Unacknowledged", at: 0, priority: "critical" }]);
    expect(h.cmd(ack("PAHH-301"), 100)).toMatchObject({ ok: true, events: [{ from: "Unacknowledged", to: "Acknowledged", user: "op1", at: 100 }] });
    h.step(200, { "PAHH-301": false });
    expect(h.transitions()).toEqual(["PAHH-301: Acknowledged → Normal"]);
  });

  it("Unacknowledged → RTN-Unacknowledged → Normal on acknowledge", () => {
    const h = harness().step(0, { "PAHH-301": true }).step(100, { "PAHH-301": false });
    expect(h.transitions()).toEqual(["PAHH-301: Unacknowledged → RTNUnacknowledged"]);
    h.cmd(ack("PAHH-301"), 200);
    expect(h.transitions()).toEqual(["PAHH-301: RTNUnacknowledged → Normal"]);
  });

  it("RTN-Unacknowledged → Unacknowledged when the condition comes back", () => {
    const h = harness().step(0, { "PAHH-301": true }).step(100, { "PAHH-301": false }).step(200, { "PAHH-301": true });
    expect(h.transitions()).toEqual(["PAHH-301: RTNUnacknowledged → Unacknowledged"]);
  });

  it("stays Acknowledged while active, and reports nothing new", () => {
    const h = harness().step(0, { "PAHH-301": true });
    h.cmd(ack("PAHH-301"), 1);
    h.step(2, { "PAHH-301": true });
    expect(h.events).toEqual([]);
    expect(h.shown("PAHH-301")).toBe("Acknowledged");
  });

  it("refuses to acknowledge what needs no acknowledgement, with a reason", () => {
    const h = harness().step(0, {});
    expect(h.cmd(ack("PAHH-301"), 1)).toEqual({ ok: false, reason: "alarm PAHH-301 is Normal: nothing to acknowledge" });
    h.step(2, { "PAHH-301": true });
    h.cmd(ack("PAHH-301"), 3);
    expect(h.cmd(ack("PAHH-301"), 4)).toEqual({ ok: false, reason: "alarm PAHH-301 is Acknowledged: nothing to acknowledge" });
    expect(h.cmd(ack("NOPE"), 5)).toEqual({ ok: false, reason: "unknown alarm 'NOPE'" });
    expect(h.cmd(ack("PAHH-301", " "), 5)).toEqual({ ok: false, reason: "a command on alarms must name its user" });
  });

  it("maps priorities 1..4 to names, 1 being the most urgent", () => {
    expect([1, 2, 3, 4].map((p) => priorityName(p as 1))).toEqual(["critical", "high", "medium", "low"]);
    expect(priorityName("medium")).toBe("medium");
  });

  it("reports the analog value with the transition", () => {
    const h = harness().step(0, { "PAHH-301": { value: 16.4, limit: 16, direction: "high" } });
    expect(h.events[0]).toMatchObject({ to: "Unacknowledged", value: 16.4 });
  });
});

describe("on/off delays at their boundaries", () => {
  it("activates exactly at the on-delay, not 1 ms before", () => {
    const h = harness().step(1000, { "FAL-501": true });
    h.step(10_999, { "FAL-501": true });
    expect(h.shown("FAL-501")).toBe("Normal");
    h.step(11_000, { "FAL-501": true });
    expect(h.transitions()).toEqual(["FAL-501: Normal → Unacknowledged"]);
  });

  it("restarts the on-delay when the condition drops inside it", () => {
    const h = harness().step(0, { "FAL-501": true }).step(9_000, { "FAL-501": false }).step(9_100, { "FAL-501": true });
    h.step(18_000, { "FAL-501": true });
    expect(h.shown("FAL-501")).toBe("Normal");
    h.step(19_100, { "FAL-501": true });
    expect(h.shown("FAL-501")).toBe("Unacknowledged");
  });

  it("returns exactly at the off-delay, not 1 ms before", () => {
    const h = harness().step(0, { "FAL-501": true }).step(10_000, { "FAL-501": true }).step(20_000, { "FAL-501": false });
    h.step(24_999, {});
    expect(h.shown("FAL-501")).toBe("Unacknowledged");
    h.step(25_000, {});
    expect(h.transitions()).toEqual(["FAL-501: Unacknowledged → RTNUnacknowledged"]);
  });

  it("keeps the alarm when the condition comes back inside the off-delay", () => {
    const h = harness().step(0, { "FAL-501": true }).step(10_000, { "FAL-501": true });
    h.step(20_000, { "FAL-501": false }).step(24_000, { "FAL-501": true }).step(40_000, { "FAL-501": true });
    expect(h.shown("FAL-501")).toBe("Unacknowledged");
  });

  it("survives a restart: the state is plain JSON and the delay keeps counting", () => {
    const h = harness().step(0, { "FAL-501": true });
    const restored = JSON.parse(JSON.stringify(h.state)) as AlarmsState;
    const r = alarmsStep(DEFS, restored, { "FAL-501": true }, 10_000, "Execute");
    expect(displayState(r.state.alarms["FAL-501"] as never)).toBe("Unacknowledged");
  });
});

describe("deadband on analog limits", () => {
  const noisy = [16.1, 15.9, 16.2, 15.8, 16.05, 15.7, 16.3, 15.6];

  it("chatters without a deadband", () => {
    const defs: AlarmDef[] = [{ ...HI_PRESSURE, deadband: 0 }];
    const h = harness(defs);
    let annunciations = 0;
    noisy.forEach((value, i) => {
      h.step(i * 100, { "PAHH-301": { value, limit: 16, direction: "high" } });
      annunciations += h.events.filter((e) => e.kind === "alarm" && e.to === "Unacknowledged").length;
    });
    expect(annunciations).toBe(4);
  });

  it("annunciates once with a 0.5 bar deadband, and clears below limit − deadband", () => {
    const h = harness();
    let annunciations = 0;
    noisy.forEach((value, i) => {
      h.step(i * 100, { "PAHH-301": { value, limit: 16, direction: "high" } });
      annunciations += h.events.filter((e) => e.kind === "alarm" && e.to === "Unacknowledged").length;
    });
    expect(annunciations).toBe(1);
    h.step(1000, { "PAHH-301": { value: 15.5, limit: 16, direction: "high" } });
    expect(h.shown("PAHH-301")).toBe("Unacknowledged");
    h.step(1100, { "PAHH-301": { value: 15.49, limit: 16, direction: "high" } });
    expect(h.shown("PAHH-301")).toBe("RTNUnacknowledged");
  });

  it("mirrors the deadband for a low limit", () => {
    const defs: AlarmDef[] = [{ name: "LAL-101", priority: 2, deadband: 5 }];
    const h = harness(defs);
    const step = (t: number, value: number) => h.step(t, { "LAL-101": { value, limit: 10, direction: "low" } }).shown("LAL-101");
    expect(step(0, 10)).toBe("Normal");
    expect(step(1, 9.9)).toBe("Unacknowledged");
    expect(step(2, 15)).toBe("Unacknowledged");
    expect(step(3, 15.01)).toBe("RTNUnacknowledged");
  });
});

describe("shelving", () => {
  const shelve = (alarm: string, duration: number): AlarmCommand => ({ kind: "shelve", alarm, user: "op2", duration });

  it.each([
    ["Unacknowledged", [true]],
    ["Acknowledged", [true, "ack"]],
    ["RTNUnacknowledged", [true, false]],
    ["Normal", []],
  ] as const)("shelves from %s and comes back as the condition says", (from, script) => {
    const h = harness();
    script.forEach((s, i) => (s === "ack" ? h.cmd(ack("PAHH-301"), i) : h.step(i, { "PAHH-301": s })));
    expect(h.shown("PAHH-301")).toBe(from);
    expect(h.cmd(shelve("PAHH-301", 60_000), 10)).toMatchObject({ ok: true, events: [{ from, to: "Shelved", user: "op2" }] });
    h.step(20, {});
    expect(h.cmd({ kind: "unshelve", alarm: "PAHH-301", user: "op2" }, 30)).toMatchObject({ ok: true });
    // ISA-18.2: an alarm still active when unshelved is annunciated again.
    const active = from === "Unacknowledged" || from === "Acknowledged";
    expect(h.transitions()).toEqual([`PAHH-301: Shelved → ${active ? "Unacknowledged" : "Normal"}`]);
  });

  it("does not annunciate while shelved", () => {
    const h = harness().step(0, {});
    h.cmd(shelve("PAHH-301", 60_000), 0);
    h.step(1, { "PAHH-301": true });
    expect(h.events).toEqual([]);
    expect(h.state.flood.annunciations).toEqual([]);
  });

  it("expires exactly at the shelve time, not 1 ms before", () => {
    const h = harness().step(0, { "PAHH-301": true });
    h.cmd(shelve("PAHH-301", 60_000), 1000);
    h.step(60_999, {});
    expect(h.shown("PAHH-301")).toBe("Shelved");
    h.step(61_000, {});
    expect(h.events).toMatchObject([{ from: "Shelved", to: "Unacknowledged", note: "shelve expired" }]);
  });

  it("enforces the maximum shelve time", () => {
    const defs: AlarmDef[] = [{ ...HI_PRESSURE, maxShelve: 3_600_000 }, LOW_FLOW];
    const h = harness(defs).step(0, {});
    expect(h.cmd(shelve("PAHH-301", 3_600_001), 1)).toEqual({ ok: false, reason: "alarm PAHH-301 may be shelved for at most 1h, not 3600001ms" });
    expect(h.cmd(shelve("PAHH-301", 3_600_000), 1).ok).toBe(true);
    // The default maximum is 8 h.
    expect(h.cmd(shelve("FAL-501", 9 * 3_600_000), 1)).toEqual({ ok: false, reason: "alarm FAL-501 may be shelved for at most 8h, not 9h" });
    expect(h.cmd(shelve("FAL-501", 0), 1)).toEqual({ ok: false, reason: "shelve duration must be positive, not 0 ms" });
  });

  it("journals a re-shelve that changes nothing visible", () => {
    const h = harness().step(0, {});
    h.cmd(shelve("PAHH-301", 1000), 0);
    h.cmd(shelve("PAHH-301", 5000), 500);
    expect(h.events).toMatchObject([{ from: "Shelved", to: "Shelved", user: "op2", note: "shelve" }]);
    expect(h.rec("PAHH-301").shelved).toEqual({ by: "op2", at: 500, until: 5500 });
  });

  it("one-shot: needs an active alarm and ends when it returns to normal", () => {
    const h = harness().step(0, {});
    const oneShot: AlarmCommand = { kind: "shelve", alarm: "PAHH-301", user: "op2", oneShot: true };
    expect(h.cmd(oneShot, 1)).toEqual({ ok: false, reason: "alarm PAHH-301 is not active: a one-shot shelve lasts until an active alarm returns to normal" });
    h.step(2, { "PAHH-301": true });
    expect(h.cmd(oneShot, 3).ok).toBe(true);
    h.step(10_000_000, { "PAHH-301": true });
    expect(h.shown("PAHH-301")).toBe("Shelved");
    h.step(10_000_001, { "PAHH-301": false });
    expect(h.events).toMatchObject([{ from: "Shelved", to: "Normal", note: "one-shot shelve ended: returned to normal" }]);
    h.step(10_000_002, { "PAHH-301": true });
    expect(h.shown("PAHH-301")).toBe("Unacknowledged");
  });

  it("refuses alarms the philosophy does not allow to be shelved", () => {
    const h = harness([{ name: "XA-001", priority: 1, shelvable: false }]).step(0, {});
    expect(h.cmd(shelve("XA-001", 1000), 1)).toEqual({ ok: false, reason: "alarm XA-001 may not be shelved (alarm philosophy)" });
  });
});

describe("suppression by design", () => {
  it("hides an alarm in the listed PackML states and annunciates it on leaving them if active", () => {
    const h = harness(DEFS, "Stopped").step(0, { "FAL-501": true });
    expect(h.events).toMatchObject([{ from: "Normal", to: "Suppressed", note: "suppressed by design in Stopped" }]);
    h.step(20_000, { "FAL-501": true });
    expect(h.events).toEqual([]);
    h.packml = "Execute";
    h.step(20_100, { "FAL-501": true });
    expect(h.events).toMatchObject([{ from: "Suppressed", to: "Unacknowledged", note: "suppression by design ended in Execute" }]);
  });

  it("returns to Normal when the condition cleared while suppressed", () => {
    const h = harness().step(0, { "FAL-501": true }).step(10_000, { "FAL-501": true });
    h.packml = "Idle";
    h.step(10_100, { "FAL-501": false }).step(20_000, {});
    h.packml = "Execute";
    h.step(20_100, {});
    expect(h.transitions()).toEqual(["FAL-501: Suppressed → Normal"]);
  });
});

describe("out of service", () => {
  it("takes the alarm out, drops any shelve, and returns it as the condition says", () => {
    const h = harness().step(0, { "PAHH-301": true });
    h.cmd({ kind: "shelve", alarm: "PAHH-301", user: "op", duration: 1000 }, 1);
    expect(h.cmd({ kind: "outOfService", alarm: "PAHH-301", user: "tech", comment: "transmitter replaced" }, 2)).toMatchObject({
      ok: true,
      events: [{ from: "Shelved", to: "OutOfService", user: "tech", note: "transmitter replaced" }],
    });
    expect(h.rec("PAHH-301").shelved).toBeNull();
    expect(h.cmd({ kind: "outOfService", alarm: "PAHH-301", user: "tech" }, 3).ok).toBe(false);
    expect(h.cmd({ kind: "shelve", alarm: "PAHH-301", user: "op", duration: 10 }, 3)).toEqual({ ok: false, reason: "alarm PAHH-301 is out of service; return it to service first" });
    h.step(5000, { "PAHH-301": true });
    expect(h.events).toEqual([]);
    h.cmd({ kind: "returnToService", alarm: "PAHH-301", user: "tech" }, 6000);
    expect(h.transitions()).toEqual(["PAHH-301: OutOfService → Unacknowledged"]);
    expect(h.cmd({ kind: "returnToService", alarm: "PAHH-301", user: "tech" }, 7000)).toEqual({ ok: false, reason: "alarm PAHH-301 is not out of service" });
  });
});

describe("first-out", () => {
  const defs: AlarmDef[] = [
    { name: "A", priority: 1, group: "trip", onDelay: 1000 },
    { name: "B", priority: 1, group: "trip", onDelay: 0 },
    { name: "C", priority: 1, group: "trip" },
    { name: "D", priority: 2 },
  ];

  it("marks the first alarm of the group, by when it really activated within a scan", () => {
    const h = harness(defs).step(0, { A: true });
    h.step(1500, { A: true, B: true });
    // A's on-delay ran out at 1000, B only began at 1500: A is first even though same scan.
    expect(h.state.groups.trip).toEqual({ firstOut: "A" });
    expect(h.events.filter((e) => e.kind === "alarm" && e.firstOut)).toMatchObject([{ alarm: "A" }]);
    expect(h.rec("A").firstOut).toBe(true);
    expect(h.rec("B").firstOut).toBe(false);
  });

  it("keeps the first-out until the group is reset, then takes the next", () => {
    const h = harness(defs).step(0, { B: true });
    h.step(100, { B: false, C: true });
    expect(h.state.groups.trip).toEqual({ firstOut: "B" });
    expect(h.cmd({ kind: "resetFirstOut", group: "trip", user: "op" }, 200)).toMatchObject({
      ok: true,
      events: [{ kind: "firstOutReset", group: "trip", alarm: "B", user: "op" }],
    });
    expect(h.rec("B").firstOut).toBe(false);
    h.step(300, { C: false, B: true });
    expect(h.state.groups.trip).toEqual({ firstOut: "B" });
    expect(h.cmd({ kind: "resetFirstOut", group: "nope", user: "op" }, 400)).toEqual({ ok: false, reason: "unknown first-out group 'nope'" });
  });

  it("ignores alarms that activate while inhibited", () => {
    const h = harness(defs).step(0, {});
    h.cmd({ kind: "outOfService", alarm: "C", user: "tech" }, 0);
    h.step(1, { C: true }).step(2, { B: true });
    expect(h.state.groups.trip).toEqual({ firstOut: "B" });
  });
});

describe("flood counter (ISA-18.2 / EEMUA 191: more than 10 in 10 minutes)", () => {
  const many: AlarmDef[] = Array.from({ length: 12 }, (_, i) => ({ name: `A${i}`, priority: 3 }));

  it("starts a flood at the 11th annunciation in 10 minutes and ends when the window empties", () => {
    const h = harness(many).step(0, {});
    for (let i = 0; i < 10; i++) h.step(i * 1000, { [`A${i}`]: true });
    expect(h.state.flood).toMatchObject({ active: false });
    h.step(10_000, { A10: true });
    expect(h.events.filter((e) => e.kind === "flood")).toEqual([{ kind: "flood", active: true, count: 11, at: 10_000 }]);
    // Annunciations leave the window 10 min after they happened; at ≤ 5 left the flood ends.
    h.step(600_000 + 4_999, {});
    expect(h.state.flood).toMatchObject({ active: true });
    h.step(600_000 + 5_000, {});
    expect(h.events).toEqual([{ kind: "flood", active: false, count: 5, at: 605_000 }]);
  });

  it("counts re-annunciations, not alarms", () => {
    const h = harness([{ name: "X", priority: 4 }]);
    for (let i = 0; i < 11; i++) h.step(i * 2, { X: true }).step(i * 2 + 1, { X: false });
    expect(h.state.flood).toEqual({ annunciations: Array.from({ length: 11 }, (_, i) => i * 2), active: true });
  });
});

describe("checkAlarmDefs", () => {
  it("reports duplicates and bad numbers", () => {
    expect(checkAlarmDefs([HI_PRESSURE, { ...HI_PRESSURE, onDelay: -1 }])).toEqual([
      'duplicate alarm "PAHH-301"',
      'alarm "PAHH-301": onDelay must be a number ≥ 0, not -1',
    ]);
  });
});
