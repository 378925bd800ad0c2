// `reclaim mode auto|maintenance` and `reclaim io force|unforce|list`: forcing outputs, for
// commissioning and fault finding. Forces are accepted only in Maintenance mode, leaving
// Maintenance drops them all, and the divert valve can never be forced (the core decides).
import { InvalidArgumentError, type Command } from "commander";
import { say, sayJson, type CliIo } from "./io.js";
import { socketOption, type SocketOpts } from "./options.js";
import { outputValue } from "./parse.js";
import { call } from "./remote.js";
import { plain, table } from "./format.js";

interface Changed {
  message: string;
  old: unknown;
  new: unknown;
}

type JsonOpts = SocketOpts & { json?: boolean };

const MODES: Record<string, "Automatic" | "Maintenance"> = { auto: "Automatic", automatic: "Automatic", maintenance: "Maintenance" };

function modeArg(text: string): "Automatic" | "Maintenance" {
  const m = MODES[text.trim().toLowerCase()];
  if (!m) throw new InvalidArgumentError(`"${text}" is not a mode: auto or maintenance`);
  return m;
}

function show(io: CliIo, opts: JsonOpts, r: object, text: string): void {
  if (opts.json) sayJson(io, { ok: true, ...r });
  else say(io, text);
}

export function registerMaintenance(program: Command, io: CliIo): void {
  socketOption(
    program
      .command("mode")
      .description("set the operating mode: auto (Automatic) or maintenance (forcing outputs allowed; leaving it drops every force)")
      .argument("<mode>", "auto | maintenance", modeArg)
      .option("--json", "print the result as JSON"),
  ).action(async (mode: "Automatic" | "Maintenance", opts: JsonOpts) => {
    const r = await call<Changed>(opts, "mode", { mode });
    show(io, opts, r, `mode ${r.message}${mode === "Automatic" ? " (every forced output released)" : ""}`);
  });

  const ioCmd = program.command("io").description("force outputs in Maintenance mode (commissioning, fault finding)");
  socketOption(
    ioCmd
      .command("force")
      .description("force a controller-written output to a value (Maintenance mode only; shown in status, OPC UA and the report)")
      .argument("<tag>", "output tag, e.g. P-401")
      .argument("<value>", "true/false (on/off) for a bool output, a number for an analog one", outputValue)
      .option("--json", "print the result as JSON"),
  )
    .addHelpText("after", "\nExample:\n  reclaim mode maintenance && reclaim io force P-401 on")
    .action(async (tag: string, value: boolean | number, opts: JsonOpts) => {
      const r = await call<Changed>(opts, "io.force", { tag, value });
      show(io, opts, r, `forced ${tag}: ${r.old === null ? "not forced" : plain(r.old)} → ${plain(r.new)}`);
    });
  socketOption(ioCmd.command("unforce").description("release a forced output").argument("<tag>", "output tag").option("--json", "print the result as JSON")).action(
    async (tag: string, opts: JsonOpts) => {
      const r = await call<Changed>(opts, "io.unforce", { tag });
      show(io, opts, r, `released ${tag} (was forced to ${plain(r.old)})`);
    },
  );
  socketOption(ioCmd.command("list").description("the forced outputs and the outputs that can be forced").option("--json", "print the result as JSON")).action(
    async (opts: JsonOpts) => {
      const r = await call<{ mode: string; forced: Record<string, unknown>; outputs: string[] }>(opts, "io.list");
      if (opts.json) return sayJson(io, r);
      const forced = Object.entries(r.forced);
      const lines = [`mode ${r.mode}`, forced.length === 0 ? "nothing forced" : "forced:", ...table(forced.map(([t, v]) => [`  ${t}`, plain(v)]))];
      lines.push(`outputs: ${r.outputs.join(", ")}`);
      say(io, lines.join("\n"));
    },
  );
}
