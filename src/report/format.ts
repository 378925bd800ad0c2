// Plain-text layout shared by the CLI and the report: aligned columns, local times, values with units.

/** Aligned columns; `right` lists the columns (by index) that hold numbers. */
export function table(rows: readonly (readonly string[])[], right: readonly number[] = []): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => {
        const pad = (widths[i] ?? 0) - [...cell].length;
        return right.includes(i) ? " ".repeat(pad) + cell : cell + " ".repeat(pad);
      })
      .join("  ")
      .trimEnd(),
  );
}

const two = (n: number): string => String(n).padStart(2, "0");

/** "2025-11-28 14:03:05" in the gateway's local time. */
export function localTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "1 h 05 min", "12 min 30 s", "45 s": a duration for a person. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${two(s % 60)} s` : ""}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${two(m % 60)} min` : ""}`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Any value in a cell: numbers and words as they are, anything else as JSON. */
export function plain(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/** A value as a person reads it: 3 significant digits for numbers, the unit after. */
export function valueText(v: unknown, unit = ""): string {
  if (v === null || v === undefined) return "—";
  const text = typeof v === "number" ? String(Number(v.toPrecision(Math.abs(v) >= 1000 ? 6 : 3))) : plain(v);
  return unit ? `${text} ${unit}` : text;
}
