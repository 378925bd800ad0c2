// Writes through the engine on virtual time: the function code for each kind of value, the
// read-modify-write of a bit in a register, writes ahead of queued reads without interrupting
// the one in flight, retries, and read-back verification.
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { ModbusEngine } from "../../../src/field/modbus/engine.js";
import type { DeviceHealth } from "../../../src/field/modbus/health.js";
import { planBlocks, planPoll } from "../../../src/field/modbus/planner.js";
import type { ModbusRequest } from "../../../src/field/modbus/transport.js";
import { VirtualClock } from "../../../src/time/virtual.js";
import { coil, fieldConfig, hr } from "../helpers/config.js";
import { ScriptedTransport, type Reply } from "../helpers/scripted-transport.js";

const LINE = { name: "tcp-1", type: "tcp", port: 1502 } as const;
const device = (name: string, unit: number) => ({ name, line: "tcp-1", unit, timeout: "100ms", retries: 1 });

/** A device's memory: coils and holding registers that writes change (unless it ignores them). */
class Memory {
  coils = new Map<number, boolean>();
  regs = new Map<number, number>();
  ignoreWrites = false;
  silentWrites = false;

  answer = (req: ModbusRequest): Reply => {
    switch (req.fc) {
      case 1:
      case 2:
        return { ok: { bits: Array.from({ length: req.count }, (_, i) => this.coils.get(req.address + i) ?? false) }, afterMs: 5 };
      case 3:
      case 4:
        return { ok: { registers: Array.from({ length: req.count }, (_, i) => this.regs.get(req.address + i) ?? 0) }, afterMs: 5 };
      case 5:
      case 6:
      case 15:
      case 16:
        if (this.silentWrites) return "silent";
        if (!this.ignoreWrites) this.apply(req);
        return { ok: {}, afterMs: 5 };
    }
  };

  private apply(req: Extract<ModbusRequest, { fc: 5 | 6 | 15 | 16 }>): void {
    if (req.fc === 5) this.coils.set(req.address, req.value);
    else if (req.fc === 6) this.regs.set(req.address, req.value);
    else if (req.fc === 15) req.values.forEach((v, i) => this.coils.set(req.address + i, v));
    else req.values.forEach((v, i) => this.regs.set(req.address + i, v));
  }
}

const running: ModbusEngine[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) await e.stop();
});

function run(config: Config, mem = new Memory(), verifyWrites = false) {
  const clock = new VirtualClock();
  const t = new ScriptedTransport("tcp-1", clock, mem.answer);
  const engine = new ModbusEngine(config, clock, new Map([["tcp-1", t]]), planBlocks(planPoll(config)), { verifyWrites });
  running.push(engine);
  const health: DeviceHealth[] = [];
  engine.health$.subscribe((h) => health.push(h));
  engine.start();
  return { clock, t, engine, mem, health };
}

const cfg = fieldConfig({
  lines: [LINE],
  devices: [device("d1", 1), device("d2", 2), device("d3", 3)],
  tags: [
    coil("XV", "d1", 0, { writable: true }),
    hr("SP", "d1", 10, { writable: true, scale: { raw: [0, 20000], eu: [0, 100] } }),
    hr("F", "d1", 20, { writable: true, type: "float32" }),
    hr("RUN", "d1", 30, { writable: true, bit: 0 }),
    hr("RESET", "d1", 30, { writable: true, bit: 7 }),
    hr("PV", "d1", 40),
    hr("X2", "d2", 0),
    hr("X3", "d3", 0),
  ],
});

const wire = (t: ScriptedTransport) => t.log.map((l) => l.req);
const settled = (p: Promise<void>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );

