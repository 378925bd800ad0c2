// `reclaim history export`: tag history from the database file as CSV (one row per sample:
// time, tag, value, unit, quality), for a time range and a list of tags. Reads the file
// directly, so it works whether or not the controller runs.
import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import type { HistoryCursor, HistorySample, StoreReader } from "../store/index.js";
import { note, type CliIo } from "./io.js";
import { dbOption, loadConfigOf, type DbOpts } from "./options.js";
import { withReader } from "./offline.js";
import { duration, names, period, time, type RangeOpts } from "./parse.js";

interface ExportOpts extends DbOpts, RangeOpts {
  tags: string[];
  out?: string;
}

const PAGE = 5000;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvRow(s: HistorySample, unit: string): string {
  const q = s.quality.code === "good" ? "good" : `${s.quality.code}${s.quality.reason ? ` (${s.quality.reason})` : ""}`;
  const value = s.value === null ? "" : String(s.value);
  return [new Date(s.ts).toISOString(), s.tag, value, unit, q].map(csvField).join(",");
}

function unitsOf(opts: DbOpts): Map<string, string> {
  try {
    return new Map(loadConfigOf(opts).tags.map((t) => [t.name, t.unit]));
  } catch {
    // Units are a courtesy: the database alone is enough for the export.
    return new Map();
  }
}

async function write(out: NodeJS.WritableStream, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
}

async function exportCsv(reader: StoreReader, out: NodeJS.WritableStream, tags: string[], units: Map<string, string>, from: number, to: number): Promise<number> {
  await write(out, "time,tag,value,unit,quality");
  let rows = 0;
  for (const tag of tags) {
    let after: HistoryCursor | undefined;
    do {
      const page = reader.historyRaw(tag, from, to, { limit: PAGE, ...(after ? { after } : {}) });
      for (const s of page.rows) await write(out, csvRow(s, units.get(tag) ?? ""));
      rows += page.rows.length;
      after = page.next;
    } while (after);
  }
  return rows;
}

export function registerHistory(program: Command, io: CliIo): void {
  const history = program.command("history").description("tag history from the database file");
  dbOption(
    history
      .command("export")
      .description("write tag history as CSV (time, tag, value, unit, quality); works without the controller")
      .requiredOption("--tags <names>", "comma-separated tag names, e.g. AIT-403,FIT-501", names)
      .option("--from <time>", "start: ISO time, today, yesterday or -2h", time)
      .option("--to <time>", "end (default now)", time)
      .option("--last <duration>", "the period before --to (default 24h)", duration)
      .option("--out <file>", "write to this file instead of stdout"),
  )
    .addHelpText("after", "\nExamples:\n  reclaim history export --tags AIT-403,FIT-501 --last 2h > turbidity.csv\n  reclaim history export --tags AIT-403 --from 2025-11-27 --to 2025-11-28 --out day.csv")
    .action(async (opts: ExportOpts) => {
      const { from, to } = period(opts, 86_400_000);
      await withReader(opts, async (reader) => {
        const known = new Set(reader.tags());
        const units = unitsOf(opts);
        const unknown = opts.tags.filter((t) => !known.has(t) && !units.has(t));
        if (unknown.length > 0) {
          throw new ReclaimError(ERROR_CODES.UNKNOWN_NAME, `unknown tag${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; tags with history: ${[...known].join(", ") || "none yet"}`);
        }
        const out = opts.out ? createWriteStream(opts.out) : io.stdout;
        const rows = await exportCsv(reader, out, opts.tags, units, from, to);
        if (opts.out) {
          await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())));
          note(io, `wrote ${rows} samples to ${opts.out}`);
        }
      });
    });
}
