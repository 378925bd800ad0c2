// Runs WAL checkpoints on a worker thread with its own connection. A checkpoint copies WAL
// pages into the database and fsyncs it, which on an SD card can take a second; done on the
// main thread it would stall the scan. PASSIVE never takes the write lock, so the main
// thread's writes never wait for it either. With journal_size_limit set, the WAL is cut back
// once a checkpoint has copied everything, so it cannot grow without bound.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface CheckpointResult {
  /** Frames in the WAL, and frames copied into the database (-1 when the WAL is not in use). */
  walFrames: number;
  checkpointed: number;
  busy: boolean;
}

// CommonJS, evaluated as the worker's source: no TypeScript loader needed in the worker.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 0, fileMustExist: true });
// The checkpointing connection's own level decides its syncs: NORMAL fsyncs the WAL before
// copying and the database after.
db.pragma("synchronous = NORMAL");
db.pragma("wal_autocheckpoint = 0");
parentPort.on("message", (msg) => {
  if (msg === "close") { db.close(); parentPort.close(); return; }
  try {
    const r = db.pragma("wal_checkpoint(PASSIVE)")[0];
    parentPort.postMessage({ ok: true, busy: r.busy === 1, walFrames: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
});
`;

type Reply = { ok: true; busy: boolean; walFrames: number; checkpointed: number } | { ok: false; error: string };

export class Checkpointer {
  private readonly worker: Worker;
  private waiting: { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }[] = [];
  private failed?: Error;

  /** onError hears of the worker dying (the store then checkpoints on its own connection). */
  constructor(path: string, onError: (err: Error) => void) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver } });
    // The worker must not keep the process alive after stop() forgets to close it.
    this.worker.unref();
    this.worker.on("message", (reply: Reply) => {
      const w = this.waiting.shift();
      if (!w) return;
      if (reply.ok) w.resolve({ walFrames: reply.walFrames, checkpointed: reply.checkpointed, busy: reply.busy });
      else w.reject(new Error(`checkpoint failed: ${reply.error}`));
    });
    this.worker.on("error", (err) => {
      this.fail(err);
      onError(err);
    });
    this.worker.on("exit", (code) => {
      if (code === 0 || this.failed) return;
      const err = new Error(`checkpoint worker exited with code ${code}`);
      this.fail(err);
      onError(err);
    });
  }

  private fail(err: Error): void {
    this.failed = err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  /** True once the worker died; the store then checkpoints on its own connection. */
  get broken(): boolean {
    return this.failed !== undefined;
  }

  get busy(): boolean {
    return this.waiting.length > 0;
  }

  checkpoint(): Promise<CheckpointResult> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage("checkpoint");
    });
  }

  /** Stops the worker at once (its connection only ever checkpoints, so nothing is lost). */
  terminate(): void {
    this.fail(new Error("checkpoint worker stopped"));
    void this.worker.terminate();
  }

  async close(): Promise<void> {
    if (this.failed) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    // Keep the process alive until the worker has closed its connection.
    this.worker.ref();
    this.worker.postMessage("close");
    await exited;
  }
}
