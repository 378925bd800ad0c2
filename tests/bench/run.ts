// `npm run bench`: runs every benchmark in tests/bench (files *.bench.ts exporting `bench`),
// one after another so they do not disturb each other, and prints one table with each figure
// beside its goal, then the same as JSON (the last line). README's performance table is this.
import { readdirSync } from "node:fs";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Bench, BenchFigure } from "./types.js";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);

interface Row extends BenchFigure {
  area: string;
  file: string;
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const rows: Row[] = [];
const failures: string[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}${file}`).href)) as { bench?: Bench };
  if (!mod.bench) continue;
  process.stderr.write(`running ${file} …\n`);
  try {
    for (const f of await mod.bench.run()) rows.push({ ...f, area: mod.bench.area, file });
  } catch (err) {
    failures.push(`${file}: ${(err as Error).message}`);
  }
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : String(v));
console.log(`\nMachine: ${machine}\n`);
console.log("| area | figure | value | goal | met |");
console.log("|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.area} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.goal ?? ""} | ${r.met === undefined ? "" : r.met ? "yes" : "**no**"} |`);
for (const f of failures) console.log(`\nbenchmark failed: ${f}`);
console.log(JSON.stringify({ machine, figures: rows, failures }));
process.exitCode = failures.length > 0 ? 1 : 0;
