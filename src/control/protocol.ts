// The control socket's wire format: one JSON object per line each way. Every request names
// the operating-system user who ran the CLI, for the audit trail.

export interface ControlRequest {
  id: number;
  cmd: string;
  args?: Record<string, unknown>;
  user: string;
}

export type ControlResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };

export type ControlHandler = (req: ControlRequest) => unknown;

/** A handler's refusal, carried to the CLI with its stable code. */
export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
