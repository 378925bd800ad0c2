// `reclaim devices list|plan|scan`: the Modbus devices and their health, the poll plan with
// each line's time budget, and the commissioning scan of a line's unit ids. `plan` works
// without the controller too (estimated from the config file instead of measured).
import type { Command } from "commander";
import type { Probe } from "../control/handlers-devices.js";
import { formatPlan, lineBudgets, planPoll } from "../field/modbus/planner.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { table } from "./format.js";
import { note, say, sayJson, type CliIo } from "./io.js";
import { loadConfigOf, resolveConfigFile, socketOption, type SocketOpts } from "./options.js";
import { duration, unitRange } from "./parse.js";
import { call } from "./remote.js";

type JsonOpts = SocketOpts & { json?: boolean };

interface DeviceView {
  name: string;
  description: string;
  line: string;
  unit: number;
  status: string;
  responseMs: number | null;
  requests: number;
  errors: number;
  lastError: string | null;
}

function offlinePlan(io: CliIo, opts: JsonOpts & { offline?: boolean }): void {
  const config = loadConfigOf(opts);
  const plan = planPoll(config);
  const budgets = lineBudgets(plan, config);
  if (opts.json) return sayJson(io, { running: false, budgets, problems: plan.problems });
  say(io, `poll plan of ${resolveConfigFile(opts)} (line times estimated; the controller is not asked)\n${formatPlan(plan, budgets)}`);
}

export function registerDevices(program: Command, io: CliIo): void {
  const devices = program.command("devices").description("Modbus devices: health, poll plan, commissioning scan");
  socketOption(devices.command("list").description("every configured device with its line, unit id and health").option("--json", "print JSON")).action(
    async (opts: JsonOpts) => {
      const list = await call<DeviceView[]>(opts, "devices.list");
      if (opts.json) return sayJson(io, list);
      const rows = [["device", "line", "unit", "status", "response", "requests", "errors", "last error"]];
      for (const d of list) {
        rows.push([d.name, d.line, String(d.unit), d.status, d.responseMs === null ? "—" : `${d.responseMs} ms`, String(d.requests), String(d.errors), d.status === "online" ? "" : (d.lastError ?? "")]);
      }
      say(io, table(rows, [2, 4, 5, 6]).join("\n"));
    },
  );
  socketOption(
    devices
      .command("plan")
      .description("the poll plan: requests per line and poll group, and whether each line fits its time budget")
      .option("--offline", "estimate from the config file, without asking the controller")
      .option("--json", "print JSON"),
  ).action(async (opts: JsonOpts & { offline?: boolean }) => {
    if (opts.offline) return offlinePlan(io, opts);
    try {
      const r = await call<{ text: string; budgets: unknown; problems: unknown; responses: Array<{ device: string; responseMs: number | null }> }>(opts, "devices.plan");
      if (opts.json) return sayJson(io, { running: true, budgets: r.budgets, problems: r.problems, responses: r.responses });
      const measured = r.responses.map((x) => `${x.device} ${x.responseMs === null ? "—" : `${x.responseMs} ms`}`).join(", ");
      say(io, `poll plan of the running controller (line times estimated from the config)\n${r.text}\nmeasured response, queueing on the line included: ${measured}`);
    } catch (err) {
      // Planning a line before the controller runs is part of commissioning: estimate instead.
      if (!(err instanceof ReclaimError && err.code === ERROR_CODES.CONTROLLER_NOT_RUNNING)) throw err;
      note(io, `note: ${err.message.split(";")[0]}; estimating from the config file`);
      offlinePlan(io, opts);
    }
  });
  socketOption(
    devices
      .command("scan")
      .description("probe a line's unit ids with short timeouts and list which answer (commissioning; Maintenance mode only)")
      .argument("<line>", "line name from the config, e.g. rs485-1")
      .option("--units <range>", "unit ids to probe, e.g. 1-16", unitRange, { from: 1, to: 247 })
      .option("--timeout <duration>", "how long to wait for each unit", duration, 100)
      .option("--json", "print JSON"),
  )
    .addHelpText("after", "\nExample:\n  reclaim mode maintenance && reclaim devices scan rs485-1 --units 1-16 --timeout 150ms")
    .action(async (line: string, opts: JsonOpts & { units: { from: number; to: number }; timeout: number }) => {
      const n = Math.max(0, opts.units.to - opts.units.from + 1);
      if (!opts.json) note(io, `probing ${line} units ${opts.units.from}..${opts.units.to}, up to ${opts.timeout} ms each…`);
      // The call lasts as long as the probes: a dead unit id costs its whole timeout.
      const r = await call<{ line: string; probes: Probe[]; stopped: string | null }>(
        opts,
        "devices.scan",
        { line, from: opts.units.from, to: opts.units.to, timeoutMs: opts.timeout },
        5000 + n * (opts.timeout + 100),
      );
      if (opts.json) return sayJson(io, r);
      const shown = r.probes.filter((p) => p.answered || p.device !== null);
      const rows = [["unit", "answer", "configured as"]];
      for (const p of shown) rows.push([String(p.unit), p.answered ? `yes (${p.detail}, ${Math.round(p.ms)} ms)` : `NO: ${p.detail}`, p.device ?? "(not in the config)"]);
      const lines = shown.length > 0 ? table(rows, [0]) : [];
      const found = r.probes.filter((p) => p.answered).map((p) => p.unit);
      lines.push(`${found.length} of ${r.probes.length} unit ids answered${found.length ? `: ${found.join(", ")}` : ""}`);
      if (r.stopped) lines.push(`stopped early: ${r.stopped}`);
      say(io, lines.join("\n"));
    });
}
