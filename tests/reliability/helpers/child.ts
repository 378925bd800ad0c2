// The controller as systemd runs it: `reclaim run --config FILE` in a child process with
// NOTIFY_SOCKET set, in its own process group so that a SIGKILL takes the whole of it. Its
// config is the reference skid's YAML with the lines aimed at the in-test simulator, the
// store, control socket and GPIO socket in a temp dir, and OPC UA off.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import type { Endpoints } from "../../../hil-sim/src/wire.js";
import { REFERENCE_CONFIG_PATH } from "../../helpers/config.js";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CLI_MAIN = path.join(ROOT, "src/cli/main.ts");
const RUN_ENTRY = fileURLToPath(new URL("./run-entry.ts", import.meta.url));

let entry: { file: string; note: string | null } | undefined;

/**
 * The entry the child runs: src/cli/main.ts when it loads (`--version` exits 0), else the
 * stand-in with only `run` (same code path), with a note saying why.
 */
export function controllerEntry(): { file: string; note: string | null } {
  if (entry) return entry;
  const probe = spawnSync(process.execPath, ["--import", "tsx", CLI_MAIN, "--version"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  if (probe.status === 0) entry = { file: CLI_MAIN, note: null };
  else {
    const why = (probe.stderr || probe.stdout || String(probe.error ?? "")).split("\n").find((l) => /Error|error/.test(l)) ?? `exit ${probe.status}`;
    entry = { file: RUN_ENTRY, note: `src/cli/main.ts does not load (${why.trim()}); the child runs tests/reliability/helpers/run-entry.ts (registerRun from src/cli/run.ts) instead` };
  }
  return entry;
}

export interface ChildConfigOptions {
  dir: string;
  endpoints: Endpoints;
  gpioSocket: string;
  /** e.g. "1s". */
  persistEvery: string;
  /** The start-up flush (start-flush's one step), e.g. "5s"; default as in the file. */
  flush?: string;
}

/** Writes the child's config file (YAML, so the child parses it as in production) and returns its path. */
export function writeChildConfig(o: ChildConfigOptions): string {
  const doc = parseDocument(readFileSync(REFERENCE_CONFIG_PATH, "utf8"));
  const ep = (device: string): { host: string; port: number } => {
    const e = o.endpoints[device];
    if (!e) throw new Error(`the simulator serves no ${device}`);
    return e;
  };
  const analyzer = ep("analyzer-1");
  const rio = ep("rio-1");
  const gateway = ep("vfd-p101");
  doc.set("lines", doc.createNode([
    { name: "tcp-analyzer", type: "tcp", host: analyzer.host, port: analyzer.port },
    { name: "tcp-rio", type: "tcp", host: rio.host, port: rio.port },
    // The RS-485 line through the simulator's serial gateway: same devices, same unit ids.
    { name: "rs485-1", type: "tcp", host: gateway.host, port: gateway.port },
  ]));
  doc.setIn(["store", "path"], path.join(o.dir, "reclaim.sqlite"));
  doc.setIn(["control", "socket"], path.join(o.dir, "reclaim.sock"));
  doc.setIn(["opcua", "enabled"], false);
  doc.setIn(["opcua", "port"], 0);
  doc.set("gpio", doc.createNode({ backend: "remote", socket: o.gpioSocket, lineBase: 0 }));
  doc.setIn(["quality", "verification"], "60s");
  doc.setIn(["totals", "persistEvery"], o.persistEvery);
  if (o.flush !== undefined) {
    const seqs = doc.get("sequences") as { items: Array<{ get(k: string): unknown; getIn(p: unknown[]): unknown; setIn(p: unknown[], v: unknown): void }> };
    const flush = seqs.items.find((s) => s.get("name") === "start-flush");
    flush?.setIn(["steps", 0, "duration"], o.flush);
  }
  const file = path.join(o.dir, "reclaim.yaml");
  writeFileSync(file, doc.toString());
  return file;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One controller process: its output (kept for a failure message) and its end. */
export class ControllerChild {
  readonly output: string[] = [];
  readonly exited: Promise<ChildExit>;
  private proc: ChildProcess;
  private done = false;

  constructor(configFile: string, env: Record<string, string>) {
    const { file } = controllerEntry();
    this.proc = spawn(process.execPath, ["--import", "tsx", file, "run", "--config", configFile], {
      cwd: ROOT,
      env: { ...process.env, RECLAIM_LOG_LEVEL: "warn", ...env },
      // Its own process group: kill(-pid) reaches everything it started.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (d: Buffer): void => {
      this.output.push(d.toString());
      if (this.output.length > 400) this.output.splice(0, 100);
    };
    this.proc.stdout?.on("data", keep);
    this.proc.stderr?.on("data", keep);
    this.exited = new Promise((resolve) =>
      this.proc.once("exit", (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return !this.done;
  }

  /** SIGKILL to the whole process group; resolves once the child is reaped. */
  async kill9(): Promise<ChildExit> {
    if (this.done) return this.exited;
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      this.proc.kill("SIGKILL");
    }
    return this.exited;
  }

  /** SIGTERM (systemctl stop); resolves with how it ended, or SIGKILLs it after `ms`. */
  async terminate(ms = 15_000): Promise<ChildExit & { timedOut: boolean }> {
    if (this.done) return { ...(await this.exited), timedOut: false };
    this.proc.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([this.exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms)))]);
    clearTimeout(timer);
    if (timedOut) await this.kill9();
    return { ...(await this.exited), timedOut };
  }

  /** The last lines it printed, for an assertion message. */
  tail(lines = 30): string {
    return this.output.join("").split("\n").slice(-lines).join("\n");
  }
}
