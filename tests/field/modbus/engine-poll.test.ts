// The engine's polling on virtual time against a scripted line: retries and how errors are
// named, exceptions not retried, bad no-comm for a failed block and for every tag of a device
// that goes offline, demotion with one probe per demotion period, healthy devices that keep
// their poll rate beside a dead one, and status words taken from the same cycle.
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { encodeRegisters } from "../../../src/field/modbus/codec.js";
import type { ModbusRequest } from "../../../src/field/modbus/transport.js";
import { fieldConfig, hr, ir, type TagInput } from "../helpers/config.js";
import { device, LINE, startEngine, stopEngines } from "../helpers/engine-rig.js";
import { zeros, type Reply } from "../helpers/scripted-transport.js";

afterEach(stopEngines);

const threeDevices = (more: TagInput[] = []): Config =>
  fieldConfig({
    lines: [LINE],
    devices: [device("d1", 1), device("d2", 2), device("d3", 3)],
    tags: [hr("A", "d1", 0, { poll: "500ms" }), hr("B", "d1", 1, { poll: "500ms" }), hr("C", "d2", 0, { poll: "500ms" }), hr("D", "d3", 0, { poll: "500ms" }), ...more],
  });

const deadUnit = (unit: number) => (req: ModbusRequest) => (req.unit === unit ? "silent" : zeros(req));

describe("retries and errors", () => {
  it("a device that does not answer: each attempt named, the block's tags bad no-comm", async () => {
    const r = startEngine(threeDevices(), deadUnit(1));
    await r.clock.advance(450);
    expect(r.t.of(1)).toHaveLength(2); // one try and one retry
    const message = "d1 unit 1 FC03 HR 0..1: no answer in 100 ms (attempt 2 of 2)";
    expect(r.last("A")).toMatchObject({ value: null, quality: { code: "bad", reason: "no-comm", detail: message } });
    expect(r.last("B")?.quality).toEqual(r.last("A")?.quality);
    expect(r.last("C")?.quality.code).toBe("good");
    expect(r.engine.health().find((h) => h.device === "d1")).toMatchObject({ status: "offline", lastError: message, consecutiveFailures: 1 });
  });

  it("an exception is the device's answer: not retried, the tags bad device-failure, the device degraded (offline only after demoteAfter: engine-exceptions.test.ts)", async () => {
    let n = 0;
    const r = startEngine(threeDevices(), (req) => (req.unit === 1 && ++n > 1 ? { exception: 2 } : zeros(req)));
    await r.clock.advance(1100);
    expect(r.t.of(1)).toHaveLength(3); // one request per cycle, cycles at 0 (good), 500, 1000
    expect(r.last("A")?.quality).toEqual({ code: "bad", reason: "device-failure", detail: "d1 unit 1 FC03 HR 0..1: exception 2 (illegal data address) (attempt 1 of 2)" });
    expect(r.engine.health().find((h) => h.device === "d1")).toMatchObject({ status: "degraded", demotedUntil: null, errorCount: 2 });
  });

  it("a retry that succeeds gives good values and an online device", async () => {
    const r = startEngine(threeDevices(), (req, n) => (req.unit === 1 && n === 0 ? "silent" : zeros(req)));
    await r.clock.advance(450);
    expect(r.t.of(1)).toHaveLength(2);
    expect(r.last("A")).toMatchObject({ value: 0, quality: { code: "good" } });
    expect(r.engine.health()[0]?.status).toBe("online");
  });
});

describe("demotion", () => {
  it("after demoteAfter failures: offline, every tag of the device bad, then one probe per demotion period", async () => {
    // d1 also has a slower group (2 s), which a probe must not double.
    const r = startEngine(threeDevices([ir("E", "d1", 5, { poll: "2s" })]), deadUnit(1));
    await r.clock.advance(2000);
    const d1 = r.engine.health().find((h) => h.device === "d1");
    expect(d1?.status).toBe("offline");
    expect(d1?.demotedUntil).not.toBeNull();
    // The demotion itself reports every tag of d1, E included, bad no-comm.
    const offline = r.samples.filter((s) => s.quality.detail?.startsWith("d1 offline after 3 failed requests: "));
    expect(offline.map((s) => s.tag).sort()).toEqual(["A", "B", "E"]);
    expect(offline.every((s) => s.quality.reason === "no-comm")).toBe(true);
    // From here on: a single request (no retry) per demotion period of 1 s, sent at the first
    // poll tick after it: at most period + timeout + one poll period apart.
    const before = r.t.of(1).length;
    await r.clock.advance(10_000);
    const probes = r.t.of(1).slice(before);
    const gaps = probes.slice(1).map((p, i) => p.start - (probes[i] as { start: number }).start);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1000 + 100 + 500);
    expect(probes.length).toBeGreaterThanOrEqual(6);
  });

  it("a demoted device that answers its probe is online again and its tags good", async () => {
    let dead = true;
    const r = startEngine(threeDevices(), (req) => (req.unit === 1 && dead ? "silent" : zeros(req)));
    await r.clock.advance(3000);
    expect(r.engine.health()[0]?.status).toBe("offline");
    dead = false;
    await r.clock.advance(1500);
    expect(r.engine.health()[0]).toMatchObject({ status: "online", demotedUntil: null, consecutiveFailures: 0 });
    expect(r.last("A")?.quality.code).toBe("good");
    expect(r.health.map((h) => `${h.device} ${h.status}`)).toContain("d1 online");
  });

  it("healthy devices on the line keep at least 90 % of their poll rate while one is dead", async () => {
    const cycles = async (script: (req: ModbusRequest) => Reply): Promise<number> => {
      const r = startEngine(threeDevices(), script);
      await r.clock.advance(20_000);
      return r.samples.filter((s) => s.tag === "C" && s.quality.code === "good").length;
    };
    const healthy = await cycles(zeros);
    const withDead = await cycles(deadUnit(1));
    expect(healthy).toBe(40); // cycles at 0, 500, …, 19500 (the one at 20000 answers after the end)
    expect(withDead / healthy).toBeGreaterThanOrEqual(0.9);
  });
});

