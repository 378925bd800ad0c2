// What the runner prints for a person: a line per thing the controller did, as it happens,
// stamped with scenario time, and a summary at the end. The machine-readable result is the
// JSON line the CLI prints last (ScenarioResult).
import { formatSeconds } from "../scenario/expect.js";
import type { ScenarioResult } from "../scenario/types.js";
import type { RecordedLine } from "./record.js";

const stamp = (atS: number): string => `[${formatSeconds(atS).padStart(9)}]`;

export function formatLine(l: RecordedLine): string {
  switch (l.kind) {
    case "divert":
      return `${stamp(l.atS)} DIVERT ${l.cause}`;
    case "reuse":
      return `${stamp(l.atS)} reuse`;
    case "trip":
      return `${stamp(l.atS)} TRIP → ${l.state} (${l.cause})`;
    case "state":
      return `${stamp(l.atS)} state ${l.from} → ${l.to} (${l.cause})`;
    case "alarm":
      return `${stamp(l.atS)} alarm ${l.name}`;
    case "discrepancy":
      return `${stamp(l.atS)} discrepancy: ${l.message}`;
  }
}

export function formatProgress(nowMs: number, durationMs: number): string {
  return `${stamp(nowMs / 1000)} … ${Math.floor((100 * nowMs) / durationMs)} %`;
}

/** The end-of-run summary: verdict, water balance, and every failed expectation. */
export function formatSummary(r: ScenarioResult): string[] {
  const speed = r.wallS > 0 ? `, ${Math.round(r.simulatedS / r.wallS)}× real time` : "";
  const lines = [
    `${r.passed ? "PASS" : "FAIL"} ${r.scenario}: ${formatSeconds(r.simulatedS)} simulated in ${r.wallS.toFixed(1)} s${speed}`,
    `  water: ${r.reuseM3} m³ to reuse, ${r.divertedM3} m³ diverted, ${r.offSpecToReuseL} L off-spec to reuse`,
    `  controller: ${r.finalState} / ${r.qualityMode}; ${r.diverts.length} divert(s), ${r.trips.length} trip(s)`,
  ];
  for (const f of r.failures) lines.push(`  ✗ ${f}`);
  return lines;
}
