// The simulator's command line (package.json scripts):
//   npm run scenario -- <file.yaml> [--virtual | --speed N] [--json]   run one scenario
//   npm run sim -- [--port-base N] [--rtu]                              the plant alone, real time
// Exit codes (src/system/exit-codes.ts): 0 every expectation held, 10 one did not, 2 usage or
// an invalid scenario file (its problems printed with file:line:column), 3 invalid config.
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { loadConfig } from "../../src/config/load.js";
import { exitCodeFor } from "../../src/cli/exit.js";
import { FileProblemsError, ReclaimError } from "../../src/system/errors.js";
import { EXIT, type ExitCode } from "../../src/system/exit-codes.js";
import { createLogger } from "../../src/system/log.js";
import { stopOnSignals } from "../../src/system/signals.js";
import { realClock } from "../../src/time/real.js";
import { formatLine, formatProgress, formatSummary } from "./runner/report.js";
import { REFERENCE_CONFIG, runScenario, type RunMode } from "./runner/run.js";
import { loadScenarioFile } from "./runner/scenario-file.js";
import { plantLine, serveSim } from "./runner/serve.js";
import { knownTargetsFor } from "./runner/targets.js";

class UsageError extends Error {}

function positive(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${what} must be a number > 0`);
    return n;
  };
}

function port(v: string): number {
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0 && n < 65534)) throw new InvalidArgumentError("must be a port number");
  return n;
}

interface ScenarioCliOptions {
  virtual?: boolean;
  speed?: number;
  json?: boolean;
  config: string;
  verbose?: boolean;
  progress?: boolean;
}

async function scenarioCommand(file: string, o: ScenarioCliOptions): Promise<ExitCode> {
  try {
    return await runScenarioCommand(file, o);
  } catch (err) {
    // With --json the last line of stdout is one JSON object even when the run never started
    // (a malformed file, an unknown fault): scripts read that line, people read stderr.
    if (o.json) {
      const problems = err instanceof FileProblemsError ? err.problems : [];
      const code = err instanceof ReclaimError ? err.code : err instanceof UsageError ? "USAGE" : "ERROR";
      process.stdout.write(`${JSON.stringify({ scenario: path.basename(file).replace(/\.ya?ml$/, ""), passed: false, error: code, message: (err as Error).message, problems })}\n`);
    }
    throw err;
  }
}

async function runScenarioCommand(file: string, o: ScenarioCliOptions): Promise<ExitCode> {
  if (o.virtual && o.speed !== undefined) throw new UsageError("--virtual and --speed exclude each other");
  const mode: RunMode = o.speed !== undefined ? { speed: o.speed } : "virtual";
  const config = loadConfig(o.config).config;
  // Unknown faults, targets and times are rejected here, before anything starts.
  const { scenario, controller } = loadScenarioFile(file, knownTargetsFor(config));
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`scenario ${scenario.name}: ${scenario.description ?? ""}`.trimEnd());
  out(`  ${mode === "virtual" ? "virtual time" : `${mode.speed}× real time over Modbus TCP`}, seed ${scenario.seed}, ${scenario.events.length} fault(s)`);
  const result = await runScenario(scenario, {
    mode,
    config,
    controllerFaults: controller,
    ...(o.verbose ? { log: createLogger({ human: true, level: "info", destination: process.stderr }) } : {}),
    onLine: (l) => out(formatLine(l)),
    ...(o.progress ? { onProgress: (ms: number) => out(formatProgress(ms, scenario.durationMs)) } : {}),
  });
  for (const line of formatSummary(result)) out(line);
  // The last line of stdout, for scripts and CI.
  if (o.json) out(JSON.stringify(result));
  return result.passed ? EXIT.OK : EXIT.SCENARIO_FAILED;
}

interface SimCliOptions {
  portBase: number;
  host: string;
  seed?: number;
  scenario?: string;
  rtu?: boolean;
  statusEvery: number;
}

async function simCommand(o: SimCliOptions): Promise<ExitCode> {
  const log = createLogger({ human: true, level: "warn" });
  const faults = o.scenario ? loadScenarioFile(o.scenario) : undefined;
  const served = await serveSim({
    clock: realClock(),
    portBase: o.portBase,
    host: o.host,
    ...(o.seed !== undefined ? { seed: o.seed } : faults ? { seed: faults.scenario.seed } : {}),
    ...(faults ? { faults: faults.scenario.events, params: faults.scenario.plant } : {}),
    ...(o.rtu ? { rtu: true } : {}),
  });
  process.stdout.write(`Reclaim simulator (reference skid RS-30), real time, permissive hardwired (no GPIO link):\n`);
  for (const line of served.describe()) process.stdout.write(`  ${line}\n`);
  process.stdout.write(`Ctrl-C stops.\n`);
  const timer = o.statusEvery > 0 ? setInterval(() => process.stdout.write(`${plantLine(served.sim)}\n`), o.statusEvery * 1000) : undefined;
  await stopOnSignals(async () => {
    clearInterval(timer);
    await served.stop();
  }, log).done;
  process.stdout.write("simulator stopped.\n");
  return EXIT.OK;
}

export function buildProgram(done: (code: ExitCode) => void): Command {
  const program = new Command("hil-sim").description("Reclaim's hardware-in-the-loop simulator").exitOverride().showHelpAfterError();
  program
    .command("scenario")
    .description("run a scenario against the real controller and check its expectations")
    .argument("<file>", "scenario file (hil-sim/scenarios/*.yaml)")
    .option("--virtual", "virtual time, in-memory Modbus, as fast as the CPU goes (the default)")
    .option("--speed <N>", "N× real time, over real Modbus TCP sockets", positive("--speed"))
    .option("--json", "print the result as one JSON object on the last line")
    .option("--config <file>", "controller config", REFERENCE_CONFIG)
    .option("--progress", "a line every simulated minute")
    .option("--verbose", "the controller's own log on stderr")
    .action(async (file: string, o: ScenarioCliOptions) => done(await scenarioCommand(file, o)));
  program
    .command("sim")
    .description("the simulated skid alone, in real time, on Modbus TCP (and RTU with --rtu) until Ctrl-C")
    .option("--port-base <port>", "analyzer-1 on this port, rio-1 on +1, the RS-485 gateway (drives, flowmeters) on +2", port, 1502)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--seed <n>", "random seed", (v) => Math.trunc(Number(v)))
    .option("--scenario <file>", "apply this scenario's faults and plant parameters (in real time)")
    .option("--rtu", "also serve the RS-485 devices on a pseudo-terminal (needs socat)")
    .option("--status-every <s>", "a line on the plant's state every s seconds (0: never)", Number, 30)
    .action(async (o: SimCliOptions) => done(await simCommand(o)));
  return program;
}

export async function main(argv: string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  try {
    await buildProgram((c) => (code = c)).parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof FileProblemsError) process.stderr.write(`error: ${err.code}: invalid file:\n${err.message}\n`);
    else if (err instanceof ReclaimError) process.stderr.write(`error: ${err.code}: ${err.message}\n`);
    else process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    return exitCodeFor(err);
  }
}

process.exitCode = await main(process.argv);
