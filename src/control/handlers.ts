// The control socket's commands, by name: what the `reclaim` CLI can ask of the running
// controller. Every command that changes anything goes through the core's command intake
// (role, state, range, audit); the socket's peer is a local technician.
import type { Config } from "../config/schema.js";
import type { Controller } from "../runtime/controller.js";
import type { ModbusEngine } from "../field/modbus/engine.js";
import type { StatusSnapshot } from "../runtime/status.js";
import type { Store } from "../store/index.js";
import type { ControlHandler } from "./protocol.js";

export interface ControlContext {
  config: Config;
  /** The config file the controller was started from (null in the demo and tests). */
  configFile: string | null;
  controller: Controller;
  engine: ModbusEngine;
  store: Store | null;
  status(): StatusSnapshot;
  /** Asks the service to restart in-process with another config (config apply, rollback). */
  requestRestart(config: Config, reason: string): void;
}

export function controlHandlers(ctx: ControlContext): Map<string, ControlHandler> {
  return new Map<string, ControlHandler>([["status", () => ctx.status()]]);
}
