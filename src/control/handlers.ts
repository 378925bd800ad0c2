// The control socket's commands, by name: what the `reclaim` CLI can ask of the running
// controller. Every command that changes the skid goes through the core's command intake
// (role, state, range, audit; handlers-intake.ts); config changes through the lifecycle
// (handlers-config.ts). The socket's peer is a local technician with the engineer role.
import type { Config } from "../config/schema.js";
import type { Controller } from "../runtime/controller.js";
import type { ModbusEngine } from "../field/modbus/engine.js";
import type { StatusSnapshot } from "../runtime/status.js";
import type { Store } from "../store/index.js";
import type { Clock } from "../time/clock.js";
import type { ControlHandler } from "./protocol.js";
import { configHandlers, configLifecycle } from "./handlers-config.js";
import { deviceHandlers } from "./handlers-devices.js";
import { intakeHandlers } from "./handlers-intake.js";
import { statusHandler } from "./handlers-status.js";

export interface ControlContext {
  config: Config;
  /** The config file the controller was started from (null in the demo and tests). */
  configFile: string | null;
  controller: Controller;
  engine: ModbusEngine;
  store: Store | null;
  /** The controller's clock: the commit-confirmed timer runs on it, and times are shown with it. */
  clock: Clock;
  status(): StatusSnapshot;
  /** Asks the service to restart in-process with another config (config apply, rollback). */
  requestRestart(config: Config, reason: string): void;
}

export function controlHandlers(ctx: ControlContext): Map<string, ControlHandler> {
  const lifecycle = configLifecycle(ctx);
  return new Map<string, ControlHandler>([
    ["status", () => statusHandler(ctx, lifecycle)],
    ...intakeHandlers(ctx),
    ...deviceHandlers(ctx),
    ...configHandlers(lifecycle),
  ]);
}
