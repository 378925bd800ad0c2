// `reclaim alarms list|ack|shelve|unshelve` (ISA-18.2): what is not normal, acknowledging,
// and shelving for a bounded time or one-shot. The controller's alarm model decides what is
// allowed (a non-shelvable alarm, a shelve beyond the maximum) and records who did it.
import type { Command } from "commander";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { humanDuration, localTime, table, valueText } from "./format.js";
import { say, sayJson, type CliIo } from "./io.js";
import { socketOption, type SocketOpts } from "./options.js";
import { duration } from "./parse.js";
import { call } from "./remote.js";
import type { AlarmView } from "./status-format.js";

type JsonOpts = SocketOpts & { json?: boolean; comment?: string };

function list(io: CliIo, alarms: AlarmView[]): void {
  if (alarms.length === 0) return say(io, "no alarms");
  const rows = [["priority", "alarm", "state", "since", "value", "message"]];
  for (const a of alarms) {
    const shelved = a.shelved ? ` (shelved by ${a.shelved.by}${a.shelved.until ? ` until ${localTime(a.shelved.until)}` : ", one-shot"})` : "";
    rows.push([a.priority, `${a.name}${a.firstOut ? " *" : ""}`, a.state + shelved, localTime(a.since), valueText(a.value), a.message]);
  }
  const lines = table(rows);
  if (alarms.some((a) => a.firstOut)) lines.push("* first-out of its group");
  say(io, lines.join("\n"));
}

export function registerAlarms(program: Command, io: CliIo): void {
  const alarms = program.command("alarms").description("alarms (ISA-18.2): list, acknowledge, shelve, unshelve");
  socketOption(
    alarms
      .command("list")
      .description("alarms that are not normal (active, unacknowledged or shelved)")
      .option("--all", "every configured alarm, normal ones too")
      .option("--json", "print JSON"),
  ).action(async (opts: JsonOpts & { all?: boolean }) => {
    const r = await call<AlarmView[]>(opts, "alarms.list", { all: opts.all ?? false });
    if (opts.json) sayJson(io, r);
    else list(io, r);
  });
  socketOption(
    alarms
      .command("ack")
      .description("acknowledge an alarm")
      .argument("<alarm>", "alarm name, as 'alarms list' shows it")
      .option("--comment <text>", "a note for the alarm journal")
      .option("--json", "print the result as JSON"),
  ).action(async (alarm: string, opts: JsonOpts) => {
    const r = await call<{ message: string }>(opts, "alarms.ack", { alarm, comment: opts.comment });
    if (opts.json) sayJson(io, { ok: true, ...r });
    else say(io, `acknowledged ${alarm}`);
  });
  socketOption(
    alarms
      .command("shelve")
      .description("shelve an alarm for a time (at most its maximum, 8 h by default) or until it returns to normal (--one-shot)")
      .argument("<alarm>", "alarm name")
      .option("--for <duration>", "how long, e.g. 30m or 2h", duration)
      .option("--one-shot", "until the alarm returns to normal")
      .option("--comment <text>", "why (goes into the alarm journal)")
      .option("--json", "print the result as JSON"),
  )
    .addHelpText("after", "\nExample:\n  reclaim alarms shelve EQ-LOW --for 2h --comment 'LIT-101 being replaced'")
    .action(async (alarm: string, opts: JsonOpts & { for?: number; oneShot?: boolean }) => {
      if (opts.for === undefined && !opts.oneShot) throw new ReclaimError(ERROR_CODES.BAD_ARGUMENT, "say how long: --for <duration> or --one-shot");
      const r = await call<{ message: string }>(opts, "alarms.shelve", {
        alarm,
        ...(opts.for !== undefined ? { duration: opts.for } : { oneShot: true }),
        comment: opts.comment,
      });
      if (opts.json) return sayJson(io, { ok: true, ...r });
      say(io, `shelved ${alarm} ${opts.for !== undefined ? `for ${humanDuration(opts.for)}` : "until it returns to normal"}`);
    });
  socketOption(
    alarms
      .command("unshelve")
      .description("end an alarm's shelve")
      .argument("<alarm>", "alarm name")
      .option("--comment <text>", "a note for the alarm journal")
      .option("--json", "print the result as JSON"),
  ).action(async (alarm: string, opts: JsonOpts) => {
    const r = await call<{ message: string }>(opts, "alarms.unshelve", { alarm, comment: opts.comment });
    if (opts.json) sayJson(io, { ok: true, ...r });
    else say(io, `unshelved ${alarm}`);
  });
}
