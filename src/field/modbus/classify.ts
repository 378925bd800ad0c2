// Turns whatever modbus-serial rejects with into a typed ModbusError. The library's errors
// come in several shapes, and not all are `instanceof Error`: its timeout and serial-port
// errors are plain objects built by constructor functions (index.js TransactionTimedOutError,
// SerialPortError); exceptions carry `modbusCode`; frame checks are Errors told apart only by
// their message ("CRC error", "Data length error, …", "Unexpected data error, …"); a byte
// count that runs past the frame surfaces as a RangeError from Buffer.readUInt16BE.
import {
  isModbusError,
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusFrameError,
  ModbusTimeoutError,
  type ModbusError,
  type RequestContext,
} from "./errors.js";

interface LibErrorShape {
  message?: unknown;
  errno?: unknown;
  code?: unknown;
  modbusCode?: unknown;
  name?: unknown;
}

function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

/** A short description of any thrown value, never throwing itself. */
export function describeThrown(err: unknown): string {
  if (err === null || err === undefined) return String(err);
  if (typeof err !== "object") return text(err) || typeof err;
  const e = err as LibErrorShape;
  const msg = text(e.message);
  const tag = text(e.code) || text(e.errno);
  if (msg && tag && !msg.includes(tag)) return `${msg} (${tag})`;
  return msg || tag || text(e.name) || "unknown error";
}

const CONNECTION_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTCONN", "EHOSTUNREACH", "ENETUNREACH", "ENOENT", "EIO", "EBADF"]);

export function classifyLibError(err: unknown, ctx: RequestContext): ModbusError {
  if (isModbusError(err)) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as LibErrorShape;
  if (typeof e.modbusCode === "number") return new ModbusExceptionError(ctx, e.modbusCode);
  const name = text(e.name);
  const msg = describeThrown(err);
  if (e.errno === "ETIMEDOUT" || name === "TransactionTimedOutError") return new ModbusTimeoutError(ctx);
  if (name === "PortNotOpenError" || /port not open/i.test(msg)) return new ModbusConnectionError(ctx, "port not open", { cause: err });
  if (/CRC error/i.test(msg)) return new ModbusFrameError(ctx, "CRC error", { cause: err });
  if (/Data length error|Unexpected data error/i.test(msg)) return new ModbusFrameError(ctx, msg, { cause: err });
  // A byte count larger than the frame makes the library read past its buffer.
  if (err instanceof RangeError || name === "RangeError") return new ModbusFrameError(ctx, `malformed answer (${msg})`, { cause: err });
  const errno = text(e.errno) || text(e.code);
  const detail = CONNECTION_ERRNOS.has(errno) || name === "SerialPortError" ? `connection error: ${msg}` : `unexpected error: ${msg}`;
  return new ModbusConnectionError(ctx, detail, { cause: err });
}
