// The modbus-serial transport over real loopback sockets: every function code against the
// simulator's TCP server, deadlines, a connection lost mid-request, hostile answers (wrong
// unit, function code, transaction id, length, echo), and requests in flight at once.
import modbusSerial from "modbus-serial";
import type { ModbusRTU } from "modbus-serial/ModbusRTU.js";
import { afterEach, describe, expect, it } from "vitest";
import { startTcpSlave } from "../../../hil-sim/src/modbus/tcp-server.js";
import { tcpLineSchema } from "../../../src/config/schema.js";
import { classifyLibError } from "../../../src/field/modbus/classify.js";
import { ModbusSerialTransport } from "../../../src/field/modbus/client.js";
import { isModbusError } from "../../../src/field/modbus/errors.js";
import type { ModbusRequest, ModbusResponse } from "../../../src/field/modbus/transport.js";
import { realClock } from "../../../src/time/real.js";
import { bankDevice, mbap, rawTcpServer, readAnswer, type RawServer } from "../helpers/servers.js";

const ModbusClient = (modbusSerial as unknown as { default: typeof ModbusRTU }).default;
const clock = realClock();
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function transportTo(port: number, maxInFlight = 1): Promise<ModbusSerialTransport> {
  const t = new ModbusSerialTransport(tcpLineSchema.parse({ name: "tcp-t", type: "tcp", port, maxInFlight, connectTimeout: "1s" }), clock);
  cleanup.push(() => t.close());
  await t.connect();
  return t;
}

async function raw(onRequest: Parameters<typeof rawTcpServer>[0]): Promise<RawServer> {
  const s = await rawTcpServer(onRequest);
  cleanup.push(() => s.close());
  return s;
}

/** The request's outcome and how long it took to settle. */
async function timed(p: Promise<ModbusResponse>): Promise<{ ms: number; ok?: ModbusResponse; kind?: string; message?: string }> {
  const t0 = performance.now();
  try {
    const ok = await p;
    return { ms: performance.now() - t0, ok };
  } catch (e) {
    if (!isModbusError(e)) throw new Error(`not a ModbusError: ${String(e)}`, { cause: e });
    return { ms: performance.now() - t0, kind: e.kind, message: e.message };
  }
}

const read3 = (address = 0, count = 2, unit = 1): ModbusRequest => ({ fc: 3, unit, address, count });

describe("against the simulator's TCP server", () => {
  it("reads and writes coils and registers with FC 1, 2, 3, 4, 5, 6, 15 and 16", async () => {
    const dev = bankDevice("bank", 1);
    dev.bank.set("discrete", 2, 1);
    dev.bank.set("input", 5, 4321);
    const server = await startTcpSlave({ devices: [dev], clock });
    cleanup.push(() => server.close());
    const t = await transportTo(server.port);
    expect(await t.request({ fc: 5, unit: 1, address: 3, value: true }, 500)).toEqual({});
    expect(await t.request({ fc: 15, unit: 1, address: 8, values: [true, false, true] }, 500)).toEqual({});
    expect(await t.request({ fc: 6, unit: 1, address: 1, value: 0xbeef }, 500)).toEqual({});
    expect(await t.request({ fc: 16, unit: 1, address: 10, values: [1, 2, 65535] }, 500)).toEqual({});
    expect(await t.request({ fc: 1, unit: 1, address: 0, count: 11 }, 500)).toEqual({ bits: [false, false, false, true, false, false, false, false, true, false, true] });
    expect(await t.request({ fc: 2, unit: 1, address: 0, count: 3 }, 500)).toEqual({ bits: [false, false, true] });
    expect(await t.request({ fc: 3, unit: 1, address: 0, count: 2 }, 500)).toEqual({ registers: [0, 0xbeef] });
    expect(await t.request({ fc: 3, unit: 1, address: 10, count: 3 }, 500)).toEqual({ registers: [1, 2, 65535] });
    expect(await t.request({ fc: 4, unit: 1, address: 5, count: 1 }, 500)).toEqual({ registers: [4321] });
  });

  it("an exception keeps the device's code and is not a timeout", async () => {
    const server = await startTcpSlave({ devices: [bankDevice("bank", 1)], clock });
    cleanup.push(() => server.close());
    const t = await transportTo(server.port);
    const r = await timed(t.request(read3(99, 5), 500));
    expect(r).toMatchObject({ kind: "exception", message: "tcp-t unit 1 FC03 HR 99..103: exception 2 (illegal data address)" });
    expect(r.ms).toBeLessThan(400);
  });
});

