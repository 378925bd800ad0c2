// One simulated skid and one controller per test file, as `reclaim run` would have them: the
// simulator on ephemeral Modbus TCP ports, the controller started from a config FILE in a
// temp dir (so config apply can rewrite it), its database and control socket in that dir,
// and the service loop's in-process restart. The CLI runs in-process through main(argv)
// with captured output; spawnCli() runs it as a separate process, as a technician would.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { Simulator } from "../../hil-sim/src/sim.js";
import { pointAtSim } from "../../hil-sim/src/wire.js";
import { main } from "../../src/cli/program.js";
import type { CliIo } from "../../src/cli/io.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { InitialOptions } from "../../src/core/state.js";
import { startController, type RunningController } from "../../src/main.js";
import { silentLogger } from "../../src/system/log.js";
import { ScaledClock } from "../../src/time/real.js";
import { REFERENCE_CONFIG_PATH } from "../helpers/config.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `reclaim <args>` in this process, with its output captured. */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void): NodeJS.WritableStream =>
    ({
      write(chunk: string | Uint8Array, ...rest: unknown[]) {
        append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        cb?.();
        return true;
      },
      once() {
        return this;
      },
      on() {
        return this;
      },
      end() {
        return this;
      },
    }) as unknown as NodeJS.WritableStream;
  const io: CliIo = { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), stdin: process.stdin };
  const code = await main(["node", "reclaim", ...args], io);
  return { code, stdout, stderr };
}

/** Runs the CLI as its own process (`node --import tsx src/cli/main.ts …`, or bin/reclaim.js). */
/**
 * Runs the CLI as a child process. `unprivileged`: without the capabilities that let root
 * ignore file permissions (setpriv drops them from the bounding set), so that a root test run
 * meets a permission error as a technician's account would, while still reading the checkout
 * (which may sit in a 0700 directory no other user can enter).
 */
export function spawnCli(args: readonly string[], opts: { bin?: boolean; unprivileged?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const entry = opts.bin ? [path.join(ROOT, "bin/reclaim.js")] : ["--import", "tsx", path.join(ROOT, "src/cli/main.ts")];
  const [cmd, ...argv] = opts.unprivileged
    ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", process.execPath, ...entry, ...args]
    : [process.execPath, ...entry, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env: { ...process.env, RECLAIM_CONFIG: "/nonexistent/reclaim.yaml", ...opts.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface Skid {
  dir: string;
  configFile: string;
  socket: string;
  db: string;
  sim: Simulator;
  clock: ScaledClock;
  /** The controller now running (a new one after each controlled restart). */
  readonly ctl: RunningController;
  readonly restarts: number;
  /** Resolves when the controller has restarted `n` times in all. */
  restarted(n: number): Promise<void>;
  /** `reclaim <args> --socket <this skid's> --config <its file>` in-process. */
  cli(...args: string[]): Promise<CliResult>;
  /** `reclaim <args> --config <its file>` in-process: the commands that read the database. */
  offline(...args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

/** The reference skid's YAML aimed at the simulator, with its data in `dir`. */
function skidYaml(config: Config, dir: string): string {
  const doc = parseDocument(readFileSync(REFERENCE_CONFIG_PATH, "utf8"));
  doc.set(
    "lines",
    config.lines.map((l) => (l.type === "tcp" ? { name: l.name, type: "tcp", host: l.host, port: l.port } : l)),
  );
  doc.setIn(["opcua", "enabled"], false);
  doc.setIn(["store", "path"], path.join(dir, "reclaim.sqlite"));
  doc.setIn(["control", "socket"], path.join(dir, "reclaim.sock"));
  // Generous device timeouts for a loaded CI machine.
  config.devices.forEach((_, i) => doc.setIn(["devices", i, "timeout"], "1s"));
  return doc.toString();
}

export async function startSkid(opts: { initial?: InitialOptions; speed?: number } = {}): Promise<Skid> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "reclaim-cli-"));
  const clock = new ScaledClock(opts.speed ?? 1);
  const sim = new Simulator({ clock, permissive: "hardwired", seed: 5 });
  sim.start();
  const endpoints = await sim.serveTcp();
  const pointed = pointAtSim(loadConfig(REFERENCE_CONFIG_PATH).config, endpoints);
  const configFile = path.join(dir, "reclaim.yaml");
  writeFileSync(configFile, skidYaml(pointed, dir));
  const config = loadConfig(configFile).config;
  const log = silentLogger();
  let restarts = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let restarting: Promise<void> = Promise.resolve();
  const onRestart = (next: Config): void => {
    // What the service loop in src/cli/run.ts does: stop, then start with the new config.
    restarting = (async () => {
      await ctl.stop();
      ctl = await startController({ config: next, clock, log, configFile, onRestart });
      restarts++;
      for (const w of waiters.filter((x) => x.n <= restarts)) w.resolve();
    })();
  };
  let ctl = await startController({ config, clock, log, configFile, onRestart, ...(opts.initial ? { initial: opts.initial } : {}) });
  const socket = config.control.socket;
  return {
    dir,
    configFile,
    socket,
    db: config.store.path,
    sim,
    clock,
    get ctl() {
      return ctl;
    },
    get restarts() {
      return restarts;
    },
    restarted: (n) => (restarts >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    cli: (...args) => runCli([...args, "--socket", socket, "--config", configFile]),
    offline: (...args) => runCli([...args, "--config", configFile]),
    async stop() {
      await restarting;
      await ctl.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits (real time) until `pred` holds. */
export async function until(what: string, pred: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
