// Every stable error code used in the source is documented in README's "Error codes" table,
// and the table lists no code the source no longer has (STYLE.md 10).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

it("README documents exactly the error codes the source uses", () => {
  const used = new Set<string>();
  for (const f of sources(path.join(root, "src"))) for (const m of readFileSync(f, "utf8").matchAll(/RECLAIM_E_[A-Z_]+/g)) used.add(m[0]);
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Error codes"), readme.indexOf("\n## ", readme.indexOf("## Error codes") + 1));
  const documented = new Set([...section.matchAll(/^\| (RECLAIM_E_[A-Z_]+) \|/gm)].map((m) => m[1] as string));
  expect([...used].filter((c) => !documented.has(c)).sort(), "used but not documented").toEqual([]);
  expect([...documented].filter((c) => !used.has(c)).sort(), "documented but not used").toEqual([]);
});
