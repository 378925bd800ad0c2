// Typed Modbus errors that keep what the device said (STYLE.md: Modbus exceptions keep
// their code). Messages name line, device, unit, request, time waited and attempt.
import { ERROR_CODES, ReclaimError, type ErrorCode } from "../../system/errors.js";

export interface RequestContext {
  line: string;
  device?: string;
  unit: number;
  request: string; // describeRequest(): "FC04 IR 50..52"
  waitedMs?: number;
  attempt?: number;
  attempts?: number;
}

export function describeContext(c: RequestContext): string {
  return `${c.device ?? c.line} unit ${c.unit} ${c.request}`;
}

function attemptText(c: RequestContext): string {
  return c.attempt !== undefined && c.attempts !== undefined ? ` (attempt ${c.attempt} of ${c.attempts})` : "";
}

export abstract class ModbusError extends ReclaimError {
  abstract readonly kind: "timeout" | "exception" | "frame" | "connection";
  constructor(
    code: ErrorCode,
    readonly context: RequestContext,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export class ModbusTimeoutError extends ModbusError {
  readonly kind = "timeout";
  constructor(context: RequestContext) {
    super(ERROR_CODES.MODBUS_TIMEOUT, context, `${describeContext(context)}: no answer in ${context.waitedMs ?? "?"} ms${attemptText(context)}`);
    this.name = "ModbusTimeoutError";
  }
}

export const EXCEPTION_NAMES: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "server device failure",
  5: "acknowledge",
  6: "server device busy",
  8: "memory parity error",
  10: "gateway path unavailable",
  11: "gateway target device failed to respond",
};

export class ModbusExceptionError extends ModbusError {
  readonly kind = "exception";
  constructor(
    context: RequestContext,
    readonly exceptionCode: number,
  ) {
    super(
      ERROR_CODES.MODBUS_EXCEPTION,
      context,
      `${describeContext(context)}: exception ${exceptionCode} (${EXCEPTION_NAMES[exceptionCode] ?? "unknown"})${attemptText(context)}`,
    );
    this.name = "ModbusExceptionError";
  }
}

/** CRC, length, unit id, function code or transaction id wrong: the answer cannot be trusted. */
export class ModbusFrameError extends ModbusError {
  readonly kind = "frame";
  constructor(context: RequestContext, detail: string) {
    super(ERROR_CODES.MODBUS_FRAME, context, `${describeContext(context)}: bad response: ${detail}${attemptText(context)}`);
    this.name = "ModbusFrameError";
  }
}

export class ModbusConnectionError extends ModbusError {
  readonly kind = "connection";
  constructor(context: RequestContext, detail: string, options?: { cause?: unknown }) {
    super(ERROR_CODES.MODBUS_CONNECTION, context, `${context.line}: ${detail}`, options);
    this.name = "ModbusConnectionError";
  }
}

/** Names the device and attempt on an error from the transport (which knows only the line). */
export function withAttempt(err: ModbusError, device: string, attempt: number, attempts: number): ModbusError {
  Object.assign(err.context, { device, attempt, attempts });
  const base = err.message.replace(/^[^ ]+ unit/, `${device} unit`).replace(/ \(attempt \d+ of \d+\)$/, "");
  err.message = `${base} (attempt ${attempt} of ${attempts})`;
  return err;
}
