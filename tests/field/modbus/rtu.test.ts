// RTU for real: the controller's modbus-serial transport on one end of a pseudo-terminal pair
// (socat), the simulator's RTU slave with the reference skid's drives and flowmeters on the
// other, at 19200 8E1 with the line's timing simulated. Device faults, hostile frames, and
// the proof that a late answer is never taken for the next request's.
import { afterEach, describe, expect, it } from "vitest";
import { driveDevice } from "../../../hil-sim/src/devices/drive.js";
import { flowmeterDevice } from "../../../hil-sim/src/devices/flowmeter.js";
import { ProcessImage } from "../../../hil-sim/src/devices/image.js";
import { crc16, rtuFrame } from "../../../hil-sim/src/modbus/rtu-frame.js";
import { openPtyPair, socatAvailable } from "../../../hil-sim/src/modbus/rtu-pty.js";
import { startRtuSlave, type RtuSlaveServer } from "../../../hil-sim/src/modbus/rtu-server.js";
import type { DeviceFaults } from "../../../hil-sim/src/modbus/slave.js";
import { rtuLineSchema } from "../../../src/config/schema.js";
import { ModbusSerialTransport } from "../../../src/field/modbus/client.js";
import { decodeRegisters } from "../../../src/field/modbus/codec.js";
import { isModbusError } from "../../../src/field/modbus/errors.js";
import { LineQueue } from "../../../src/field/modbus/line.js";
import type { ModbusResponse } from "../../../src/field/modbus/transport.js";
import { realClock } from "../../../src/time/real.js";

const HAVE_SOCAT = socatAvailable();
if (!HAVE_SOCAT) console.warn("\n*** SKIPPED: RTU tests over a pty pair need socat on PATH (apt-get install socat) ***\n");
const title = HAVE_SOCAT ? "RTU over a pty pair" : "RTU over a pty pair — SKIPPED: socat is not installed (apt-get install socat)";

