// `reclaim config validate|diff|apply|confirm|rollback|history|migrate`: the config
// lifecycle. validate, history and migrate work on files alone; diff compares with the
// running controller (or another file); apply, confirm and rollback change the running one.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { diffConfigs, type ConfigDiff } from "../config/lifecycle-diff.js";
import { PENDING_KEY, type PendingConfirm } from "../config/lifecycle-confirm.js";
import { sha256 } from "../config/lifecycle.js";
import { migrateFile } from "../config/migrate.js";
import { FileProblemsError } from "../system/errors.js";
import { parse as parseYamlValue } from "yaml";
import { applyConfig, confirmConfig, rollbackConfig, type ApplyOpts } from "./config-apply.js";
import { formatDiff, formatVersions } from "./config-format.js";
import { validateFile } from "./config-validate.js";
import { say, sayJson, type CliIo } from "./io.js";
import { configOption, dbOption, resolveConfigFile, socketOption, type DbOpts, type SocketOpts } from "./options.js";
import { withReader } from "./offline.js";
import { duration, integer } from "./parse.js";
import { call } from "./remote.js";

type JsonOpts = SocketOpts & { json?: boolean };

function validate(io: CliIo, file: string, json: boolean | undefined): void {
  try {
    const { config: c } = validateFile(file);
    const summary = `${c.lines.length} lines, ${c.devices.length} devices, ${c.tags.length} tags, ${c.quality.ccps.length} CCPs, ${c.setpoints.length} setpoints`;
    if (json) sayJson(io, { ok: true, file, skid: c.skid.id, version: c.version });
    else say(io, `${file}: valid (version ${c.version}, skid ${c.skid.id}: ${summary}; every CCP diverts in time, every line within its poll budget)`);
  } catch (err) {
    if (json && err instanceof FileProblemsError) sayJson(io, { ok: false, file, problems: err.problems });
    throw err;
  }
}

function yamlOf(text: string): unknown {
  try {
    return parseYamlValue(text) as unknown;
  } catch {
    return undefined;
  }
}

async function diff(io: CliIo, file: string, opts: JsonOpts & { against?: string }): Promise<void> {
  const candidate = validateFile(file);
  let d: ConfigDiff;
  let what: string;
  if (opts.against) {
    const base = validateFile(opts.against);
    d = diffConfigs(base.config, candidate.config, { before: yamlOf(base.text), after: yamlOf(candidate.text) });
    what = `${opts.against} → ${file}`;
  } else {
    d = await call<ConfigDiff>(opts, "config.diff", { text: candidate.text, source: file });
    what = `running config → ${file}`;
  }
  if (opts.json) return sayJson(io, d);
  say(io, [what, ...formatDiff(d)].join("\n"));
}

export function registerConfig(program: Command, io: CliIo): void {
  const config = program.command("config").description("the config lifecycle: validate, diff, apply (with confirmation), rollback, history, migrate");

  configOption(
    config
      .command("validate")
      .description("check a config file: schema and semantic checks, every problem as file:line:column with its key path (exit 3)")
      .argument("[file]", "config file (default: --config)")
      .option("--json", "print JSON"),
  ).action((file: string | undefined, opts: { config?: string; json?: boolean }) => validate(io, file ?? resolveConfigFile(opts), opts.json));

  socketOption(
    config
      .command("diff")
      .description("what applying a file would change, and which changes go live and which restart the controller")
      .argument("<file>", "the candidate config file")
      .option("--against <file>", "compare with this file instead of the running controller (works offline)")
      .option("--json", "print JSON"),
  ).action((file: string, opts: JsonOpts & { against?: string }) => diff(io, file, opts));

  socketOption(
    config
      .command("apply")
      .description("apply a config file to the running controller: atomically, the previous version kept; setpoint values live, anything else by a controlled restart")
      .argument("<file>", "the new config file")
      .option("--confirm-within <duration>", "roll back by itself unless 'reclaim config confirm' comes within this time, e.g. 10m", duration)
      .option("--note <text>", "why (kept with the version)")
      .option("--no-wait", "do not wait for the controller to come back after a restart")
      .option("--json", "print JSON"),
  )
    .addHelpText(
      "after",
      "\nExample (commit confirmed):\n  reclaim config apply new.yaml --confirm-within 10m --note 'CCP-1 alert 0.15 NTU'\n  reclaim status            # check the skid\n  reclaim config confirm    # keep it; without this it rolls back after 10 min",
    )
    .action((file: string, opts: ApplyOpts) => applyConfig(io, file, opts));

  socketOption(config.command("confirm").description("keep the config applied with --confirm-within (cancels its automatic rollback)").option("--json", "print JSON")).action(
    (opts: JsonOpts) => confirmConfig(io, opts),
  );

  socketOption(
    config
      .command("rollback")
      .description("go back to a kept config version (default: the one before the running config)")
      .option("--to <version>", "version id, as 'reclaim config history' lists them", integer)
      .option("--no-wait", "do not wait for the controller to come back after a restart")
      .option("--json", "print JSON"),
  ).action((opts: JsonOpts & { to?: number; wait: boolean }) => rollbackConfig(io, opts));

  dbOption(config.command("history").description("the kept config versions: who applied each and when, and its checksum (from the database file)").option("--json", "print JSON")).action(
    async (opts: DbOpts & { json?: boolean }) => {
      let sha: string | null = null;
      try {
        sha = sha256(readFileSync(resolveConfigFile(opts), "utf8"));
      } catch {
        // Without the config file the versions are still listed, just not which one is in it.
      }
      await withReader(opts, (reader) => {
        const versions = reader.listConfigVersions();
        const pending = reader.loadState<PendingConfirm | null>(PENDING_KEY) ?? null;
        if (opts.json) return sayJson(io, { versions, fileSha256: sha, pending });
        say(io, formatVersions(versions, sha, pending).join("\n"));
      });
    },
  );

  config
    .command("migrate")
    .description("bring a config file of an older version up to this reclaim's, one step at a time, keeping a backup of each step and listing what changed")
    .argument("<file>", "config file")
    .option("--dry-run", "only say what would change")
    .action((file: string, opts: { dryRun?: boolean }) => {
      const r = migrateFile(file, { dryRun: opts.dryRun ?? false });
      if (r.steps.length === 0) return say(io, `${file} is version ${r.to}: nothing to migrate`);
      const lines: string[] = [];
      for (const s of r.steps) {
        lines.push(`version ${s.from} → ${s.to}: ${s.summary}${s.backup ? ` (the file before it: ${s.backup})` : ""}`);
        lines.push(...s.notes.map((n) => `  - ${n}`));
      }
      if (opts.dryRun) lines.push("dry run: nothing written");
      else lines.push(`notes kept in ${file}.migration.txt; check the result with 'reclaim config validate ${file}'`);
      say(io, lines.join("\n"));
    });
}
