// Runs many scenario files at once, each in virtual time, spread over child processes: a
// virtual run is CPU-bound, so on a 2-core CI machine the library finishes in about half the
// time of one process. Longest scenarios go first, so the day-long one does not start last.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ScenarioResult } from "../scenario/types.js";

/** One file's outcome: its result, or why it could not run (an invalid file, a crash). */
export type PoolOutcome = { file: string; result: ScenarioResult } | { file: string; error: string; code?: string };

/** Worker → parent. */
export type WorkerMessage = PoolOutcome & { type: "done" };
/** Parent → worker. */
export type ParentMessage = { type: "run"; file: string; config: string } | { type: "exit" };

export interface PoolOptions {
  /** Child processes (default 2). */
  jobs?: number;
  /** Controller config file for every run. */
  config: string;
  /** Files in the order to start them (default: as given). */
  order?: readonly string[];
}

export interface ScenarioPool {
  /** The outcome of one file; settles when its run has ended (never rejects). */
  outcome(file: string): Promise<PoolOutcome>;
  /** Ends the children (after the runs in progress, or at once with `kill`). */
  close(kill?: boolean): Promise<void>;
}

const WORKER = fileURLToPath(new URL("./pool-worker.ts", import.meta.url));

export function startPool(files: readonly string[], opts: PoolOptions): ScenarioPool {
  const queue = [...(opts.order ?? files)];
  const waiting = new Map<string, (o: PoolOutcome) => void>();
  const outcomes = new Map<string, Promise<PoolOutcome>>();
  for (const f of files) outcomes.set(f, new Promise((resolve) => waiting.set(f, resolve)));
  const settle = (o: PoolOutcome): void => {
    waiting.get(o.file)?.(o);
    waiting.delete(o.file);
  };
  const children: Array<{ child: ChildProcess; tell: (m: ParentMessage) => void }> = [];
  const exited: Array<Promise<void>> = [];
  let gone = 0;

  const startChild = (): void => {
    // The worker is TypeScript like the rest: tsx loads it, as `npm run scenario` does.
    const child = fork(WORKER, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let current: string | undefined;
    let told = false;
    let stderr = "";
    // A child that has gone away makes send() fail with EPIPE; its exit handler reports it.
    child.on("error", () => undefined);
    const tell = (m: ParentMessage): void => {
      if (told || !child.connected) return;
      if (m.type === "exit") told = true;
      child.send(m);
    };
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const next = (): void => {
      current = queue.shift();
      tell(current === undefined ? { type: "exit" } : { type: "run", file: current, config: opts.config });
    };
    child.on("message", (m: WorkerMessage) => {
      settle(m);
      next();
    });
    exited.push(
      new Promise((resolve) =>
        child.once("exit", (code, signal) => {
          // A crash takes the run in progress with it; the others go on in the other children.
          if (current !== undefined) settle({ file: current, error: `worker exited (${signal ?? code}) while running it:\n${stderr}` });
          current = undefined;
          // The last one gone: nothing will run what is left, so say so rather than wait forever.
          if (++gone === children.length) for (const f of [...waiting.keys()]) settle({ file: f, error: `not run: every worker has exited (last: ${signal ?? code})\n${stderr}` });
          resolve();
        }),
      ),
    );
    children.push({ child, tell });
    next();
  };
  for (let i = 0; i < Math.max(1, Math.min(opts.jobs ?? 2, files.length)); i++) startChild();

  return {
    outcome(file) {
      return outcomes.get(file) ?? Promise.resolve({ file, error: "not in this pool" });
    },
    async close(kill = false) {
      queue.length = 0;
      for (const c of children) {
        if (kill) c.child.kill();
        else c.tell({ type: "exit" });
      }
      await Promise.all(exited);
    },
  };
}
