// `reclaim run` (the controller) and `reclaim demo` (the simulated reference skid and the
// controller together, all on this machine).
import type { Command } from "commander";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config/load.js";
import { startController } from "../main.js";
import { createLogger } from "../system/log.js";
import { stopOnSignals } from "../system/signals.js";
import { realClock } from "../time/real.js";
import type { Clock } from "../time/clock.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../system/log.js";
import { runDemo } from "./demo.js";
import { createNotifier, type Notifier } from "../system/notify.js";
import { firstPollCycle, WatchdogFeeder } from "../system/watchdog.js";
import { DEFAULT_CONFIG } from "./options.js";

export const REFERENCE_CONFIG = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));

/**
 * The service: READY=1 to systemd once the config is loaded, the store open and the first
 * poll cycle has answered; WATCHDOG=1 only while the scan advances and the store is healthy;
 * STOPPING=1 on stop (see deploy/systemd/reclaim.service).
 */
async function runService(configFile: string): Promise<void> {
  const log = createLogger();
  const clock = realClock();
  const notifier = await createNotifier(log.child({ part: "systemd" }));
  let config = loadConfig(configFile).config;
  // A controlled restart (config apply or rollback) stops and starts the controller in this
  // process; systemd never has to restart us for it.
  for (;;) {
    let restartWith: { config: Config; reason: string } | null = null;
    let wake: () => void = () => undefined;
    const restarted = new Promise<void>((resolve) => (wake = resolve));
    const outcome = await runOnce(config, configFile, clock, log, notifier, (next, reason) => {
      restartWith = { config: next, reason };
      wake();
    }, restarted);
    if (outcome === "stopped" || restartWith === null) break;
    const r: { config: Config; reason: string } = restartWith;
    log.warn(`controlled restart: ${r.reason}`);
    config = r.config;
  }
  process.exitCode = 0;
}

/** Runs the controller until a stop signal ("stopped") or a restart request ("restart"). */
async function runOnce(
  config: Config,
  configFile: string,
  clock: Clock,
  log: Logger,
  notifier: Notifier,
  onRestart: (config: Config, reason: string) => void,
  restarted: Promise<void>,
): Promise<"stopped" | "restart"> {
  const running = await startController({ config, clock, log, configFile, onRestart });
  const polled = config.tags.filter((t) => t.modbus !== undefined).map((t) => t.name);
  try {
    await firstPollCycle({
      scanned$: running.controller.scanned$,
      pending: () => polled.filter((n) => running.controller.state.tags[n]?.sourceQuality.reason === "not-yet-read"),
      clock,
      timeoutMs: 60_000,
    });
  } catch (err) {
    await running.stop();
    throw err;
  }
  const feeder = new WatchdogFeeder({
    notifier,
    scanned$: running.controller.scanned$,
    clock,
    log: log.child({ part: "watchdog" }),
    storeHealthy: () => running.storeHealthy(),
  });
  feeder.start();
  notifier.ready(`${config.skid.id}: scanning every ${config.skid.scanPeriod} ms`);
  log.info({ skid: config.skid.id, opcua: running.opcua?.endpointUrl }, "controller running");
  const statusSub = running.controller.status$.subscribe((s) => notifier.status(`${s.state}, quality ${s.qualityMode}`));
  const stopAll = async (): Promise<void> => {
    feeder.stop();
    statusSub.unsubscribe();
    await running.stop();
  };
  const watch = stopOnSignals(async () => {
    notifier.stopping();
    await stopAll();
  }, log);
  const outcome = await Promise.race([watch.done.then(() => "stopped" as const), restarted.then(() => "restart" as const)]);
  if (outcome === "restart") {
    watch.dispose();
    notifier.status("restarting with a new config");
    await stopAll();
  }
  return outcome;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the controller with a config file (what the systemd service starts)")
    .option("--config <file>", "config file", DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      await runService(opts.config);
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
