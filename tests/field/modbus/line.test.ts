// The line queue on virtual time: one request at a time on RTU and at most maxInFlight on TCP,
// writes ahead of queued reads without interrupting the one in flight, the RTU inter-frame
// gap and post-timeout pause, and reconnection with exponential back-off and jitter.
import { describe, expect, it } from "vitest";
import { rtuLineSchema, tcpLineSchema, type LineConfig } from "../../../src/config/schema.js";
import { isModbusError } from "../../../src/field/modbus/errors.js";
import { interFrameGapMs, LineQueue, postTimeoutPauseMs } from "../../../src/field/modbus/line.js";
import type { ModbusRequest, ModbusResponse } from "../../../src/field/modbus/transport.js";
import { VirtualClock } from "../../../src/time/virtual.js";
import { ScriptedTransport, zeros, type Reply } from "../helpers/scripted-transport.js";

const rtu = rtuLineSchema.parse({ name: "rs485-1", type: "rtu", path: "/dev/null", baud: 19200, parity: "even" });
const tcp = (maxInFlight = 1) => tcpLineSchema.parse({ name: "tcp-1", type: "tcp", port: 1502, maxInFlight });
const read = (address: number, unit = 1): ModbusRequest => ({ fc: 3, unit, address, count: 1 });
const write = (address: number, unit = 1): ModbusRequest => ({ fc: 6, unit, address, value: 1 });

/** Settled outcome of a request: "ok" or the error's kind and message. */
function outcome(p: Promise<ModbusResponse>): Promise<string> {
  return p.then(
    () => "ok",
    (e: unknown) => (isModbusError(e) ? `${e.kind}: ${e.message}` : `not a ModbusError: ${String(e)}`),
  );
}

function setup(line: LineConfig = rtu, script?: (req: ModbusRequest, n: number) => Reply, opts = {}) {
  const clock = new VirtualClock();
  const t = new ScriptedTransport(line.name, clock, script);
  const q = new LineQueue(line, t, clock, { random: () => 0.5, ...opts });
  return { clock, t, q };
}

describe("RTU timing", () => {
  it("the inter-frame gap is 3.5 characters, and 1.75 ms above 19200 baud", () => {
    expect(interFrameGapMs(rtu)).toBeCloseTo((3.5 * 11 * 1000) / 19200, 6); // 8E1: 11 bits a character
    expect(interFrameGapMs({ ...rtu, baud: 9600, parity: "none" })).toBeCloseTo((3.5 * 10 * 1000) / 9600, 6);
    expect(interFrameGapMs({ ...rtu, baud: 115200 })).toBe(1.75);
    expect(interFrameGapMs(tcp())).toBe(0);
  });

  it("sends one request at a time, each after the gap that follows the previous answer", async () => {
    const { clock, t, q } = setup();
    const all = [1, 2, 3].map((a) => q.request(read(a), 100, "read"));
    await clock.advance(100);
    await Promise.all(all);
    expect(t.maxInFlight).toBe(1);
    const [a, b, c] = t.log;
    expect(b?.start).toBeCloseTo((a?.end ?? NaN) + interFrameGapMs(rtu), 9);
    expect(c?.start).toBeCloseTo((b?.end ?? NaN) + interFrameGapMs(rtu), 9);
  });

  it("pauses after a timeout, so a late answer cannot be taken for the next one", async () => {
    const { clock, t, q } = setup(rtu, (req, n) => (n === 0 ? "silent" : zeros(req)));
    const first = outcome(q.request(read(1), 100, "read"));
    const second = q.request(read(2), 100, "read");
    await clock.advance(1000);
    expect(await first).toBe("timeout: rs485-1 unit 1 FC03 HR 1: no answer in 100 ms");
    await second;
    // Half the timeout: longer here than the 7-byte answer (and the gap) takes at 19200 baud.
    expect(postTimeoutPauseMs(rtu, 100, read(1))).toBe(50);
    expect(t.log[1]?.start).toBeCloseTo(100 + 50, 9);
  });

  it("the pause covers the whole answer a request can get, when that takes longer than half the timeout", async () => {
    const big: ModbusRequest = { fc: 3, unit: 1, address: 0, count: 125 }; // a 255-byte answer
    const { clock, t, q } = setup(rtu, (req, n) => (n === 0 ? "silent" : zeros(req)));
    const first = outcome(q.request(big, 100, "read"));
    const second = q.request(read(2), 100, "read");
    await clock.advance(1000);
    expect(await first).toMatch(/^timeout/);
    await second;
    const pause = (255 * 11 * 1000) / 19200 + interFrameGapMs(rtu);
    expect(postTimeoutPauseMs(rtu, 100, big)).toBeCloseTo(pause, 9);
    expect(t.log[1]?.start).toBeCloseTo(100 + pause, 9);
    expect(postTimeoutPauseMs(tcp(), 100, big)).toBe(0);
  });

  it("pauses after a garbled answer too (the rest of it may still be arriving)", async () => {
    const { clock, t, q } = setup(rtu, (req, n) => (n === 0 ? { frame: "CRC error", afterMs: 10 } : zeros(req)));
    const first = outcome(q.request(read(1), 400, "read"));
    const second = q.request(read(2), 400, "read");
    await clock.advance(1000);
    expect(await first).toBe("frame: rs485-1 unit 1 FC03 HR 1: bad response: CRC error");
    await second;
    expect(t.log[1]?.start).toBeCloseTo(10 + 200, 9); // half the timeout
  });

  it("keeps only the normal gap after an exception: the device answered", async () => {
    const { clock, t, q } = setup(rtu, (req, n) => (n === 0 ? { exception: 2, afterMs: 10 } : zeros(req)));
    const first = outcome(q.request(read(1), 100, "read"));
    const second = q.request(read(2), 100, "read");
    await clock.advance(200);
    expect(await first).toBe("exception: rs485-1 unit 1 FC03 HR 1: exception 2 (illegal data address)");
    await second;
    expect(t.log[1]?.start).toBeCloseTo(10 + interFrameGapMs(rtu), 9);
  });
});

