// `reclaim run` (the controller) and `reclaim demo` (the simulated reference skid and the
// controller together, all on this machine).
import type { Command } from "commander";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config/load.js";
import { startController } from "../main.js";
import { createLogger } from "../system/log.js";
import { stopOnSignals } from "../system/signals.js";
import { realClock } from "../time/real.js";
import { runDemo } from "./demo.js";
import { DEFAULT_CONFIG } from "./options.js";

export const REFERENCE_CONFIG = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the controller with a config file (what the systemd service starts)")
    .option("--config <file>", "config file", DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      const log = createLogger();
      const { config } = loadConfig(opts.config);
      const running = await startController({ config, clock: realClock(), log });
      log.info({ skid: config.skid.id, opcua: running.opcua?.endpointUrl }, "controller running");
      await stopOnSignals(() => running.stop(), log);
      process.exitCode = 0;
    });

  program
    .command("demo")
    .description("run the simulated reference skid and the controller together on this machine")
    .option("--config <file>", "controller config", REFERENCE_CONFIG)
    .option("--opcua-port <port>", "OPC UA port (default: the config's, 4840)", (v) => Number.parseInt(v, 10))
    .option("--status-every <seconds>", "seconds between status lines", (v) => Number.parseFloat(v), 5)
    .option("--data <dir>", "directory for the database, control socket and PKI", "data")
    .action(async (opts: { config: string; opcuaPort?: number; statusEvery: number; data: string }) => {
      await runDemo(opts);
    });
}
