// Typed Modbus errors that keep what the device said (STYLE.md: Modbus exceptions keep
// their code). Every message is built from its context, so it always names the device (or
// line), unit, request, time waited and attempt:
//   "analyzer-1 unit 1 FC04 IR 0..69: no answer in 300 ms (attempt 3 of 3)"
import { ERROR_CODES, ReclaimError, type ErrorCode } from "../../system/errors.js";

export interface RequestContext {
  line: string;
  device?: string;
  unit: number;
  /** describeRequest(): "FC04 IR 50..52"; "connect" for a connection attempt. */
  request: string;
  waitedMs?: number;
  attempt?: number;
  attempts?: number;
}

export type ModbusErrorKind = "timeout" | "exception" | "frame" | "connection";

/** "analyzer-1 unit 1 FC04 IR 0..69", or just the line for a connection attempt. */
export function describeContext(c: RequestContext): string {
  if (c.request === "connect") return c.line;
  return `${c.device ?? c.line} unit ${c.unit} ${c.request}`;
}

function attemptText(c: RequestContext): string {
  return c.attempt !== undefined && c.attempts !== undefined ? ` (attempt ${c.attempt} of ${c.attempts})` : "";
}

export abstract class ModbusError extends ReclaimError {
  abstract readonly kind: ModbusErrorKind;
  constructor(
    code: ErrorCode,
    readonly context: RequestContext,
    options?: { cause?: unknown },
  ) {
    super(code, "", options);
  }

  /** What went wrong, without saying which request: "no answer in 300 ms". */
  abstract detail(): string;

  /**
   * Names the device and the attempt (the transport knows only the line) and rebuilds the
   * message. Returns the same error, so the cause chain and stack stay intact.
   */
  withAttempt(device: string, attempt: number, attempts: number): this {
    Object.assign(this.context, { device, attempt, attempts });
    this.refresh();
    return this;
  }

  // Subclasses call this at the end of their constructor, once their own fields are set.
  protected refresh(): void {
    this.message = `${describeContext(this.context)}: ${this.detail()}${attemptText(this.context)}`;
  }
}

export class ModbusTimeoutError extends ModbusError {
  readonly kind = "timeout";
  constructor(context: RequestContext) {
    super(ERROR_CODES.MODBUS_TIMEOUT, context);
    this.name = "ModbusTimeoutError";
    this.refresh();
  }

  detail(): string {
    return `no answer in ${this.context.waitedMs ?? "?"} ms`;
  }
}

/** Modbus application protocol v1.1b3 §7: the exception codes a device may answer with. */
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
    super(ERROR_CODES.MODBUS_EXCEPTION, context);
    this.name = "ModbusExceptionError";
    this.refresh();
  }

  detail(): string {
    return `exception ${this.exceptionCode} (${EXCEPTION_NAMES[this.exceptionCode] ?? "unknown"})`;
  }
}

/** CRC, length, unit id, function code or transaction id wrong: the answer cannot be trusted. */
export class ModbusFrameError extends ModbusError {
  readonly kind = "frame";
  constructor(
    context: RequestContext,
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(ERROR_CODES.MODBUS_FRAME, context, options);
    this.name = "ModbusFrameError";
    this.refresh();
  }

  detail(): string {
    return `bad response: ${this.what}`;
  }
}

/** Not connected, connection refused, or lost while a request was waiting for its answer. */
export class ModbusConnectionError extends ModbusError {
  readonly kind = "connection";
  constructor(
    context: RequestContext,
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(ERROR_CODES.MODBUS_CONNECTION, context, options);
    this.name = "ModbusConnectionError";
    this.refresh();
  }

  detail(): string {
    return this.what;
  }
}

export function isModbusError(err: unknown): err is ModbusError {
  return err instanceof ModbusError;
}

/** Names the device and attempt on an error from the transport (which knows only the line). */
export function withAttempt(err: ModbusError, device: string, attempt: number, attempts: number): ModbusError {
  return err.withAttempt(device, attempt, attempts);
}
