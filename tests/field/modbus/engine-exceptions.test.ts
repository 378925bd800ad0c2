// A device that answers, but only with Modbus exceptions (known bug K2): after demoteAfter
// requests in a row without data, with none of its poll blocks answering, it is offline
// (health$ says so, its tags are bad no-comm) yet polled at its normal rate; online again at
// its first good answer. A device of which only some blocks fail stays degraded, the failing
// block's tags bad device-failure.
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { healthTags, type DeviceHealth } from "../../../src/field/modbus/health.js";
import type { ModbusRequest } from "../../../src/field/modbus/transport.js";
import { fieldConfig, hr, ir } from "../helpers/config.js";
import { device, LINE, startEngine, stopEngines } from "../helpers/engine-rig.js";
import { zeros, type Reply } from "../helpers/scripted-transport.js";

/** d1: A, B in one 500 ms block (HR 0..1), E in a 2 s block (IR 5); d2: C, a healthy neighbour. */
const config: Config = fieldConfig({
  lines: [LINE],
  devices: [device("d1", 1), device("d2", 2)],
  tags: [hr("A", "d1", 0, { poll: "500ms" }), hr("B", "d1", 1, { poll: "500ms" }), ir("E", "d1", 5, { poll: "2s" }), hr("C", "d2", 0, { poll: "500ms" })],
});

afterEach(stopEngines);

function run(script: (req: ModbusRequest) => Reply) {
  const r = startEngine(config, script);
  const { engine, health } = r;
  const d1 = () => engine.health().find((h) => h.device === "d1") as DeviceHealth;
  /** d1's status as health$ reported it, without repeats, from its first good answer on (it starts offline). */
  const statuses = () => {
    const d1s = health.filter((h) => h.device === "d1").map((h) => h.status);
    return d1s.slice(d1s.findIndex((s) => s !== "offline")).filter((s, i, a) => a[i - 1] !== s);
  };
  return { ...r, d1, statuses };
}

describe("a device that answers only with exceptions", () => {
  it("is offline after demoteAfter requests without data: health$ reports it, .online is false, every tag bad no-comm", async () => {
    let broken = false;
    const r = run((req) => (req.unit === 1 && broken ? { exception: 4 } : zeros(req)));
    await r.clock.advance(100);
    expect(r.d1().status).toBe("online");
    broken = true;
    // Cycles of the 500 ms group at 500, 1000, 1500; the 2 s group at 2000. Three exceptions
    // in a row, but E's block last answered (at 0): not yet every block failing.
    await r.clock.advance(1500);
    expect(r.d1()).toMatchObject({ status: "degraded", withoutData: 3 });
    expect(r.last("A")?.quality.reason).toBe("device-failure");
    await r.clock.advance(500);
    expect(r.d1()).toMatchObject({ status: "offline", withoutData: 5, demotedUntil: null, consecutiveFailures: 0 });
    expect(r.statuses()).toEqual(["online", "degraded", "offline"]);
    const crossing = r.health.find((h) => h.device === "d1" && h.status === "offline") as DeviceHealth;
    expect(healthTags(crossing, { wall: 0, mono: 0 })[0]).toMatchObject({ tag: "d1.online", value: false });
    // Going offline reports every tag of d1 bad no-comm, naming the exception.
    for (const tag of ["A", "B", "E"]) {
      expect(r.last(tag)).toMatchObject({ value: null, quality: { code: "bad", reason: "no-comm" } });
      expect(r.last(tag)?.quality.detail).toMatch(/^d1 offline after [45] failed requests: d1 unit 1 FC0[34] .*exception 4 \(server device failure\)/);
    }
    // …and the next cycles too, while it stays offline.
    await r.clock.advance(2000);
    expect(r.last("A")?.quality.reason).toBe("no-comm");
    expect(r.last("E")?.quality.reason).toBe("no-comm");
    expect(r.last("C")?.quality.code).toBe("good");
  });

  it("keeps being polled at its normal rate (no demotion back-off: it answers, as fast as with data)", async () => {
    const r = run((req) => (req.unit === 1 ? { exception: 4 } : zeros(req)));
    await r.clock.advance(10_100);
    expect(r.d1()).toMatchObject({ status: "offline", demotedUntil: null });
    // 500 ms group: cycles at 0, 500, …, 10000 (21); 2 s group: 0, 2000, …, 10000 (6); no retries.
    expect(r.t.of(1)).toHaveLength(21 + 6);
  });

  it("is online again at its first good answer, its tags good", async () => {
    let broken = true;
    const r = run((req) => (req.unit === 1 && broken ? { exception: 4 } : zeros(req)));
    await r.clock.advance(3000);
    expect(r.d1().status).toBe("offline");
    broken = false;
    await r.clock.advance(510); // the 500 ms group's cycle at 3500, answered 5 ms later
    expect(r.d1().status).not.toBe("offline");
    expect(r.statuses().at(-1)).toMatch(/^(online|degraded)$/);
    expect(r.last("A")).toMatchObject({ value: 0, quality: { code: "good" } });
    await r.clock.advance(500); // E's block answers at 4000: nothing failing any more
    expect(r.d1()).toMatchObject({ status: "online", withoutData: 0 });
    expect(r.last("E")?.quality.code).toBe("good");
  });
});

describe("a device of which only some blocks answer with exceptions", () => {
  it("the fast block failing, the slow one answering: degraded throughout, the failing tags device-failure", async () => {
    const r = run((req) => (req.unit === 1 && req.fc === 3 ? { exception: 2 } : zeros(req)));
    await r.clock.advance(20_000);
    expect(r.d1().status).toBe("degraded");
    expect(r.d1().withoutData).toBeGreaterThan(3);
    expect(r.statuses()).not.toContain("offline");
    expect(r.last("A")?.quality).toMatchObject({ code: "bad", reason: "device-failure" });
    expect(r.last("E")?.quality.code).toBe("good");
  });

  it("the slow block failing, the fast one answering: degraded throughout", async () => {
    const r = run((req) => (req.unit === 1 && req.fc === 4 ? { exception: 2 } : zeros(req)));
    await r.clock.advance(20_000);
    expect(r.statuses()).not.toContain("offline");
    expect(r.last("E")?.quality).toMatchObject({ code: "bad", reason: "device-failure" });
    expect(r.last("A")?.quality.code).toBe("good");
  });
});
