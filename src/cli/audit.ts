// `reclaim audit list|verify`: the hash-chained audit trail from the database file, and its
// verification (a broken chain exits 13 and names the first row where it breaks). Works
// without the controller.
import type { Command } from "commander";
import type { AuditRow } from "../store/index.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { localTime, plain, table } from "./format.js";
import { say, sayJson, type CliIo } from "./io.js";
import { dbOption, type DbOpts } from "./options.js";
import { withReader } from "./offline.js";
import { duration, integer, time, type RangeOpts } from "./parse.js";

interface ListOpts extends DbOpts, RangeOpts {
  user?: string;
  limit: number;
  json?: boolean;
}

/** What a row says happened, in one cell: the command's result, or the config version. */
function outcome(r: AuditRow): string {
  const d = (r.data ?? {}) as Record<string, unknown>;
  if (typeof d.result === "string") return d.result === "rejected" && typeof d.reason === "string" ? `rejected: ${d.reason}` : d.result;
  if (typeof d.version === "number") return `version ${d.version}`;
  return "";
}

function changeText(r: AuditRow): string {
  const d = (r.data ?? {}) as Record<string, unknown>;
  if (d.result === "accepted" && (d.old !== null || d.new !== null) && d.old !== undefined) return `${plain(d.old)} → ${plain(d.new)}`;
  return "";
}

export function registerAudit(program: Command, io: CliIo): void {
  const audit = program.command("audit").description("the audit trail: who did what, when (from the database file)");
  dbOption(
    audit
      .command("list")
      .description("audit records, oldest first (the last --limit of the period)")
      .option("--from <time>", "start: ISO time, today, yesterday or -2h", time)
      .option("--to <time>", "end (default now)", time)
      .option("--last <duration>", "the period before --to", duration)
      .option("--user <name>", "only this user's records")
      .option("--limit <n>", "at most this many (the newest)", integer, 50)
      .option("--json", "print JSON"),
  ).action(async (opts: ListOpts) => {
    const to = opts.to ?? Number.MAX_SAFE_INTEGER;
    const from = opts.from ?? (opts.last !== undefined ? (opts.to ?? Date.now()) - opts.last : Number.MIN_SAFE_INTEGER);
    await withReader(opts, (reader) => {
      let rows: AuditRow[] = [];
      let afterId: number | undefined;
      // The chain is read in pages; only the newest --limit matching rows are kept.
      do {
        const page = reader.auditList({ from, to, limit: 1000, ...(afterId !== undefined ? { afterId } : {}) });
        rows.push(...page.rows.filter((r) => opts.user === undefined || r.user === opts.user));
        if (rows.length > opts.limit) rows = rows.slice(-opts.limit);
        afterId = page.next;
      } while (afterId !== undefined);
      if (opts.json) return sayJson(io, rows);
      if (rows.length === 0) return say(io, "no audit records in that period");
      const table_ = [["seq", "time", "user", "kind", "action", "change", "result"]];
      for (const r of rows) table_.push([String(r.seq), localTime(r.wallTs), r.user, r.kind, r.action, changeText(r), outcome(r)]);
      say(io, table(table_, [0]).join("\n"));
    });
  });
  dbOption(audit.command("verify").description("check the audit trail's hash chain from the first record to the last (exit 13 if broken)").option("--json", "print JSON")).action(
    async (opts: DbOpts & { json?: boolean }) => {
      await withReader(opts, (reader, path) => {
        const v = reader.verifyAudit();
        if (opts.json) sayJson(io, v);
        if (v.ok) {
          if (!opts.json) say(io, `audit trail intact: ${v.rows} records, hash chain verified (${path})`);
          return;
        }
        throw new ReclaimError(ERROR_CODES.AUDIT_BROKEN, `audit trail BROKEN at record ${v.firstBadId} (${v.reason}): ${v.detail}; ${v.rows} records checked in ${path}`);
      });
    },
  );
}
