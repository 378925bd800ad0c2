// `reclaim report`: a period's compliance report from the database file and the config, as
// text, JSON, or a self-contained HTML page with charts. Works without the controller.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { computeReport } from "../report/compute.js";
import { formatReportHtml } from "../report/html.js";
import { formatReportText } from "../report/text.js";
import { note, say, sayJson, type CliIo } from "./io.js";
import { dbOption, loadConfigOf, type DbOpts } from "./options.js";
import { withReader } from "./offline.js";
import { duration, period, time, type RangeOpts } from "./parse.js";

interface ReportOpts extends DbOpts, RangeOpts {
  html?: string;
  json?: boolean;
}

export function registerReport(program: Command, io: CliIo): void {
  dbOption(
    program
      .command("report")
      .description("a period's compliance report: volumes (reuse, diverted, feed), recovery, energy per m³, time in spec per CCP, every divert and every forced output")
      .option("--from <time>", "start: ISO time, today, yesterday or -24h", time)
      .option("--to <time>", "end (default now)", time)
      .option("--last <duration>", "the period before --to (default 24h)", duration)
      .option("--html <file>", "also write a self-contained HTML page with charts")
      .option("--json", "print JSON instead of text"),
  )
    .addHelpText("after", "\nExamples:\n  reclaim report --from yesterday --to today --html report.html\n  reclaim report --last 8h")
    .action(async (opts: ReportOpts) => {
      const { from, to } = period(opts, 86_400_000);
      const config = loadConfigOf(opts);
      await withReader(opts, (reader) => {
        const r = computeReport(reader, config, from, to);
        if (opts.html) {
          writeFileSync(opts.html, formatReportHtml(r));
          note(io, `wrote ${opts.html}`);
        }
        if (opts.json) sayJson(io, r);
        else say(io, formatReportText(r));
      });
    });
}
