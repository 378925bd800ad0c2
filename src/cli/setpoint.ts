// `reclaim setpoint get|set`: setpoints with their engineering limits; a change is checked
// against them by the controller's command intake (outside: exit 11, nothing changed), shows
// the old and the new value, and goes into the audit trail under the OS user's name.
import type { Command } from "commander";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { table, valueText } from "./format.js";
import { say, sayJson, type CliIo } from "./io.js";
import { socketOption, type SocketOpts } from "./options.js";
import { number } from "./parse.js";
import { call } from "./remote.js";

interface Setpoint {
  name: string;
  description: string;
  unit: string;
  value: number;
  configValue: number;
  min: number;
  max: number;
}

type JsonOpts = SocketOpts & { json?: boolean };

export function registerSetpoint(program: Command, io: CliIo): void {
  const sp = program.command("setpoint").description("read and change setpoints (within their engineering limits)");
  socketOption(
    sp
      .command("get")
      .description("show setpoints: value, the config's value and the engineering limits")
      .argument("[name]", "one setpoint (default: all)")
      .option("--json", "print JSON"),
  ).action(async (name: string | undefined, opts: JsonOpts) => {
    const all = await call<Setpoint[]>(opts, "setpoint.get");
    const list = name === undefined ? all : all.filter((s) => s.name === name);
    if (name !== undefined && list.length === 0) {
      throw new ReclaimError(ERROR_CODES.UNKNOWN_NAME, `unknown setpoint "${name}"; the setpoints are ${all.map((s) => s.name).join(", ")}`);
    }
    if (opts.json) return sayJson(io, name === undefined ? list : list[0]);
    const rows = [["setpoint", "value", "config", "limits", "description"]];
    for (const s of list) rows.push([s.name, valueText(s.value, s.unit), valueText(s.configValue, s.unit), `${s.min}..${s.max} ${s.unit}`.trim(), s.description]);
    say(io, table(rows).join("\n"));
  });
  socketOption(
    sp
      .command("set")
      .description("change a setpoint; refused outside its engineering limits (exit 11)")
      .argument("<name>", "setpoint, e.g. SP-P101")
      .argument("<value>", "new value, in the setpoint's unit", number)
      .option("--json", "print the result as JSON"),
  )
    .addHelpText("after", "\nExample:\n  reclaim setpoint set SP-P101 70")
    .action(async (name: string, value: number, opts: JsonOpts) => {
      const r = await call<{ name: string; unit: string; old: unknown; new: unknown; message: string }>(opts, "setpoint.set", { name, value });
      if (opts.json) return sayJson(io, { ok: true, ...r });
      say(io, `${name}: ${valueText(r.old, r.unit)} → ${valueText(r.new, r.unit)}`);
    });
}
