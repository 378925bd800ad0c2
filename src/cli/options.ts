// Options shared by the commands that talk to the running controller.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";

export const DEFAULT_CONFIG = process.env.RECLAIM_CONFIG ?? "/etc/reclaim/reclaim.yaml";

export function socketOption(cmd: Command): Command {
  return cmd
    .option("--socket <path>", "control socket of the running controller (default: from the config)")
    .option("--config <file>", "config file to take the socket path from", DEFAULT_CONFIG);
}

/** The control socket: --socket, else $RECLAIM_SOCKET, else the config's, else the demo's. */
export function resolveSocket(opts: { socket?: string; config?: string }): string {
  if (opts.socket) return opts.socket;
  if (process.env.RECLAIM_SOCKET) return process.env.RECLAIM_SOCKET;
  // Without an installed config (a laptop running the demo) the demo's socket is the one.
  if (opts.config === DEFAULT_CONFIG && !existsSync(DEFAULT_CONFIG)) return "data/reclaim.sock";
  return loadConfig(opts.config ?? DEFAULT_CONFIG).config.control.socket;
}
