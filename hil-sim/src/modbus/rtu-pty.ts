// A pseudo-terminal pair made by socat: two serial devices wired to each other, so the
// controller's real RTU transport can talk to the simulator's RTU slave with no hardware.
// Links live in a fresh temporary directory; close() ends the socat child it started.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PtyPair {
  /** The end the controller opens. */
  readonly controller: string;
  /** The end the simulated devices answer on. */
  readonly device: string;
  close(): Promise<void>;
}

let available: boolean | undefined;

/** Whether socat is on PATH (CI installs it; on a workstation: apt-get install socat). */
export function socatAvailable(): boolean {
  available ??= spawnSync("socat", ["-V"], { stdio: "ignore" }).error === undefined;
  return available;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function openPtyPair(opts: { timeoutMs?: number } = {}): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "reclaim-pty-"));
  const controller = join(dir, "controller");
  const device = join(dir, "device");
  const child = spawn("socat", [`pty,raw,echo=0,link=${controller}`, `pty,raw,echo=0,link=${device}`], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let failed: Error | undefined;
  // Without a listener a failed spawn (no socat) would be an uncaught 'error' event.
  child.on("error", (err) => {
    failed = err;
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const close = async (): Promise<void> => {
    if (!failed && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  // socat creates the links just before it starts moving data.
  while (!(existsSync(controller) && existsSync(device))) {
    if (failed || child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`socat did not create a pty pair: ${failed?.message ?? (stderr.trim() || "timed out")}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { controller, device, close };
}