describe("deadlines and lost connections", () => {
  it("a device that never answers: a timeout at the deadline, named as the issue asks", async () => {
    const s = await raw(() => undefined);
    const t = await transportTo(s.port);
    const r = await timed(t.request({ fc: 4, unit: 1, address: 0, count: 70 }, 150));
    expect(r.message).toBe("tcp-t unit 1 FC04 IR 0..69: no answer in 150 ms");
    expect(r.ms).toBeGreaterThanOrEqual(140);
    expect(r.ms).toBeLessThan(400);
  });

  it("a connection lost mid-request settles at once with a connection error", async () => {
    const s = await raw((_req, socket) => socket.destroy());
    const t = await transportTo(s.port);
    const r = await timed(t.request(read3(), 2000));
    expect(r.kind).toBe("connection");
    expect(r.message).toBe(`tcp-t unit 1 FC03 HR 0..1: connection to 127.0.0.1:${s.port} lost (closed by the other end)`);
    expect(r.ms).toBeLessThan(500);
    expect(t.connected).toBe(false);
    expect((await timed(t.request(read3(), 100))).message).toBe(`tcp-t unit 1 FC03 HR 0..1: not connected to 127.0.0.1:${s.port}`);
  });

  it("close() settles every waiting request", async () => {
    const s = await raw(() => undefined);
    const t = await transportTo(s.port, 4);
    const waiting = [1, 2, 3].map((u) => timed(t.request(read3(0, 1, u), 5000)));
    await new Promise((r) => setTimeout(r, 20));
    await t.close();
    const rs = await Promise.all(waiting);
    expect(rs.map((r) => r.kind)).toEqual(["connection", "connection", "connection"]);
    expect(Math.max(...rs.map((r) => r.ms))).toBeLessThan(1000);
  });

  it("a refused connection is a connection error naming the endpoint", async () => {
    const s = await raw(() => undefined);
    const port = s.port;
    await s.close();
    const t = new ModbusSerialTransport(tcpLineSchema.parse({ name: "tcp-t", type: "tcp", port }), clock);
    await expect(t.connect()).rejects.toThrow(new RegExp(`^tcp-t: cannot connect to 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(t.connected).toBe(false);
  });
});

describe("hostile answers: a typed error within the deadline, never a hang", () => {
  const cases: Array<[string, (r: { tid: number; unit: number; pdu: Buffer }) => Buffer, string, RegExp]> = [
    ["wrong unit id", (r) => mbap(r.tid, r.unit + 1, readAnswer(r.pdu)), "frame", /bad response: Unexpected data error, expected address 1 got 2$/],
    ["wrong function code", (r) => mbap(r.tid, r.unit, Buffer.from([4, ...readAnswer(r.pdu).subarray(1)])), "frame", /expected code 3 got 4$/],
    ["wrong transaction id", (r) => mbap(r.tid + 1000, r.unit, readAnswer(r.pdu)), "timeout", /no answer in 200 ms$/],
    ["one register short", (r) => mbap(r.tid, r.unit, Buffer.from([3, 2, 0, 1])), "frame", /Data length error, expected 9 got 7$/],
    ["byte count past the frame", (r) => mbap(r.tid, r.unit, Buffer.from([3, 200, 0, 1, 0, 2])), "frame", /bad response: malformed answer/],
    ["byte count short of the frame", (r) => mbap(r.tid, r.unit, Buffer.from([3, 2, 0, 1, 0, 2])), "frame", /byte count 2, expected 4$/],
    ["an empty PDU", (r) => mbap(r.tid, r.unit, Buffer.alloc(0)), "frame", /Data length error/],
    ["a truncated frame", (r) => mbap(r.tid, r.unit, readAnswer(r.pdu)).subarray(0, 9), "timeout", /no answer in 200 ms$/],
    ["garbage", () => Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"), "timeout", /no answer/],
  ];
  for (const [name, answer, kind, message] of cases) {
    it(name, async () => {
      const s = await raw((req, socket) => socket.write(answer(req)));
      const t = await transportTo(s.port);
      const r = await timed(t.request(read3(), 200));
      expect(r.kind).toBe(kind);
      expect(r.message).toMatch(message);
      expect(r.ms).toBeLessThan(450);
    });
  }

  it("a write whose echo names another address or value", async () => {
    const s = await raw((req, socket) => {
      const echo = Buffer.from(req.pdu.subarray(0, 5)); // fc, address, value or quantity
      echo.writeUInt16BE(echo.readUInt16BE(3) + 1, 3);
      socket.write(mbap(req.tid, req.unit, echo));
    });
    const t = await transportTo(s.port);
    expect((await timed(t.request({ fc: 6, unit: 1, address: 7, value: 42 }, 200))).message).toBe(
      "tcp-t unit 1 FC06 HR 7: bad response: echo of register 7 = 43",
    );
    expect((await timed(t.request({ fc: 16, unit: 1, address: 7, values: [1, 2] }, 200))).message).toBe(
      "tcp-t unit 1 FC16 HR 7..8: bad response: echo of 3 at 7",
    );
  });
});

describe("requests in flight at once (maxInFlight > 1)", () => {
  it("answers that come back out of order each reach their own request, with their own unit id", async () => {
    // Unit 1 answers last, unit 3 first; each answer carries unit × 100 + address.
    const s = await raw((req, socket) => {
      const address = req.pdu.readUInt16BE(1);
      setTimeout(() => socket.write(mbap(req.tid, req.unit, readAnswer(req.pdu, req.unit * 100 + address))), (4 - req.unit) * 25);
    });
    const t = await transportTo(s.port, 8);
    const asks = [1, 2, 3, 1, 2, 3].map((unit, i) => ({ unit, address: i }));
    const answers = await Promise.all(asks.map(({ unit, address }) => t.request({ fc: 3, unit, address, count: 1 }, 1000)));
    expect(answers.map((a) => a.registers?.[0])).toEqual(asks.map(({ unit, address }) => unit * 100 + address));
    expect(s.requests.map((r) => r.unit)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(new Set(s.requests.map((r) => r.tid)).size).toBe(6);
  });
});

describe("modbus-serial's own error objects, classified", () => {
  it("PortNotOpenError from an unconnected client is a connection error", async () => {
    const c = new ModbusClient();
    const err = await c.readHoldingRegisters(0, 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err instanceof Error).toBe(false);
    expect(classifyLibError(err, { line: "l", unit: 1, request: "FC03 HR 0" }).message).toBe("l unit 1 FC03 HR 0: port not open");
  });

  it("its TransactionTimedOutError (not an Error) is a timeout", async () => {
    const s = await raw(() => undefined);
    const c = new ModbusClient();
    await c.connectTCP("127.0.0.1", { port: s.port });
    c.setTimeout(30);
    const err = await c.readHoldingRegisters(0, 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise<void>((r) => c.destroy(() => r()));
    expect(err instanceof Error).toBe(false);
    expect(classifyLibError(err, { line: "l", unit: 1, request: "FC03 HR 0", waitedMs: 30 }).kind).toBe("timeout");
  });
});
