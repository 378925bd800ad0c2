// The compliance report as one self-contained HTML page: the same figures as the text
// report, with charts drawn as inline SVG and the styles inline (no external assets), so it
// can be mailed, archived and opened offline.
import type { ComplianceReport } from "./compute.js";
import { humanDuration, localTime } from "./format.js";
import { esc, trendChart, volumeBars, type LimitLine } from "./svg.js";
import { limitsText } from "./text.js";

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:800px;color:#222}
h1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;text-align:left;border-bottom:1px solid #eee}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}.bad{color:#b00020;font-weight:600}
svg{width:100%;height:auto;margin:.5em 0}svg text{font:11px system-ui,sans-serif;fill:#444}
svg .t{font-weight:600}svg .ya{text-anchor:end}svg .xa{text-anchor:middle}svg .lim{text-anchor:end}
svg .grid{stroke:#eee}svg .band{fill:#4a7bd0;fill-opacity:.18}svg .line{fill:none;stroke:#2a5bb0;stroke-width:1.4}
svg .critical{stroke:#b00020;stroke-dasharray:6 3}svg .alert{stroke:#d08000;stroke-dasharray:3 3}
svg .critical-t{fill:#b00020}svg .alert-t{fill:#a06000}svg .divert{fill:#b00020;fill-opacity:.08}
svg .reuse{fill:#2e8b57}svg .diverted{fill:#c0504d}svg .plain{fill:#4a7bd0}svg .none{text-anchor:middle;fill:#999}
`;

function m3(v: number | null | undefined): string {
  return v === null || v === undefined ? "—" : `${v.toFixed(v < 10 ? 2 : 1)} m³`;
}

function row(cells: readonly string[], numeric: readonly number[] = []): string {
  return `<tr>${cells.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ""}>${c}</td>`).join("")}</tr>`;
}

function head(cells: readonly string[], numeric: readonly number[] = []): string {
  return `<tr>${cells.map((c, i) => `<th${numeric.includes(i) ? ' class="n"' : ""}>${esc(c)}</th>`).join("")}</tr>`;
}

function limitLines(c: ComplianceReport["ccps"][number]): LimitLine[] {
  const out: LimitLine[] = [];
  if (c.critical.high !== undefined) out.push({ value: c.critical.high, label: `critical ${c.critical.high}`, kind: "critical" });
  if (c.critical.low !== undefined) out.push({ value: c.critical.low, label: `critical ${c.critical.low}`, kind: "critical" });
  if (c.alert.high !== undefined) out.push({ value: c.alert.high, label: `alert ${c.alert.high}`, kind: "alert" });
  if (c.alert.low !== undefined) out.push({ value: c.alert.low, label: `alert ${c.alert.low}`, kind: "alert" });
  return out;
}

export function formatReportHtml(r: ComplianceReport): string {
  const v = r.volumes;
  const bands = r.diverts.map((d) => ({ start: d.start, end: d.end ?? r.to }));
  const title = `Compliance report ${r.skid.id}, ${localTime(r.from)} to ${localTime(r.to)}`;
  const s: string[] = [`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>`];
  s.push(`<h1>Compliance report: ${esc(r.skid.id)}</h1><p class="muted">${esc(r.skid.name)}<br>${esc(localTime(r.from))} to ${esc(localTime(r.to))} (${esc(humanDuration(r.to - r.from))}), generated ${esc(localTime(r.generatedAt))}</p>`);

  s.push("<h2>Volumes</h2>");
  s.push(
    volumeBars([
      { label: "feed", parts: [{ value: v.feed?.m3 ?? 0, kind: "plain", label: m3(v.feed?.m3) }] },
      {
        label: "product",
        parts: [
          { value: v.reuseM3 ?? 0, kind: "reuse", label: `${m3(v.reuseM3)} reused` },
          { value: v.divertedM3 ?? 0, kind: "diverted", label: `${m3(v.divertedM3)} diverted` },
        ],
      },
      { label: "RO permeate", parts: [{ value: v.permeate?.m3 ?? 0, kind: "plain", label: m3(v.permeate?.m3) }] },
      { label: "RO concentrate", parts: [{ value: v.concentrate?.m3 ?? 0, kind: "plain", label: m3(v.concentrate?.m3) }] },
    ]),
  );
  const kpis = [
    row(["RO recovery", r.recoveryPercent === null ? "—" : `${r.recoveryPercent.toFixed(1)} %`], [1]),
    row(["Energy", r.energy ? `${r.energy.kwh.toFixed(1)} kWh` : "—"], [1]),
    row(["Energy per m³ of product", r.energy?.perM3 != null ? `${r.energy.perM3.toFixed(2)} kWh/m³` : "—"], [1]),
  ];
  s.push(`<table>${kpis.join("")}</table>`);

  s.push("<h2>Time in spec per CCP</h2><table>");
  s.push(head(["CCP", "tag", "critical limit", "in spec", "off spec", "bad quality", "no data"], [3, 4, 5, 6]));
  for (const c of r.ccps) {
    const off = c.offSpecMs + c.badMs > 0 ? ' class="bad"' : "";
    s.push(
      row(
        [esc(c.name), esc(c.tag), esc(limitsText(c)), `<span${off}>${c.inSpecPercent === null ? "—" : `${c.inSpecPercent.toFixed(2)} %`}</span>`, esc(humanDuration(c.offSpecMs)), esc(humanDuration(c.badMs)), esc(humanDuration(c.noDataMs))],
        [3, 4, 5, 6],
      ),
    );
  }
  s.push("</table>");
  for (const c of r.ccps) {
    s.push(trendChart({ title: `${c.name} · ${c.tag} · ${c.description}`, unit: c.unit, from: r.from, to: r.to, intervalMs: r.charts.intervalMs, buckets: r.charts.ccps[c.name] ?? [], limits: limitLines(c), bands }));
  }
  s.push(trendChart({ title: `product flow · ${v.product?.tag ?? ""} · diverts shaded`, unit: "m³/h", from: r.from, to: r.to, intervalMs: r.charts.intervalMs, buckets: r.charts.product, limits: [], bands }));

  s.push(`<h2>Diverts (${r.diverts.length})</h2>`);
  if (r.diverts.length === 0) s.push("<p>none</p>");
  else {
    s.push(`<table>${head(["start", "end", "duration", "cause", "first-out"], [2])}`);
    for (const d of r.diverts) s.push(row([esc(`${d.fromBefore ? "(before) " : ""}${localTime(d.start)}`), esc(d.end === null ? "still diverted" : localTime(d.end)), esc(humanDuration(d.durationMs)), esc(d.cause), esc(d.firstOut ?? "")], [2]));
    s.push("</table>");
  }
  s.push(`<h2>Forced outputs (${r.forced.length})</h2>`);
  if (r.forced.length === 0) s.push("<p>none</p>");
  else {
    s.push(`<table>${head(["tag", "value", "by", "from", "to", "duration", "ended"], [5])}`);
    for (const f of r.forced) s.push(row([esc(f.tag), esc(String(f.value)), esc(f.by), esc(localTime(f.start)), esc(f.end === null ? "still forced" : localTime(f.end)), esc(humanDuration(f.durationMs)), esc(f.endedBy ?? "")], [5]));
    s.push("</table>");
  }
  s.push('<p class="muted">Volumes integrate the logged flow readings; time without a usable reading is not guessed. Time in spec counts a value that is not good against the CCP, as the controller does.</p>');
  s.push("</body></html>\n");
  return s.join("\n");
}
