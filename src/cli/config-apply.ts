// `reclaim config apply|confirm|rollback`: the changes that go to the running controller.
// apply validates the file here first (every problem at once, exit 3, nothing sent), sends
// its text, prints what changed and how, and when the change restarts the controller waits
// until it answers again with the new version.
import { readFileSync } from "node:fs";
import type { ApplyResult } from "../config/lifecycle.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { formatDiff } from "./config-format.js";
import { validateFile } from "./config-validate.js";
import { humanDuration, localTime } from "./format.js";
import { note, say, sayJson, type CliIo } from "./io.js";
import { resolveSocket, type SocketOpts } from "./options.js";
import { call } from "./remote.js";

export interface ApplyOpts extends SocketOpts {
  confirmWithin?: number;
  note?: string;
  wait: boolean;
  json?: boolean;
}

/** How long a controlled restart may take: stop, start, the first poll cycle of every device. */
const RESTART_WAIT_MS = 120_000;

interface Current {
  sha256: string | null;
  version: number | null;
  restarting: boolean;
}

/** Polls until the controller answers with the applied config (its socket may have moved). */
async function waitForRestart(socket: string, sha: string): Promise<Current> {
  const deadline = Date.now() + RESTART_WAIT_MS;
  const at = { socket };
  let last = "";
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const c = await call<Current>(at, "config.current", {}, 2000);
      if (c.sha256 === sha && !c.restarting) return c;
    } catch (err) {
      if (!(err instanceof ReclaimError && err.code === ERROR_CODES.CONTROLLER_NOT_RUNNING)) throw err;
      last = err.message;
    }
  }
  throw new ReclaimError(ERROR_CODES.CONTROLLER_NOT_RUNNING, `the controller did not come back within ${RESTART_WAIT_MS / 1000} s (${last}); see 'journalctl -u reclaim'`);
}

function report(io: CliIo, r: ApplyResult, what: string): void {
  const lines = formatDiff(r.diff);
  if (!r.changed) return say(io, "the running config already is this file: nothing to apply");
  lines.unshift(`${what}: config version ${r.version ?? "?"} (previous ${r.previous ?? "none"}), sha256 ${r.sha256.slice(0, 12)}`);
  for (const s of r.live) lines.push(s.refused ? `setpoint ${s.name} = ${s.value} REFUSED: ${s.refused}` : `setpoint ${s.name} = ${s.value} set live`);
  if (r.pending) {
    lines.push(
      `awaiting confirmation until ${localTime(r.pending.deadline)} (${humanDuration(r.pending.withinMs)}): run 'reclaim config confirm' to keep it, ` +
        `or it rolls back to version ${r.pending.rollbackTo} by itself`,
    );
  }
  say(io, lines.join("\n"));
}

async function finish(io: CliIo, opts: { wait: boolean; json?: boolean } & SocketOpts, r: ApplyResult, what: string): Promise<void> {
  if (!opts.json) report(io, r, what);
  if (r.changed && r.restart && opts.wait) {
    if (!opts.json) note(io, "controller restarting…");
    // The config may have moved the control socket: then the controller comes back there.
    const moved = r.diff.changes.some((c) => c.path === "control.socket");
    const c = await waitForRestart(moved ? r.socket : resolveSocket(opts), r.sha256);
    if (!opts.json) say(io, `controller running again with config version ${c.version ?? "?"}`);
  }
  if (opts.json) sayJson(io, r);
}

export async function applyConfig(io: CliIo, file: string, opts: ApplyOpts): Promise<void> {
  validateFile(file);
  const text = readFileSync(file, "utf8");
  const r = await call<ApplyResult>(opts, "config.apply", { text, source: file, confirmWithinMs: opts.confirmWithin, note: opts.note }, 30_000);
  await finish(io, opts, r, "applied");
}

export async function rollbackConfig(io: CliIo, opts: SocketOpts & { to?: number; wait: boolean; json?: boolean }): Promise<void> {
  const r = await call<ApplyResult>(opts, "config.rollback", opts.to !== undefined ? { to: opts.to } : {}, 30_000);
  await finish(io, opts, r, "rolled back");
}

export async function confirmConfig(io: CliIo, opts: SocketOpts & { json?: boolean }): Promise<void> {
  const r = await call<{ version: number; rollbackTo: number }>(opts, "config.confirm");
  if (opts.json) sayJson(io, { ok: true, ...r });
  else say(io, `config version ${r.version} confirmed: it stays (no rollback to version ${r.rollbackTo})`);
}
