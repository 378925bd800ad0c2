// Charts as inline SVG for the HTML report: no scripts, no fonts or images from elsewhere,
// so the page is one self-contained file that opens anywhere, also years later.
import type { Bucket as AggregateBucket } from "./series.js";

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

const f = (x: number): string => (Math.round(x * 10) / 10).toString();

export interface LimitLine {
  value: number;
  label: string;
  kind: "critical" | "alert";
}

export interface TrendChart {
  title: string;
  unit: string;
  from: number;
  to: number;
  intervalMs: number;
  buckets: readonly AggregateBucket[];
  limits: readonly LimitLine[];
  /** Shaded stretches (the diverts). */
  bands: ReadonlyArray<{ start: number; end: number }>;
}

const W = 760;
const H = 200;
const PAD = { left: 56, right: 12, top: 22, bottom: 26 };

function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / 4));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= 5) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-9; v += nice) out.push(Number(v.toPrecision(6)));
  return out;
}

function clock(ms: number, withDate: boolean): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, "0");
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return withDate ? `${d.getMonth() + 1}/${d.getDate()} ${time}` : time;
}

/** Min–max band and mean line of a tag, its limits as dashed lines, diverts shaded. */
export function trendChart(c: TrendChart): string {
  const values = c.buckets.flatMap((b) => [b.min, b.max]).concat(c.limits.map((l) => l.value));
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  const margin = (hi - lo || Math.abs(hi) || 1) * 0.08;
  lo -= margin;
  hi += margin;
  const x = (t: number): number => PAD.left + ((t - c.from) / (c.to - c.from)) * (W - PAD.left - PAD.right);
  const y = (v: number): number => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(c.title)}">`];
  parts.push(`<text x="${PAD.left}" y="14" class="t">${esc(c.title)}${c.unit ? ` [${esc(c.unit)}]` : ""}</text>`);
  for (const b of c.bands) {
    const x0 = x(Math.max(b.start, c.from));
    const x1 = x(Math.min(b.end, c.to));
    if (x1 > x0) parts.push(`<rect x="${f(x0)}" y="${PAD.top}" width="${f(Math.max(1, x1 - x0))}" height="${H - PAD.top - PAD.bottom}" class="divert"/>`);
  }
  for (const v of ticks(lo, hi)) {
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y(v))}" y2="${f(y(v))}" class="grid"/><text x="${PAD.left - 6}" y="${f(y(v) + 4)}" class="ya">${v}</text>`);
  }
  const multiDay = c.to - c.from > 86_400_000;
  for (let i = 0; i <= 4; i++) {
    const t = c.from + ((c.to - c.from) * i) / 4;
    // The end labels keep inside the frame.
    const anchor = i === 0 ? ' style="text-anchor:start"' : i === 4 ? ' style="text-anchor:end"' : "";
    parts.push(`<text x="${f(x(t))}" y="${H - 8}" class="xa"${anchor}>${clock(t, multiDay)}</text>`);
  }
  // Runs of consecutive buckets; a missing bucket (no data) breaks the line.
  const runs: AggregateBucket[][] = [];
  for (const b of c.buckets) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && b.start - prev.start <= c.intervalMs * 1.5) run.push(b);
    else runs.push([b]);
  }
  for (const run of runs) {
    const mid = (b: AggregateBucket): number => b.start + c.intervalMs / 2;
    const top = run.map((b) => `${f(x(mid(b)))},${f(y(b.max))}`);
    const bottom = run.map((b) => `${f(x(mid(b)))},${f(y(b.min))}`).reverse();
    parts.push(`<polygon points="${[...top, ...bottom].join(" ")}" class="band"/>`);
    parts.push(`<polyline points="${run.map((b) => `${f(x(mid(b)))},${f(y(b.avg))}`).join(" ")}" class="line"/>`);
  }
  for (const l of c.limits) {
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y(l.value))}" y2="${f(y(l.value))}" class="${l.kind}"/>`);
    parts.push(`<text x="${W - PAD.right - 2}" y="${f(y(l.value) - 3)}" class="lim ${l.kind}-t">${esc(l.label)}</text>`);
  }
  if (c.buckets.length === 0) parts.push(`<text x="${W / 2}" y="${H / 2}" class="none">no data in this period</text>`);
  parts.push("</svg>");
  return parts.join("");
}

/** Horizontal bars of volumes; a bar may be split (reuse | diverted). */
export function volumeBars(rows: ReadonlyArray<{ label: string; parts: ReadonlyArray<{ value: number; kind: string; label: string }> }>): string {
  const max = Math.max(1e-9, ...rows.map((r) => r.parts.reduce((s, p) => s + p.value, 0)));
  const rowH = 26;
  const left = 110;
  const width = W - left - 150;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${rows.length * rowH + 8}" role="img" aria-label="volumes">`];
  rows.forEach((r, i) => {
    const y0 = 4 + i * rowH;
    parts.push(`<text x="${left - 8}" y="${y0 + 16}" class="ya">${esc(r.label)}</text>`);
    let x0 = left;
    for (const p of r.parts) {
      const w = (p.value / max) * width;
      if (w > 0) parts.push(`<rect x="${f(x0)}" y="${y0 + 3}" width="${f(w)}" height="${rowH - 8}" class="${esc(p.kind)}"><title>${esc(p.label)}</title></rect>`);
      x0 += w;
    }
    parts.push(`<text x="${f(x0 + 6)}" y="${y0 + 16}" class="v">${esc(r.parts.map((p) => p.label).join(" + "))}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
