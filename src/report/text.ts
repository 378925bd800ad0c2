// The compliance report as plain text: for the terminal, an e-mail, or the plant's records.
import { humanDuration, localTime, table } from "./format.js";
import type { CcpCompliance, ComplianceReport, Volume } from "./compute.js";

function m3(v: number | null | undefined): string {
  return v === null || v === undefined ? "—" : `${v.toFixed(v < 10 ? 2 : 1)} m³`;
}

function pct(v: number | null): string {
  return v === null ? "—" : `${v.toFixed(v >= 99.95 || v < 0.05 ? 0 : 1)} %`;
}

function unmeasured(v: Volume | null): string {
  return v && v.unmeasuredMs >= 1000 ? `(no reading for ${humanDuration(v.unmeasuredMs)})` : "";
}

export function limitsText(c: Pick<CcpCompliance, "critical" | "unit">): string {
  const { low, high } = c.critical;
  const u = c.unit ? ` ${c.unit}` : "";
  if (low !== undefined && high !== undefined) return `${low}..${high}${u}`;
  if (high !== undefined) return `≤ ${high}${u}`;
  return low !== undefined ? `≥ ${low}${u}` : "";
}

function num(v: number | null): string {
  return v === null ? "—" : String(Number(v.toPrecision(3)));
}

export function formatReportText(r: ComplianceReport): string {
  const period = r.to - r.from;
  const v = r.volumes;
  const out: string[] = [
    `Compliance report: skid ${r.skid.id}${r.skid.name ? ` (${r.skid.name})` : ""}`,
    `Period ${localTime(r.from)} to ${localTime(r.to)} (${humanDuration(period)}), ${Intl.DateTimeFormat().resolvedOptions().timeZone}; generated ${localTime(r.generatedAt)}`,
    "",
    "Volumes",
  ];
  const share = v.product && v.product.m3 > 0 && v.reuseM3 !== null ? ` (${pct((100 * v.reuseM3) / v.product.m3)} of product)` : "";
  const vol = [
    ["  feed", v.feed?.tag ?? "", m3(v.feed?.m3), unmeasured(v.feed)],
    ["  product", v.product?.tag ?? "", m3(v.product?.m3), unmeasured(v.product)],
    ["    to reuse", "", m3(v.reuseM3), share.trim()],
    ["    diverted", "", m3(v.divertedM3), ""],
    ["  RO permeate", v.permeate?.tag ?? "", m3(v.permeate?.m3), unmeasured(v.permeate)],
    ["  RO concentrate", v.concentrate?.tag ?? "", m3(v.concentrate?.m3), unmeasured(v.concentrate)],
    ["  RO recovery", "", pct(r.recoveryPercent), "permeate / (permeate + concentrate)"],
  ];
  if (r.energy) {
    vol.push(["  energy", "", `${r.energy.kwh.toFixed(1)} kWh`, r.energy.perM3 === null ? "" : `${r.energy.perM3.toFixed(2)} kWh per m³ of product`]);
  }
  out.push(...table(vol, [2]), "", "Time in spec (critical limits; a value that is not good counts against it)");
  const ccps = [["  CCP", "tag", "limit", "in spec", "off spec", "bad", "no data", "min", "mean", "max"]];
  for (const c of r.ccps) {
    ccps.push([`  ${c.name}`, c.tag, limitsText(c), pct(c.inSpecPercent), humanDuration(c.offSpecMs), humanDuration(c.badMs), humanDuration(c.noDataMs), num(c.min), num(c.mean), num(c.max)]);
  }
  out.push(...table(ccps, [3, 4, 5, 6, 7, 8, 9]), "", `Diverts (${r.diverts.length})`);
  if (r.diverts.length === 0) out.push("  none");
  else {
    const rows = [["  start", "end", "duration", "cause", "first-out"]];
    for (const d of r.diverts) {
      rows.push([`  ${d.fromBefore ? "(before) " : ""}${localTime(d.start)}`, d.end === null ? "still diverted" : localTime(d.end), humanDuration(d.durationMs), d.cause, d.firstOut ?? ""]);
    }
    out.push(...table(rows, [2]));
  }
  out.push("", `Forced outputs (${r.forced.length})`);
  if (r.forced.length === 0) out.push("  none");
  else {
    const rows = [["  tag", "value", "by", "from", "to", "duration", "ended"]];
    for (const f of r.forced) rows.push([`  ${f.tag}`, String(f.value), f.by, localTime(f.start), f.end === null ? "still forced" : localTime(f.end), humanDuration(f.durationMs), f.endedBy ?? ""]);
    out.push(...table(rows, [5]));
  }
  return `${out.join("\n")}\n`;
}