describe("queue order", () => {
  it("a write goes ahead of queued reads, behind earlier writes, and never interrupts the request in flight", async () => {
    const { clock, t, q } = setup(tcp());
    const done = [q.request(read(1), 100, "read"), q.request(read(2), 100, "read"), q.request(read(3), 100, "read")];
    await clock.advance(1); // read 1 is on the wire
    done.push(q.request(write(10), 100, "write"), q.request(write(11), 100, "write"));
    await clock.advance(100);
    await Promise.all(done);
    expect(t.log.map((l) => `${l.req.fc === 6 ? "W" : "R"}${l.req.address}`)).toEqual(["R1", "W10", "W11", "R2", "R3"]);
    // Read 1 ran to its answer before the first write went out.
    expect(t.log[1]?.start).toBeGreaterThanOrEqual(t.log[0]?.end ?? Infinity);
  });

  it("TCP: at most maxInFlight requests on the wire (default 1)", async () => {
    for (const max of [1, 3]) {
      const { clock, t, q } = setup(tcp(max), (req) => ({ ok: { registers: [req.address] }, afterMs: 10 }));
      const all = Array.from({ length: 10 }, (_, i) => q.request(read(i), 100, "read"));
      await clock.advance(200);
      const answers = await Promise.all(all);
      expect(t.maxInFlight).toBe(max);
      expect(q.stats.maxInFlightSeen).toBe(max);
      expect(answers.map((a) => a.registers?.[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it("RTU: one in flight even if the config of a TCP line would allow more", async () => {
    const { clock, t, q } = setup(rtu, (req) => ({ ok: { registers: [req.address] }, afterMs: 3 }));
    const all = Array.from({ length: 5 }, (_, i) => q.request(read(i), 100, "read"));
    await clock.advance(200);
    await Promise.all(all);
    expect(q.maxInFlight).toBe(1);
    expect(t.maxInFlight).toBe(1);
  });

  it("close() rejects what is queued and closes the transport", async () => {
    const { clock, t, q } = setup(tcp(), () => "silent");
    const a = outcome(q.request(read(1), 100, "read"));
    const b = outcome(q.request(read(2), 100, "read"));
    await clock.advance(1);
    await q.close();
    expect(await b).toBe("connection: rs485-1 unit 1 FC03 HR 2: line closed".replace("rs485-1", "tcp-1"));
    expect(await a).toMatch(/^connection: /); // in flight: failed by the transport's close
    expect(t.connected).toBe(false);
    expect(await outcome(q.request(read(3), 100, "read"))).toMatch(/line closed$/);
  });
});

describe("reconnection", () => {
  it("backs off exponentially with jitter, failing queued requests at once meanwhile", async () => {
    const { clock, t, q } = setup(tcp(), undefined, { minBackoffMs: 500, maxBackoffMs: 2000, random: () => 0.5 });
    t.failConnects = 4;
    const attempts: number[] = [];
    const at = (): void => void attempts.push(clock.now());
    const first = outcome(q.request(read(1), 100, "read"));
    await clock.advance(0);
    at();
    expect(await first).toBe("connection: tcp-1 unit 1 FC03 HR 1: not connected (ECONNREFUSED; next attempt in 500 ms)");
    // Poll every 100 ms, as the engine would; only requests after the back-off try to connect.
    const results: string[] = [];
    for (let i = 0; i < 80; i++) {
      const before = t.connects;
      results.push(await (async () => {
        const p = outcome(q.request(read(2), 100, "read"));
        await clock.advance(100);
        return p;
      })());
      if (t.connects > before) attempts.push(clock.now() - 100);
    }
    // 0, +500, +1000, +2000 (capped), +2000: then connected.
    expect(attempts).toEqual([0, 500, 1500, 3500, 5500]);
    expect(t.connects).toBe(5);
    expect(results.at(-1)).toBe("ok");
    expect(q.stats.connectFailures).toBe(4);
  });

  it("jitter spreads the delay between 0.5 and 1.5 times the back-off", async () => {
    for (const [r, wait] of [
      [0, 250],
      [0.999, 749.5],
    ] as const) {
      const { clock, t, q } = setup(tcp(), undefined, { minBackoffMs: 500, random: () => r });
      t.failConnects = 1;
      expect(await outcome(q.request(read(1), 100, "read"))).toMatch(new RegExp(`next attempt in ${Math.round(wait)} ms`));
      await clock.advance(wait - 1);
      expect(await outcome(q.request(read(1), 100, "read"))).toMatch(/not connected/);
      await clock.advance(1);
      const ok = outcome(q.request(read(1), 100, "read"));
      await clock.advance(10);
      expect(await ok).toBe("ok");
    }
  });

  it("a connection lost mid-request settles that request, and the next one reconnects", async () => {
    const { clock, t, q } = setup(tcp(), (req, n) => (n === 0 ? { lost: true, afterMs: 20 } : zeros(req)));
    const a = outcome(q.request(read(1), 100, "read"));
    await clock.advance(20);
    expect(await a).toBe("connection: tcp-1 unit 1 FC03 HR 1: connection lost");
    const b = outcome(q.request(read(2), 100, "read"));
    await clock.advance(10);
    expect(await b).toBe("ok");
    expect(t.connects).toBe(2);
  });

  it("TCP: replaces a connection after 3 timeouts in a row; an answer in between resets the count", async () => {
    const pattern = ["silent", "silent", "ok", "silent", "silent", "silent", "ok"];
    const { clock, t, q } = setup(tcp(), (req, n) => (pattern[n] === "silent" ? "silent" : zeros(req)));
    const all = pattern.map((_, i) => outcome(q.request(read(i), 50, "read")));
    await clock.advance(1000);
    const kinds = (await Promise.all(all)).map((o) => o.split(":")[0]);
    expect(kinds).toEqual(["timeout", "timeout", "ok", "timeout", "timeout", "timeout", "ok"]);
    expect(t.connects).toBe(2);
  });

  it("TCP: replaces the connection after a garbled answer (the byte stream may be out of step)", async () => {
    const { clock, t, q } = setup(tcp(), (req, n) => (n === 0 ? { frame: "Data length error" } : zeros(req)));
    const a = outcome(q.request(read(1), 50, "read"));
    const b = outcome(q.request(read(2), 50, "read"));
    await clock.advance(100);
    expect([await a, await b]).toEqual([expect.stringMatching(/^frame/), "ok"]);
    expect(t.connects).toBe(2);
  });

  it("a failure of an old connection never closes the new one", async () => {
    // Two in flight: the first loses the connection; the second fails with it; one reconnect follows.
    const { clock, t, q } = setup(tcp(2), (req, n) => (n === 0 ? { lost: true, afterMs: 5 } : n === 1 ? "silent" : zeros(req)));
    const a = outcome(q.request(read(1), 100, "read"));
    const b = outcome(q.request(read(2), 100, "read"));
    const c = outcome(q.request(read(3), 100, "read"));
    await clock.advance(50);
    expect(await a).toMatch(/connection lost/);
    expect(await b).toMatch(/^connection: .*closed/);
    expect(await c).toBe("ok");
    expect(t.connects).toBe(2);
    expect(t.connected).toBe(true);
  });

  it("every error it passes on is a ModbusError", async () => {
    const { clock, q } = setup(rtu, () => "silent");
    const errs: unknown[] = [];
    const all = [1, 2].map((a) => q.request(read(a), 30, "read").catch((e: unknown) => errs.push(e)));
    await clock.advance(1000);
    await Promise.all(all);
    expect(errs.every((e) => isModbusError(e) && e.kind === "timeout")).toBe(true);
  });
});
