// The control socket's config commands: which config runs, what a candidate would change,
// and apply / confirm / rollback (src/config/lifecycle.ts does the work). Every one names the
// OS user, who goes into config_versions and the audit trail.
import { ConfigLifecycle } from "../config/lifecycle.js";
import type { ControlContext } from "./handlers.js";
import { optNum, optStr, str, userOf } from "./handlers-args.js";
import { submit } from "./handlers-intake.js";
import { ControlError, type ControlHandler } from "./protocol.js";
import { ERROR_CODES } from "../system/errors.js";

/** --confirm-within bounds: long enough to check the skid, short enough to be remembered. */
export const CONFIRM_MIN_MS = 1_000;
export const CONFIRM_MAX_MS = 24 * 3_600_000;

export function configLifecycle(ctx: ControlContext): ConfigLifecycle {
  const lifecycle = new ConfigLifecycle({
    config: ctx.config,
    configFile: ctx.configFile,
    store: ctx.store,
    clock: ctx.clock,
    setSetpoint: (name, value, user) => {
      try {
        submit(ctx, user, { kind: "setpoint", name, value }, "config apply");
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    requestRestart: (config, reason) => ctx.requestRestart(config, reason),
  });
  // The controller completes its streams when it stops: the confirm timer goes with it (the
  // next start re-arms it from the store).
  ctx.controller.status$.subscribe({ complete: () => lifecycle.dispose() });
  return lifecycle;
}

export function configHandlers(lifecycle: ConfigLifecycle): Array<[string, ControlHandler]> {
  return [
    ["config.current", () => lifecycle.current()],
    ["config.diff", (req) => lifecycle.diff(str(req, "text"), optStr(req, "source") ?? "candidate")],
    [
      "config.apply",
      (req) => {
        const within = optNum(req, "confirmWithinMs");
        if (within !== undefined && (within < CONFIRM_MIN_MS || within > CONFIRM_MAX_MS)) {
          throw new ControlError(ERROR_CODES.OUT_OF_RANGE, `--confirm-within must lie between 1s and 24h`);
        }
        const note = optStr(req, "note");
        return lifecycle.apply(str(req, "text"), optStr(req, "source") ?? "candidate", userOf(req), {
          ...(within !== undefined ? { confirmWithinMs: within } : {}),
          ...(note !== undefined ? { note } : {}),
        });
      },
    ],
    ["config.confirm", (req) => lifecycle.confirm(userOf(req))],
    ["config.rollback", (req) => lifecycle.rollback(userOf(req), optNum(req, "to"))],
  ];
}
