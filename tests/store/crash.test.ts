// Crash safety: a child writes history, events and audit rows and is killed with SIGKILL at
// random moments (during start-up, WAL recovery, flushes, merges, checkpoints), 50+ times.
// After each kill the file passes integrity_check and every batch the child reported
// committed is there, whole and once.
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { StoreReader } from "../../src/store/index.js";
import { CRASH_T0, CRASH_TAGS, SAMPLES_PER_TAG } from "./fixtures/crash-writer.js";
import { tempDir } from "./helpers.js";

const WRITER = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Two lanes (separate files) in parallel: a child's start-up is mostly waiting. */
const LANES = 2;
const KILLS_PER_LANE = 26;
const SEED = Number(process.env.CRASH_SEED ?? 20260101);

const live = new Set<ChildProcess>();
const tmp = tempDir();
afterAll(() => {
  for (const c of live) c.kill("SIGKILL");
  tmp.cleanup();
});

/** mulberry32: a small seeded generator, so a failing schedule can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one writer and kills it; returns the batches it reported committed. */
async function runAndKill(path: string, first: number, kill: { afterReady: boolean; delayMs: number }): Promise<number[]> {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, path, String(first)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let out = "";
  let err = "";
  let onReady = (): void => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("ready\n")) onReady();
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const closed = new Promise<void>((r) => child.once("close", () => r()));
  if (kill.afterReady) await Promise.race([ready, closed, sleep(15_000)]);
  await sleep(kill.delayMs);
  const running = child.exitCode === null && child.signalCode === null;
  child.kill("SIGKILL");
  await closed;
  live.delete(child);
  if (!running) throw new Error(`the writer ended before it was killed:\n${err}`);
  expect(out).not.toMatch(/^failed/m);
  return [...out.matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1]));
}

/** Checks a copy of the crashed files, so the next writer meets the crash as it was left. */
function verify(path: string, reported: readonly number[], lastFirst: number): void {
  if (!existsSync(path)) {
    // Killed before it created the file: then it cannot have reported anything either.
    expect(reported).toEqual([]);
    return;
  }
  const copy = `${path}.check`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(copy + suffix, { force: true });
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  const db = new Database(copy); // read-write: it recovers the WAL as the next start would
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const reader = new StoreReader(db);
    const to = CRASH_T0 + (lastFirst + 100_000) * 1000;
    for (let t = 0; t < CRASH_TAGS; t++) {
      const counts = new Map(reader.historyAggregate(`C${t}`, CRASH_T0, to, 1000).map((b) => [(b.start - CRASH_T0) / 1000, b.count]));
      // Every batch present is whole and there once (a batch is one transaction).
      for (const [n, count] of counts) expect(count, `tag C${t} batch ${n}`).toBe(SAMPLES_PER_TAG);
      for (const n of reported) expect(counts.get(n), `tag C${t} reported batch ${n}`).toBe(SAMPLES_PER_TAG);
    }
    const actions = new Set<string>();
    for (let page = reader.auditList({ limit: 5000 }); ; page = reader.auditList({ limit: 5000, afterId: page.next })) {
      for (const r of page.rows) actions.add(r.action);
      if (page.next === undefined) break;
    }
    for (const n of reported) expect(actions.has(`batch ${n}`), `audit of batch ${n}`).toBe(true);
    expect(reader.verifyAudit()).toMatchObject({ ok: true });
    const events = new Set(reader.events({ from: 0, to: Infinity, types: ["state"], limit: 1e7 }).rows.map((e) => e.message));
    for (const n of reported) expect(events.has(`batch ${n}`), `event of batch ${n}`).toBe(true);
  } finally {
    db.close();
  }
}

async function lane(index: number): Promise<{ kills: number; reported: number }> {
  const path = tmp.path(`lane-${index}.sqlite`);
  const random = rng(SEED + index);
  const reported: number[] = [];
  let kills = 0;
  for (let run = 0; run < KILLS_PER_LANE; run++) {
    // A quarter of the kills land during start-up (open, WAL recovery, quick_check, migration).
    const afterReady = random() >= 0.25;
    const delayMs = afterReady ? random() * 250 : random() * 900;
    const first = run * 100_000;
    reported.push(...(await runAndKill(path, first, { afterReady, delayMs })));
    kills++;
    verify(path, reported, first);
  }
  return { kills, reported: reported.length };
}

describe("crash safety", () => {
  it(`keeps every committed batch through ${LANES * KILLS_PER_LANE} SIGKILLs (seed ${SEED})`, async () => {
    const results = await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
    const kills = results.reduce((s, r) => s + r.kills, 0);
    expect(kills).toBeGreaterThanOrEqual(50);
    // The schedule must actually have let writers commit between kills.
    expect(results.every((r) => r.reported > 100)).toBe(true);
  }, 120_000);
});
