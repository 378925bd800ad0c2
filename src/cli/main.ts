// `reclaim`: the technician's command line. Each command lives in its own module; this file
// only declares them and maps failures to the documented exit codes.
import { Command, CommanderError } from "commander";
import { FileProblemsError, ReclaimError } from "../system/errors.js";
import { EXIT, type ExitCode } from "../system/exit-codes.js";
import { RemoteError } from "../control/client.js";
import { registerRun } from "./run.js";
import { registerStatus } from "./status.js";
import { exitCodeFor } from "./exit.js";

export function buildProgram(): Command {
  const program = new Command("reclaim")
    .description("Reclaim: edge controller for wastewater recycling skids")
    .version("0.1.0")
    .showHelpAfterError("(run 'reclaim --help' for the commands)")
    .exitOverride();
  registerRun(program);
  registerStatus(program);
  return program;
}

export async function main(argv: string[]): Promise<ExitCode> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const code = exitCodeFor(err);
    if (err instanceof FileProblemsError) process.stderr.write(`error: ${err.code}: invalid file:\n${err.message}\n`);
    else if (err instanceof ReclaimError || err instanceof RemoteError) process.stderr.write(`error: ${err.code}: ${err.message}\n`);
    else process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    return code;
  }
}

const code = await main(process.argv);
// Commands that keep running (run, demo) set process.exitCode themselves when they stop.
if (code !== EXIT.OK || process.exitCode === undefined) process.exitCode = code;
