// Maps errors to the documented exit codes (README "Exit codes"): one code per kind of bad
// input, so that a script can tell "not running" from "refused" from "out of range".
import { RemoteError } from "../control/client.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { EXIT, type ExitCode } from "../system/exit-codes.js";

const BY_CODE: Record<string, ExitCode> = {
  [ERROR_CODES.CONFIG_INVALID]: EXIT.CONFIG_INVALID,
  [ERROR_CODES.CONFIG_UNREADABLE]: EXIT.CONFIG_INVALID,
  [ERROR_CODES.STORE_UNUSABLE]: EXIT.STORE_UNUSABLE,
  [ERROR_CODES.PORT_IN_USE]: EXIT.PORT_IN_USE,
  [ERROR_CODES.GPIO_MISSING]: EXIT.GPIO_MISSING,
  [ERROR_CODES.CONTROLLER_NOT_RUNNING]: EXIT.NOT_RUNNING,
  [ERROR_CODES.CONTROL_PERMISSION]: EXIT.PERMISSION,
  [ERROR_CODES.COMMAND_REJECTED]: EXIT.REJECTED,
  [ERROR_CODES.SCENARIO_INVALID]: EXIT.USAGE,
  [ERROR_CODES.OUT_OF_RANGE]: EXIT.OUT_OF_RANGE,
  [ERROR_CODES.UNKNOWN_NAME]: EXIT.UNKNOWN_NAME,
  [ERROR_CODES.BAD_ARGUMENT]: EXIT.USAGE,
  [ERROR_CODES.AUDIT_BROKEN]: EXIT.AUDIT_BROKEN,
};

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof ReclaimError || err instanceof RemoteError) return BY_CODE[err.code] ?? EXIT.FAILURE;
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  if (errno === "EADDRINUSE") return EXIT.PORT_IN_USE;
  return EXIT.FAILURE;
}