describe("writes", () => {
  it("a coil is FC05, one register FC06 (scaled to raw counts), a float32 FC16", async () => {
    const r = run(cfg);
    await r.clock.advance(100);
    const n = r.t.log.length;
    const done = Promise.all([r.engine.write("XV", true), r.engine.write("SP", 50), r.engine.write("F", 1.5)]);
    await r.clock.advance(100);
    await done;
    expect(wire(r.t).slice(n)).toEqual([
      { fc: 5, unit: 1, address: 0, value: true },
      { fc: 6, unit: 1, address: 10, value: 10000 },
      { fc: 16, unit: 1, address: 20, values: [0x3fc0, 0] },
    ]);
  });

  it("a bit in a register: reads the word now, then writes it back with only that bit changed", async () => {
    const r = run(cfg);
    r.mem.regs.set(30, 0b1000_0010);
    await r.clock.advance(100);
    const n = r.t.log.length;
    const done = r.engine.write("RUN", true);
    await r.clock.advance(50);
    await done;
    expect(wire(r.t).slice(n)).toEqual([
      { fc: 3, unit: 1, address: 30, count: 1 },
      { fc: 6, unit: 1, address: 30, value: 0b1000_0011 },
    ]);
  });

  it("goes ahead of the reads already queued, without interrupting the one in flight", async () => {
    const r = run(cfg);
    await r.clock.advance(1); // the first poll read (d1) is on the wire; d1's other blocks, d2 and d3 wait
    const queued = r.t.log.length;
    const done = r.engine.write("XV", true);
    await r.clock.advance(100);
    await done;
    const order = wire(r.t).map((q) => `${q.unit}:FC${q.fc}`);
    expect(queued).toBe(1);
    expect(order[0]).toBe("1:FC1");
    expect(order[1]).toBe("1:FC5");
    expect(r.t.log[1]?.start).toBeGreaterThanOrEqual(r.t.log[0]?.end ?? Infinity);
  });

  it("retries a write that gets no answer, and fails with the attempt named", async () => {
    const r = run(cfg);
    await r.clock.advance(100);
    r.mem.silentWrites = true;
    const done = settled(r.engine.write("SP", 10));
    await r.clock.advance(300);
    expect(await done).toBe("d1 unit 1 FC06 HR 10: no answer in 100 ms (attempt 2 of 2)");
    expect(r.t.log.filter((l) => l.req.fc === 6)).toHaveLength(2);
    expect(r.engine.health()[0]?.lastError).toBe("d1 unit 1 FC06 HR 10: no answer in 100 ms (attempt 2 of 2)");
  });

  it("refuses tags it cannot write, and values their type cannot hold, without sending anything", async () => {
    const r = run(cfg);
    await r.clock.advance(100);
    const n = r.t.log.length;
    expect(await settled(r.engine.write("PV", 1))).toBe("tag PV is not a writable Modbus tag");
    expect(await settled(r.engine.write("NOPE", 1))).toBe("tag NOPE is not a writable Modbus tag");
    expect(await settled(r.engine.write("SP", 400))).toMatch(/^d1 HR 10: 400 → raw 80000 is not a uint16/);
    expect(r.t.log.length).toBe(n);
  });
});

describe("read-back verification", () => {
  it("a device that shows what was written: no warning", async () => {
    const r = run(cfg, new Memory(), true);
    await r.clock.advance(100);
    const done = r.engine.write("XV", true);
    await r.clock.advance(1100);
    await done;
    expect(r.engine.health()[0]).toMatchObject({ status: "online", errorCount: 0 });
  });

  it("a device that accepts a write but does not show it: a health warning naming tag, value and address", async () => {
    const mem = new Memory();
    mem.ignoreWrites = true;
    const r = run(cfg, mem, true);
    await r.clock.advance(100);
    const done = Promise.all([r.engine.write("XV", true), r.engine.write("SP", 25)]);
    await r.clock.advance(1100);
    await done;
    const d1 = r.engine.health()[0];
    expect(d1?.status).toBe("degraded");
    expect(d1?.errorCount).toBe(2);
    const warnings = r.health.filter((h) => h.lastError?.startsWith("read-back mismatch")).map((h) => h.lastError);
    expect(warnings).toEqual(["read-back mismatch: XV: wrote true to d1 coil 0, read back false", "read-back mismatch: SP: wrote [5000] to d1 HR 10, read back [0]"]);
  });

  it("a bit in a register is checked on its own bit only", async () => {
    const mem = new Memory();
    const r = run(cfg, mem, true);
    await r.clock.advance(100);
    const done = r.engine.write("RESET", true);
    await r.clock.advance(20);
    await done;
    mem.regs.set(30, 0b1000_0001); // another bit moved on its own; bit 7 is as written
    await r.clock.advance(1100);
    expect(r.engine.health()[0]?.errorCount).toBe(0);
  });

  it("only a read sent after the write was answered can disprove it", async () => {
    const mem = new Memory();
    mem.ignoreWrites = true;
    const r = run(cfg, mem, true);
    await r.clock.advance(100);
    mem.ignoreWrites = false;
    const done = r.engine.write("XV", true);
    await r.clock.advance(1100);
    await done;
    expect(r.engine.health()[0]?.errorCount).toBe(0);
  });
});
