// `reclaim status`: the runtime's snapshot (src/runtime/status.ts, a stable shape) with what
// a technician at the skid needs besides: the operating mode and every forced output (so a
// force is never out of sight), the alarms that are not normal, each CCP's limits for the
// trend lines of `status --watch`, and the config version with any pending confirmation.
import type { ConfigLifecycle } from "../config/lifecycle.js";
import type { ControlContext } from "./handlers.js";
import { alarmViews } from "./handlers-intake.js";

export function statusHandler(ctx: ControlContext, lifecycle: ConfigLifecycle): unknown {
  const snap = ctx.status();
  const core = ctx.controller.state;
  const ccps: Record<string, unknown> = {};
  for (const c of ctx.config.quality.ccps) {
    const s = snap.ccps[c.name];
    if (!s) continue;
    const unit = ctx.config.tags.find((t) => t.name === c.tag)?.unit ?? "";
    ccps[c.name] = { ...s, unit, alert: c.alert, critical: c.critical };
  }
  return {
    ...snap,
    ccps,
    mode: core.mode,
    forced: core.forced,
    alarms: snap.alarms.length > 0 ? snap.alarms : alarmViews(ctx, false),
    config: lifecycle.current(),
  };
}
