// The PackML commands (`reclaim start`, `stop`, … or `reclaim state <command>`) and
// `reclaim divert reset` (ResetDivert). Each goes through the controller's command intake,
// which refuses a command the current state does not allow (exit 9) and audits it.
import { InvalidArgumentError, type Command } from "commander";
import { PACKML_COMMANDS, type PackmlCommand } from "../core/packml.js";
import { say, sayJson, type CliIo } from "./io.js";
import { socketOption, type SocketOpts } from "./options.js";
import { call } from "./remote.js";

interface Changed {
  message: string;
  old: unknown;
  new: unknown;
}

const HELP: Record<PackmlCommand, string> = {
  Reset: "Stopped or Complete → Resetting → Idle",
  Start: "Idle → Starting (start-up flush) → Execute",
  Stop: "any running state → Stopping → Stopped",
  Hold: "Execute → Holding → Held",
  Unhold: "Held → Unholding → Execute",
  Suspend: "Execute → Suspending → Suspended",
  Unsuspend: "Suspended → Unsuspending → Execute",
  Abort: "any state → Aborting → Aborted (outputs safe)",
  Clear: "Aborted → Clearing → Stopped",
};

function packmlCommand(text: string): PackmlCommand {
  const found = PACKML_COMMANDS.find((c) => c.toLowerCase() === text.trim().toLowerCase());
  if (!found) throw new InvalidArgumentError(`"${text}" is not a PackML command: ${PACKML_COMMANDS.map((c) => c.toLowerCase()).join(", ")}`);
  return found;
}

async function send(io: CliIo, opts: SocketOpts & { json?: boolean }, command: PackmlCommand): Promise<void> {
  const r = await call<Changed>(opts, "state", { command });
  if (opts.json) sayJson(io, { ok: true, command, ...r });
  else say(io, `${command}: ${r.message}`);
}

export function registerPackml(program: Command, io: CliIo): void {
  for (const command of PACKML_COMMANDS) {
    socketOption(program.command(command.toLowerCase()).description(`PackML ${command}: ${HELP[command]}`).option("--json", "print the result as JSON")).action(
      (opts: SocketOpts & { json?: boolean }) => send(io, opts, command),
    );
  }
  socketOption(
    program
      .command("state")
      .description("send a PackML command (the same as 'reclaim <command>')")
      .argument("<command>", PACKML_COMMANDS.map((c) => c.toLowerCase()).join(" | "), packmlCommand)
      .option("--json", "print the result as JSON"),
  ).action((command: PackmlCommand, opts: SocketOpts & { json?: boolean }) => send(io, opts, command));

  const divert = program.command("divert").description("the product divert");
  socketOption(
    divert
      .command("reset")
      .description("ResetDivert: return to reuse once every CCP has been verified in spec (the controller waits for the verification period)")
      .option("--json", "print the result as JSON"),
  ).action(async (opts: SocketOpts & { json?: boolean }) => {
    const r = await call<Changed>(opts, "divert.reset");
    if (opts.json) sayJson(io, { ok: true, ...r });
    else say(io, r.message);
  });
}
