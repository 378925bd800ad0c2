// Error messages name device, unit, request, time waited and attempt in one fixed form, and
// every shape modbus-serial rejects with becomes the right typed ModbusError.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyLibError } from "../../../src/field/modbus/classify.js";
import {
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusFrameError,
  ModbusTimeoutError,
  withAttempt,
  type RequestContext,
} from "../../../src/field/modbus/errors.js";
import { describeRequest } from "../../../src/field/modbus/transport.js";
import { ERROR_CODES, ReclaimError } from "../../../src/system/errors.js";

const ctx = (more: Partial<RequestContext> = {}): RequestContext => ({
  line: "tcp-analyzer",
  unit: 1,
  request: describeRequest({ fc: 4, unit: 1, address: 0, count: 70 }),
  waitedMs: 300,
  ...more,
});

describe("messages", () => {
  it("a timeout, as the issue writes it", () => {
    const e = new ModbusTimeoutError(ctx());
    expect(e.message).toBe("tcp-analyzer unit 1 FC04 IR 0..69: no answer in 300 ms");
    withAttempt(e, "analyzer-1", 3, 3);
    expect(e.message).toBe("analyzer-1 unit 1 FC04 IR 0..69: no answer in 300 ms (attempt 3 of 3)");
    expect(e.context).toMatchObject({ line: "tcp-analyzer", device: "analyzer-1", attempt: 3, attempts: 3 });
    expect(e).toBeInstanceOf(ReclaimError);
    expect(e.code).toBe(ERROR_CODES.MODBUS_TIMEOUT);
  });

  it("renaming again replaces the attempt rather than adding another", () => {
    const e = new ModbusFrameError(ctx(), "CRC error").withAttempt("analyzer-1", 1, 2).withAttempt("analyzer-1", 2, 2);
    expect(e.message).toBe("analyzer-1 unit 1 FC04 IR 0..69: bad response: CRC error (attempt 2 of 2)");
  });

  it("an exception keeps the device's code and names it", () => {
    const e = new ModbusExceptionError(ctx({ request: "FC03 HR 50..54", unit: 2 }), 2).withAttempt("vfd-p301", 1, 2);
    expect(e.message).toBe("vfd-p301 unit 2 FC03 HR 50..54: exception 2 (illegal data address) (attempt 1 of 2)");
    expect(e.exceptionCode).toBe(2);
    expect(e.code).toBe(ERROR_CODES.MODBUS_EXCEPTION);
    expect(new ModbusExceptionError(ctx(), 99).message).toMatch(/exception 99 \(unknown\)$/);
  });

  it("single registers and coils, and writes, are named by function code and table", () => {
    expect(describeRequest({ fc: 1, unit: 1, address: 0, count: 4 })).toBe("FC01 coils 0..3");
    expect(describeRequest({ fc: 2, unit: 1, address: 4, count: 1 })).toBe("FC02 discrete inputs 4");
    expect(describeRequest({ fc: 5, unit: 1, address: 3, value: true })).toBe("FC05 coil 3");
    expect(describeRequest({ fc: 6, unit: 1, address: 1, value: 7 })).toBe("FC06 HR 1");
    expect(describeRequest({ fc: 15, unit: 1, address: 0, values: [true, false] })).toBe("FC15 coils 0..1");
    expect(describeRequest({ fc: 16, unit: 1, address: 0, values: [1, 2] })).toBe("FC16 HR 0..1");
  });

  it("a connection attempt names the line only", () => {
    const e = new ModbusConnectionError({ line: "tcp-rio", unit: 0, request: "connect" }, "cannot connect to 127.0.0.1:1503: ECONNREFUSED");
    expect(e.message).toBe("tcp-rio: cannot connect to 127.0.0.1:1503: ECONNREFUSED");
    expect(e.code).toBe(ERROR_CODES.MODBUS_CONNECTION);
  });
});

/** Objects shaped as modbus-serial 8.0 builds them (index.js: TransactionTimedOutError, PortNotOpenError, SerialPortError, _onReceive). */
function libTimeout(): unknown {
  function TransactionTimedOutError(this: Record<string, unknown>): void {
    this.name = "TransactionTimedOutError";
    this.message = "Timed out";
    this.errno = "ETIMEDOUT";
  }
  return new (TransactionTimedOutError as unknown as new () => object)();
}

describe("classifying modbus-serial's errors", () => {
  const kind = (err: unknown) => classifyLibError(err, ctx()).kind;

  it("its timeout is a plain object, not an Error", () => {
    const t = libTimeout();
    expect(t instanceof Error).toBe(false);
    const e = classifyLibError(t, ctx());
    expect(e).toBeInstanceOf(ModbusTimeoutError);
    expect(e.message).toBe("tcp-analyzer unit 1 FC04 IR 0..69: no answer in 300 ms");
  });

  it("an exception carries modbusCode", () => {
    const lib = Object.assign(new Error("Modbus exception 4: Slave device failure (device reports internal error)"), { modbusCode: 4 });
    const e = classifyLibError(lib, ctx());
    expect(e).toBeInstanceOf(ModbusExceptionError);
    expect((e as ModbusExceptionError).exceptionCode).toBe(4);
  });

  it("CRC, length, unit id and function code checks are frame errors", () => {
    expect(kind(new Error("CRC error"))).toBe("frame");
    expect(kind(new Error("Data length error, expected 9 got 7"))).toBe("frame");
    expect(kind(new Error("Unexpected data error, expected address 1 got 2"))).toBe("frame");
    expect(kind(new Error("Unexpected data error, expected code 3 got 4"))).toBe("frame");
    expect(classifyLibError(new Error("Data length error, expected 9 got 7"), ctx()).message).toBe(
      "tcp-analyzer unit 1 FC04 IR 0..69: bad response: Data length error, expected 9 got 7",
    );
  });

  it("a byte count that runs past the frame (RangeError from Buffer) is a frame error", () => {
    let thrown: unknown;
    try {
      Buffer.alloc(4).readUInt16BE(3);
    } catch (err) {
      thrown = err;
    }
    expect(kind(thrown)).toBe("frame");
  });

  it("port not open, serial port errors and socket errors are connection errors", () => {
    expect(kind({ name: "PortNotOpenError", message: "Port Not Open", errno: "ECONNREFUSED" })).toBe("connection");
    const serial = { name: "SerialPortError", message: null, errno: "ECONNREFUSED" };
    expect(classifyLibError(serial, ctx()).message).toBe("tcp-analyzer unit 1 FC04 IR 0..69: connection error: ECONNREFUSED");
    expect(kind(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))).toBe("connection");
  });

  it("anything at all becomes a ModbusError, without throwing", () => {
    fc.assert(
      fc.property(fc.anything(), (thing) => {
        const e = classifyLibError(thing, ctx());
        expect(["timeout", "exception", "frame", "connection"]).toContain(e.kind);
        expect(typeof e.message).toBe("string");
      }),
      { numRuns: 500 },
    );
  });

  it("a ModbusError passes through unchanged", () => {
    const e = new ModbusFrameError(ctx(), "answer from unit 7, expected unit 1");
    expect(classifyLibError(e, ctx())).toBe(e);
  });
});
