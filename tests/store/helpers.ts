// Shared test helpers: a temp directory per test, samples, and a store on a virtual clock.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GOOD, type Quality, type TagSample, type TagValue } from "../../src/core/quality.js";
import { openStore, type Store, type StoreOptions } from "../../src/store/index.js";
import type { Clock } from "../../src/time/clock.js";
import type { VirtualClock } from "../../src/time/virtual.js";

export interface TempDir {
  dir: string;
  path: (name?: string) => string;
  cleanup: () => void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), "reclaim-store-"));
  return { dir, path: (name = "store.sqlite") => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sample(tag: string, value: TagValue, clock: VirtualClock, quality: Quality = GOOD): TagSample {
  return { tag, value, quality, sourceTs: clock.wall(), mono: clock.now() };
}

export function testStore(path: string, clock: Clock, opts: Partial<StoreOptions> = {}): Store {
  return openStore({ path, clock, clockSynced: true, checkpoint: "inline", bootId: "00000000-0000-4000-8000-000000000001", ...opts });
}

export const T0 = Date.UTC(2026, 0, 1);
