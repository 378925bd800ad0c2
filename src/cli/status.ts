// `reclaim status`: the running controller's snapshot, as JSON or as a summary; with --watch
// it refreshes in place and draws trend lines of the CCP values, and keeps going while the
// controller restarts (a config apply) so the technician sees it come back.
import type { Command } from "commander";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { localTime } from "./format.js";
import { say, sayJson, type CliIo } from "./io.js";
import { socketOption, type SocketOpts } from "./options.js";
import { duration, integer } from "./parse.js";
import { call } from "./remote.js";
import { TrendWindow } from "./sparkline.js";
import { formatStatus, type ControllerStatus } from "./status-format.js";

interface StatusOpts extends SocketOpts {
  json?: boolean;
  watch?: boolean;
  interval: number;
  count?: number;
  points: number;
}

/** Clears the terminal and puts the cursor top left, so each frame replaces the last. */
const HOME_AND_CLEAR = "\x1b[H\x1b[2J";

async function watch(io: CliIo, opts: StatusOpts): Promise<void> {
  const trends = new TrendWindow(opts.points);
  let stop = false;
  let wake: () => void = () => undefined;
  const onSignal = (): void => {
    stop = true;
    wake();
  };
  process.once("SIGINT", onSignal);
  try {
    for (let frame = 0; !stop && (opts.count === undefined || frame < opts.count); frame++) {
      let text: string;
      try {
        const s = await call<ControllerStatus>(opts, "status");
        for (const [name, c] of Object.entries(s.ccps)) trends.push(name, c.value);
        text = opts.json ? `${JSON.stringify(s)}\n` : formatStatus(s, trends);
      } catch (err) {
        // Keep watching through a restart; anything else (permission) will not cure itself.
        if (!(err instanceof ReclaimError && err.code === ERROR_CODES.CONTROLLER_NOT_RUNNING)) throw err;
        text = `${err.message}\nretrying every ${opts.interval / 1000} s; Ctrl-C stops\n`;
      }
      const stamp = `${localTime(Date.now()).slice(11)}  (every ${opts.interval / 1000} s, Ctrl-C stops)\n`;
      io.stdout.write(opts.json ? text : io.stdout.isTTY ? HOME_AND_CLEAR + stamp + text : `${stamp}${text}\n`);
      if (opts.count !== undefined && frame + 1 >= opts.count) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.interval);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    process.off("SIGINT", onSignal);
  }
}

export function registerStatus(program: Command, io: CliIo): void {
  socketOption(
    program
      .command("status")
      .description("show the running controller's state, quality and operating mode, forced outputs, CCPs, alarms and devices")
      .option("--json", "print one JSON object (with --watch: one per refresh)")
      .option("--watch", "refresh in place and draw trend lines of the CCP values")
      .option("--interval <duration>", "time between refreshes with --watch", duration, 1000)
      .option("--points <n>", "samples in each trend line", integer, 40)
      .option("--count <n>", "stop after n refreshes (default: until Ctrl-C)", integer),
  )
    .addHelpText("after", "\nExamples:\n  reclaim status\n  reclaim status --watch --interval 2s\n  reclaim status --json | jq .qualityMode")
    .action(async (opts: StatusOpts) => {
      if (opts.watch) return watch(io, opts);
      const s = await call<ControllerStatus>(opts, "status");
      if (opts.json) sayJson(io, s);
      else say(io, formatStatus(s));
    });
}
