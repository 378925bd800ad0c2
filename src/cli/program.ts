// `reclaim`: the technician's command line. Declares every command (each lives in its own
// module) and maps failures to the documented exit codes. main() takes its streams as a
// parameter so that the tests run commands in-process with captured output.
import { Command, CommanderError } from "commander";
import { RemoteError } from "../control/client.js";
import { ERROR_CODES, FileProblemsError, ReclaimError } from "../system/errors.js";
import { EXIT, type ExitCode } from "../system/exit-codes.js";
import { registerAlarms } from "./alarms.js";
import { registerAudit } from "./audit.js";
import { registerConfig } from "./config.js";
import { registerDevices } from "./devices.js";
import { exitCodeFor } from "./exit.js";
import { registerHistory } from "./history.js";
import { processIo, type CliIo } from "./io.js";
import { registerMaintenance } from "./maintenance.js";
import { registerPackml } from "./packml.js";
import { registerReport } from "./report.js";
import { registerSetpoint } from "./setpoint.js";
import { registerStatus } from "./status.js";
import { registerUsers } from "./users.js";
import { registerCerts } from "./certs.js";

export const VERSION = "0.1.0";

/**
 * `run` and `demo` bring the whole controller (OPC UA stack included, seconds to load, and
 * chatty on stdout): they are loaded only when asked for, or for the full command list.
 */
function needsRun(argv: readonly string[]): boolean {
  const word = argv.slice(2).find((a) => !a.startsWith("-"));
  return word === undefined || word === "help" || word === "run" || word === "demo";
}

export async function buildProgram(io: CliIo = processIo(), argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command("reclaim")
    .description("Reclaim: edge controller for wastewater recycling skids")
    .version(VERSION)
    .showHelpAfterError("(add --help for the command's usage)")
    // Settings made here are inherited by every subcommand declared below.
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  program.addHelpText(
    "after",
    "\nCommands that change the skid talk to the running controller over its control socket\n" +
      "(--socket, or the config's control.socket). validate, audit, history export and report\n" +
      "read files and work while the controller is stopped. Exit codes: see README \"Exit codes\".",
  );
  if (needsRun(argv)) (await import("./run.js")).registerRun(program);
  registerStatus(program, io);
  registerPackml(program, io);
  registerMaintenance(program, io);
  registerSetpoint(program, io);
  registerAlarms(program, io);
  registerDevices(program, io);
  registerHistory(program, io);
  registerReport(program, io);
  registerAudit(program, io);
  registerConfig(program, io);
  registerUsers(program, io);
  registerCerts(program, io.stdout);
  return program;
}

function describeFailure(err: unknown): string {
  if (err instanceof FileProblemsError) {
    const n = err.problems.length;
    return `error: ${err.code}: ${n} problem${n === 1 ? "" : "s"} in the file:\n${err.message}\n`;
  }
  if (err instanceof RemoteError && err.code === ERROR_CODES.CONTROL_UNKNOWN_COMMAND) {
    return `error: ${err.code}: ${err.message}: the running controller is older than this reclaim command; restart it (systemctl restart reclaim) after an upgrade\n`;
  }
  if (err instanceof ReclaimError || err instanceof RemoteError) return `error: ${err.code}: ${err.message}\n`;
  return `error: ${(err as Error).stack ?? String(err)}\n`;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  try {
    await (await buildProgram(io, argv)).parseAsync(argv);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander has printed the rest.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    io.stderr.write(describeFailure(err));
    return exitCodeFor(err);
  }
}
