// Config file migrations (STYLE.md 4, after zigbee2mqtt's settings migration): a file with an
// older `version:` is brought forward one step at a time, each step keeping a backup of the
// file as it was and saying in plain words what it changed. Nothing here runs on its own:
// `reclaim config migrate FILE` does it when the operator asks, so the operator's YAML is
// never rewritten behind their back. Steps edit the YAML document, so comments survive.
import { existsSync, readFileSync } from "node:fs";
import { parseDocument, type Document } from "yaml";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { writeFileAtomic } from "./lifecycle-write.js";
import { CONFIG_VERSION } from "./schema.js";

export interface MigrationStep {
  from: number;
  to: number;
  /** One line on what the step is for. */
  summary: string;
  /** Edits the document in place; returns what it changed, one plain sentence each. */
  apply(doc: Document): string[];
}

/**
 * The registry. Version 1 is the first; when the schema changes, bump CONFIG_VERSION and add
 * the step from the previous version here (and a test with a file of that version).
 */
export const MIGRATIONS: readonly MigrationStep[] = [];

export interface StepResult {
  from: number;
  to: number;
  summary: string;
  notes: string[];
  /** The file as it was before this step (migrateFile only). */
  backup?: string;
}

export interface MigrationResult {
  from: number;
  to: number;
  text: string;
  steps: StepResult[];
}

/** The `version:` a config text declares, or undefined when it has none (or is not YAML). */
export function versionOf(text: string): number | undefined {
  try {
    const v = parseDocument(text).get("version");
    return typeof v === "number" && Number.isInteger(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function failure(message: string): ReclaimError {
  return new ReclaimError(ERROR_CODES.CONFIG_INVALID, message);
}

/** Runs the steps from the text's version up to `target`; each step sees the previous one's output. */
export function migrateText(text: string, opts: { steps?: readonly MigrationStep[]; target?: number; file?: string } = {}): MigrationResult {
  const steps = opts.steps ?? MIGRATIONS;
  const target = opts.target ?? CONFIG_VERSION;
  const name = opts.file ?? "the config";
  const from = versionOf(text);
  if (from === undefined) throw failure(`${name} has no "version:"; add the version it was written for (this reclaim reads version ${target})`);
  if (from > target) throw failure(`${name} is version ${from}, newer than this reclaim understands (${target}); upgrade reclaim`);
  const results: StepResult[] = [];
  let current = text;
  for (let v = from; v < target; ) {
    const step = steps.find((s) => s.from === v);
    if (!step || step.to <= v) throw failure(`no migration from version ${v} toward ${target}: ${name} must be converted by hand`);
    const doc = parseDocument(current);
    if (doc.errors.length > 0) throw failure(`${name} (version ${v}) is not valid YAML: ${doc.errors[0]?.message ?? ""}`);
    const notes = step.apply(doc);
    doc.set("version", step.to);
    current = doc.toString();
    results.push({ from: v, to: step.to, summary: step.summary, notes });
    v = step.to;
  }
  return { from, to: target, text: current, steps: results };
}

/** "<file>.v0.bak", or "<file>.v0.1.bak", … if that exists already (a backup is never overwritten). */
function backupName(file: string, version: number): string {
  let name = `${file}.v${version}.bak`;
  for (let i = 1; existsSync(name); i++) name = `${file}.v${version}.${i}.bak`;
  return name;
}

/**
 * Migrates a file in place, one step at a time: before each step the file as it is is
 * copied to a backup, then the step's result replaces it atomically. With dryRun nothing is
 * written. The notes of every step are also written beside the file (<file>.migration.txt).
 */
export function migrateFile(file: string, opts: { steps?: readonly MigrationStep[]; target?: number; dryRun?: boolean; now?: Date } = {}): MigrationResult {
  const original = readFileSync(file, "utf8");
  const planned = migrateText(original, { ...opts, file });
  if (opts.dryRun || planned.steps.length === 0) return planned;
  let text = original;
  const steps: StepResult[] = [];
  for (const step of planned.steps) {
    const one = migrateText(text, { ...opts, file, target: step.to });
    const backup = backupName(file, step.from);
    writeFileAtomic(backup, text);
    writeFileAtomic(file, one.text);
    text = one.text;
    steps.push({ ...step, backup });
  }
  const when = (opts.now ?? new Date()).toISOString();
  const notes = steps.flatMap((s) => [`${when}: version ${s.from} → ${s.to} (${s.summary}); the file before it is ${s.backup}`, ...s.notes.map((n) => `  - ${n}`)]);
  const log = `${file}.migration.txt`;
  writeFileAtomic(log, `${existsSync(log) ? readFileSync(log, "utf8") : ""}${notes.join("\n")}\n`);
  return { ...planned, text, steps };
}