const clock = realClock();
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Rig {
  image: ProcessImage;
  faults: Map<string, DeviceFaults>;
  slave: RtuSlaveServer;
  t: ModbusSerialTransport;
  line: ReturnType<typeof rtuLineSchema.parse>;
  closePty(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const pty = await openPtyPair();
  cleanup.push(() => pty.close());
  const image = new ProcessImage();
  const faults = new Map<string, DeviceFaults>();
  const faultsOf = (name: string) => faults.get(name) ?? {};
  const slave = await startRtuSlave({
    path: pty.device,
    clock,
    devices: [
      driveDevice(image, { name: "vfd-p101", unit: 1, faults: faultsOf }),
      flowmeterDevice(image, { name: "flow-201", unit: 3, tag: "FIT-201", faults: faultsOf }),
    ],
  });
  cleanup.push(() => slave.close());
  const line = rtuLineSchema.parse({ name: "rs485-1", type: "rtu", path: pty.controller, baud: 19200, parity: "even" });
  const t = new ModbusSerialTransport(line, clock);
  cleanup.push(() => t.close());
  await t.connect();
  return { image, faults, slave, t, line, closePty: () => pty.close() };
}

async function settle(p: Promise<ModbusResponse>): Promise<{ ms: number; ok?: ModbusResponse; kind?: string; message?: string }> {
  const t0 = performance.now();
  try {
    const ok = await p;
    return { ms: performance.now() - t0, ok };
  } catch (e) {
    if (!isModbusError(e)) throw new Error(`not a ModbusError: ${String(e)}`, { cause: e });
    return { ms: performance.now() - t0, kind: e.kind, message: e.message };
  }
}

const flowRead = { fc: 4, unit: 3, address: 0, count: 5 } as const;

describe.skipIf(!HAVE_SOCAT)(title, () => {
  it("CRC-16/Modbus: the specification's example (Modbus over serial line v1.02 §6.2.2)", () => {
    // Read HR 0..1 of unit 1: 01 03 00 00 00 02, CRC C4 0B on the wire (low byte first).
    expect(crc16(Buffer.from([1, 3, 0, 0, 0, 2]))).toBe(0x0bc4);
    expect(rtuFrame(1, Buffer.from([3, 0, 0, 0, 2]))).toEqual(Buffer.from([1, 3, 0, 0, 0, 2, 0xc4, 0x0b]));
  });

  it("reads a flowmeter and a drive, and writes the drive's control word and speed reference", async () => {
    const { image, t } = await rig();
    image.analog.set("FIT-201", 27.25);
    image.totals.set("FIT-201", 123456.789);
    image.status.set("FIT-201", 1);
    image.drives.set("vfd-p101", { ready: true, running: true, fault: false, speedPct: 50, currentA: 12.3, powerKw: 5.5, faultCode: 0 });
    const flow = (await t.request(flowRead, 300)).registers ?? [];
    expect(decodeRegisters(flow.slice(0, 2), "float32", "ABCD")).toBe(27.25);
    expect(decodeRegisters(flow.slice(2, 4), "uint32", "ABCD")).toBe(123456789);
    expect(flow[4]).toBe(1); // empty pipe
    expect(await t.request({ fc: 6, unit: 1, address: 1, value: 10000 }, 300)).toEqual({});
    expect(await t.request({ fc: 16, unit: 1, address: 0, values: [1, 12000] }, 300)).toEqual({});
    expect([image.holding.get("vfd-p101:0"), image.holding.get("vfd-p101:1")]).toEqual([1, 12000]);
    expect((await t.request({ fc: 3, unit: 1, address: 0, count: 2 }, 300)).registers).toEqual([1, 12000]);
    expect((await t.request({ fc: 3, unit: 1, address: 50, count: 5 }, 300)).registers).toEqual([0b11, 10000, 123, 55, 0]);
  });

  it("simulates the line: a read takes at least its frames' time on the wire at 19200 baud", async () => {
    const { t } = await rig();
    await t.request(flowRead, 300); // warm-up
    const r = await settle(t.request(flowRead, 300));
    // Request 8 + answer 15 bytes × 11 bits / 19200 baud, a 3.5-character silence, 10 ms turnaround.
    const wire = ((8 + 15) * 11 * 1000) / 19200 + (3.5 * 11 * 1000) / 19200 + 10;
    expect(r.ok).toBeDefined();
    expect(r.ms).toBeGreaterThanOrEqual(wire - 1);
  });

  it("device faults: exception, bad CRC, offline", async () => {
    const { t, faults } = await rig();
    faults.set("flow-201", { exception: 4 });
    expect((await settle(t.request(flowRead, 200))).message).toBe("rs485-1 unit 3 FC04 IR 0..4: exception 4 (server device failure)");
    faults.set("flow-201", { corrupt: true });
    expect((await settle(t.request(flowRead, 200))).message).toBe("rs485-1 unit 3 FC04 IR 0..4: bad response: CRC error");
    faults.set("flow-201", { offline: true });
    const off = await settle(t.request(flowRead, 200));
    expect(off.message).toBe("rs485-1 unit 3 FC04 IR 0..4: no answer in 200 ms");
    expect(off.ms).toBeLessThan(400);
  });

  const hostile: Array<[string, (answer: Buffer) => Buffer | null, string]> = [
    ["an answer from another unit", (a) => rtuFrame(7, a.subarray(1, a.length - 2)), "bad response: answer from unit 7, expected unit 3"],
    ["another function code", (a) => rtuFrame(3, Buffer.from([3, ...a.subarray(2, a.length - 2)])), "bad response: Unexpected data error, expected code 4 got 3"],
    ["a truncated frame", (a) => a.subarray(0, 6), "bad response: truncated answer: 6 of 15 bytes in 200 ms"],
    ["a byte count that disagrees with the frame", (a) => rtuFrame(3, Buffer.from([4, 8, ...a.subarray(3, a.length - 2)])), "bad response: byte count 8, expected 10"],
    ["noise", () => Buffer.from([0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55, 0xaa, 0x55]), "bad response: answer from unit 85, expected unit 3"],
    ["silence", () => null, "no answer in 200 ms"],
  ];
  for (const [name, tamper, message] of hostile) {
    it(`hostile: ${name}`, async () => {
      const { t, slave } = await rig();
      slave.setTamper((answer) => tamper(answer));
      const r = await settle(t.request(flowRead, 200));
      expect(r.message).toBe(`rs485-1 unit 3 FC04 IR 0..4: ${message}`);
      expect(r.ms).toBeLessThan(450);
      // And the line is still usable afterwards.
      slave.setTamper(undefined);
      await new Promise((res) => setTimeout(res, 200));
      expect((await settle(t.request(flowRead, 300))).ok).toBeDefined();
    });
  }

  it("a late answer is discarded, never taken for the answer to the next request", async () => {
    const { t, image, faults, line } = await rig();
    const q = new LineQueue(line, t, clock);
    cleanup.push(() => q.close());
    // The meter answers about 50 ms after the 200 ms deadline (the pause is 100 ms, half the
    // timeout); its late answer carries the old value.
    image.analog.set("FIT-201", 1);
    faults.set("flow-201", { slowMs: 225 });
    const late = await settle(q.request(flowRead, 200, "read"));
    expect(late.kind).toBe("timeout");
    // Same unit, function and length: only the pause and the port's fresh buffer tell them apart.
    image.analog.set("FIT-201", 2);
    faults.set("flow-201", {});
    const next = await settle(q.request(flowRead, 300, "read"));
    expect(decodeRegisters((next.ok?.registers ?? []).slice(0, 2), "float32", "ABCD")).toBe(2);
    expect(t.discardedBytes).toBe(15); // the late answer arrived, and was dropped
  });

  it("the serial device going away: requests settle with typed errors, reconnecting says why it cannot", async () => {
    const setup = await rig();
    const t = setup.t;
    await setup.closePty();
    const r = await settle(t.request(flowRead, 200));
    expect(["connection", "timeout"]).toContain(r.kind);
    expect(r.ms).toBeLessThan(450);
    await expect(t.connect()).rejects.toThrow(/^rs485-1: cannot connect to .*controller 19200 8E1: /);
  });
});
