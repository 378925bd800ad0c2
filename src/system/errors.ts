// Stable error codes (STYLE.md 10): every failure a user can meet has one, documented in
// README's error table and tested against it (tests/system/errors.test.ts).

export const ERROR_CODES = {
  CONFIG_INVALID: "RECLAIM_E_CONFIG_INVALID",
  CONFIG_UNREADABLE: "RECLAIM_E_CONFIG_UNREADABLE",
  STORE_UNUSABLE: "RECLAIM_E_STORE_UNUSABLE",
  PORT_IN_USE: "RECLAIM_E_PORT_IN_USE",
  GPIO_MISSING: "RECLAIM_E_GPIO_MISSING",
  CONTROLLER_NOT_RUNNING: "RECLAIM_E_NOT_RUNNING",
  CONTROL_PERMISSION: "RECLAIM_E_PERMISSION",
  COMMAND_REJECTED: "RECLAIM_E_COMMAND_REJECTED",
  MODBUS_TIMEOUT: "RECLAIM_E_MODBUS_TIMEOUT",
  MODBUS_EXCEPTION: "RECLAIM_E_MODBUS_EXCEPTION",
  MODBUS_FRAME: "RECLAIM_E_MODBUS_FRAME",
  MODBUS_CONNECTION: "RECLAIM_E_MODBUS_CONNECTION",
  SCENARIO_INVALID: "RECLAIM_E_SCENARIO_INVALID",
  // The CLI and the control socket (issue 8): each bad input has its own code and exit code.
  OUT_OF_RANGE: "RECLAIM_E_OUT_OF_RANGE",
  UNKNOWN_NAME: "RECLAIM_E_UNKNOWN_NAME",
  BAD_ARGUMENT: "RECLAIM_E_BAD_ARGUMENT",
  AUDIT_BROKEN: "RECLAIM_E_AUDIT_BROKEN",
  CONTROL_UNKNOWN_COMMAND: "RECLAIM_E_UNKNOWN_COMMAND",
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class ReclaimError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ReclaimError";
  }
}

/** One problem in a file, located for a person: file:line:column and the key path. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/** A config (or scenario) file with one or more problems, all reported at once. */
export class FileProblemsError extends ReclaimError {
  constructor(
    code: ErrorCode,
    readonly problems: Problem[],
  ) {
    super(code, problems.map(formatProblem).join("\n"));
    this.name = "FileProblemsError";
  }
}
