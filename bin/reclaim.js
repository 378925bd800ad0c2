#!/usr/bin/env node
// The `reclaim` command: runs the compiled CLI where it was built (npm run build, as on a
// gateway), else the TypeScript sources through tsx (a fresh checkout).
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