describe("status words and quality", () => {
  const statusTag = (name: string, address: number, statusAddress: number, table = "input") =>
    ir(name, "d1", address, { type: "float32", wordOrder: "CDAB", status: { table, address: statusAddress, badMask: 1, holdMask: 2, uncertainMask: 4 } });

  it("the status word comes from the same cycle, the first cycle included", async () => {
    let status = 1;
    const value = encodeRegisters(0.3, "float32", "CDAB");
    const cfg = fieldConfig({ lines: [LINE], devices: [device("d1", 1)], tags: [statusTag("AIT", 0, 2)] });
    const r = startEngine(cfg, (req) => (req.fc === 4 ? { ok: { registers: [...value, status] } } : zeros(req)));
    await r.clock.advance(10);
    expect(r.samples).toHaveLength(1);
    expect(r.last("AIT")?.quality).toMatchObject({ code: "bad", reason: "device-failure" });
    expect(r.last("AIT")?.quality.detail).toMatch(/^sensor fault bit \(status 0x0001 at d1 IR 2\)$/);
    status = 4;
    await r.clock.advance(1000);
    expect(r.last("AIT")?.quality).toMatchObject({ code: "uncertain", reason: "warning" });
    status = 0;
    await r.clock.advance(1000);
    expect(r.last("AIT")).toMatchObject({ quality: { code: "good" } });
    expect(r.last("AIT")?.value).toBeCloseTo(0.3, 6);
  });

  it("a status word in another block (holding value, input status) is read in the same cycle", async () => {
    const tag = ir("V", "d1", 10, { table: "holding", type: "uint16", status: { table: "input", address: 0, holdMask: 2 } });
    const cfg = fieldConfig({ lines: [LINE], devices: [device("d1", 1)], tags: [tag] });
    let failStatus = false;
    const r = startEngine(cfg, (req) => (req.fc === 4 ? (failStatus ? "silent" : { ok: { registers: [2] } }) : { ok: { registers: [42] } }));
    await r.clock.advance(20);
    expect(r.last("V")).toMatchObject({ value: 42, quality: { code: "bad", reason: "hold" } });
    failStatus = true;
    await r.clock.advance(1500); // the cycle at 1 s: value, then the status read, its timeout, pause and retry
    expect(r.last("V")?.quality).toMatchObject({ code: "bad", reason: "no-comm" });
    expect(r.last("V")?.quality.detail).toMatch(/^status word: d1 unit 1 FC04 IR 0: no answer in 100 ms \(attempt 2 of 2\)$/);
  });

  it("NaN and infinity from the device are bad values, not a crash", async () => {
    const nan = encodeRegisters(NaN, "float32", "ABCD");
    const inf = encodeRegisters(Infinity, "float32", "ABCD");
    const cfg = fieldConfig({ lines: [LINE], devices: [device("d1", 1)], tags: [ir("N", "d1", 0, { type: "float32" }), ir("I", "d1", 2, { type: "float32" })] });
    const r = startEngine(cfg, () => ({ ok: { registers: [...nan, ...inf] } }));
    await r.clock.advance(10);
    expect(r.last("N")).toMatchObject({ value: null, quality: { code: "bad", reason: "device-failure", detail: "d1 IR 0: float32 is NaN" } });
    expect(r.last("I")).toMatchObject({ value: null, quality: { code: "bad", reason: "device-failure", detail: "d1 IR 2: float32 is Infinity" } });
  });

  it("every sample carries the source timestamp (wall) and the monotonic time of the read", async () => {
    const r = startEngine(threeDevices());
    await r.clock.advance(600);
    const c = r.samples.filter((s) => s.tag === "C");
    expect(c).toHaveLength(2);
    expect(c[1]?.mono).toBeCloseTo((c[0]?.mono ?? 0) + 500, 9);
    expect(c.every((s) => s.sourceTs === r.clock.wall() - (r.clock.now() - s.mono))).toBe(true);
  });

  it("after stop(): no timers, no samples", async () => {
    const r = startEngine(threeDevices());
    await r.clock.advance(100);
    await r.engine.stop();
    const n = r.samples.length;
    await r.clock.advance(5000);
    expect(r.samples).toHaveLength(n);
    expect(r.clock.pendingTimers).toBe(0);
  });
});
