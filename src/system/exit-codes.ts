// Documented process exit codes (README "Exit codes"); systemd's Restart= logic and the
// technicians' scripts rely on them, so they never change meaning.
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  CONFIG_INVALID: 3,
  STORE_UNUSABLE: 4,
  PORT_IN_USE: 5,
  GPIO_MISSING: 6,
  NOT_RUNNING: 7,
  PERMISSION: 8,
  REJECTED: 9,
  SCENARIO_FAILED: 10,
  OUT_OF_RANGE: 11,
  UNKNOWN_NAME: 12,
  AUDIT_BROKEN: 13,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
