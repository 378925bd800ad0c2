// Options shared by the commands: where the running controller's socket is, which config
// file, and which database file the offline commands read.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { parseDocument } from "yaml";
import { configSchema, type Config } from "../config/schema.js";
import { parseConfigSchema } from "../config/load.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";

export const DEFAULT_CONFIG = process.env.RECLAIM_CONFIG ?? "/etc/reclaim/reclaim.yaml";
/** The reference skid, which `reclaim demo` runs: the config on a laptop without an installed one. */
export const REFERENCE_CONFIG = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));

/** Without an installed config, the commands address the demo (`reclaim demo`, data/ here). */
function isDemo(opts: { config?: string }): boolean {
  return (opts.config === undefined || opts.config === DEFAULT_CONFIG) && !existsSync(DEFAULT_CONFIG);
}

export function configOption(cmd: Command): Command {
  return cmd.option("--config <file>", "config file of the skid", DEFAULT_CONFIG);
}

export function socketOption(cmd: Command): Command {
  return configOption(cmd.option("--socket <path>", "control socket of the running controller (default: from the config)"));
}

export function dbOption(cmd: Command): Command {
  return configOption(cmd.option("--db <file>", "database file to read (default: the config's store.path); works without the controller"));
}

export interface SocketOpts {
  socket?: string;
  config?: string;
}

export interface DbOpts {
  db?: string;
  config?: string;
}

/**
 * One path from the config file, read without validating the rest: a file with a problem
 * (edited, not yet applied; or checked more strictly after an upgrade) must not keep
 * `reclaim status` from the controller that runs. Absent, it is the schema's default.
 */
function pathSetting(file: string, key: readonly [string, string], fallback: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ReclaimError(ERROR_CODES.CONFIG_UNREADABLE, `cannot read config ${file}: ${(err as Error).message}; name it with --config, or the socket with --socket`, { cause: err });
  }
  const v = parseDocument(text).getIn(key);
  return typeof v === "string" && v !== "" ? v : fallback;
}

/** The control socket: --socket, else $RECLAIM_SOCKET, else the config's, else the demo's. */
export function resolveSocket(opts: SocketOpts): string {
  if (opts.socket) return opts.socket;
  if (process.env.RECLAIM_SOCKET) return process.env.RECLAIM_SOCKET;
  if (isDemo(opts)) return "data/reclaim.sock";
  return pathSetting(opts.config ?? DEFAULT_CONFIG, ["control", "socket"], configSchema.shape.control.parse(undefined).socket);
}

/** The config file: --config, or the reference skid when nothing is installed (the demo). */
export function resolveConfigFile(opts: { config?: string }): string {
  return isDemo(opts) ? REFERENCE_CONFIG : (opts.config ?? DEFAULT_CONFIG);
}

/**
 * The config for the commands that only read with it (report, history, devices plan): the
 * schema's types and defaults, without the semantic checks, so that a file checked more
 * strictly by a newer reclaim still yields its units, limits and poll plan.
 */
export function loadConfigOf(opts: { config?: string }): Config {
  const file = resolveConfigFile(opts);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ReclaimError(ERROR_CODES.CONFIG_UNREADABLE, `cannot read config ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfigSchema(text, file).config;
}

/** The database: --db, else $RECLAIM_DB, else the config's store.path (the demo's data/reclaim.sqlite). */
export function resolveDb(opts: DbOpts): string {
  if (opts.db) return opts.db;
  if (process.env.RECLAIM_DB) return process.env.RECLAIM_DB;
  if (isDemo(opts)) return "data/reclaim.sqlite";
  return pathSetting(opts.config ?? DEFAULT_CONFIG, ["store", "path"], configSchema.shape.store.parse(undefined).path);
}
