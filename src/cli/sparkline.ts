// Small trend lines in text (sparklines) for `reclaim status --watch`: one character per
// sample, scaled between the window's lowest and highest value.

const BARS = "▁▂▃▄▅▆▇█";

/** Samples to bars; a missing (bad-quality) sample is a gap. */
export function sparkline(values: readonly (number | null)[]): string {
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (nums.length === 0) return " ".repeat(values.length);
  const lo = Math.min(...nums);
  const hi = Math.max(...nums);
  const top = BARS.length - 1;
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return " ";
      // A flat signal sits mid-height, so that it does not read as "at the minimum".
      const level = hi === lo ? Math.floor(top / 2) : Math.round(((v - lo) / (hi - lo)) * top);
      return BARS[level] as string;
    })
    .join("");
}

/** A fixed-length window of the latest samples per series. */
export class TrendWindow {
  private readonly series = new Map<string, (number | null)[]>();

  constructor(readonly length: number) {}

  push(name: string, value: number | null): void {
    const s = this.series.get(name) ?? [];
    s.push(value);
    if (s.length > this.length) s.splice(0, s.length - this.length);
    this.series.set(name, s);
  }

  values(name: string): (number | null)[] {
    return this.series.get(name) ?? [];
  }

  /** The window's range, for a person to read the scale: "0.058–0.066". */
  range(name: string): string {
    const nums = this.values(name).filter((v): v is number => v !== null);
    if (nums.length === 0) return "";
    const f = (x: number): string => String(Number(x.toPrecision(3)));
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    return f(lo) === f(hi) ? f(lo) : `${f(lo)}–${f(hi)}`;
  }
}
