// Values with units in the config ("10s", "500ms", "5m"): STYLE.md 3, never a bare number.
import { z } from "zod";

/** One or more number-and-unit parts, largest first as people write them: "90s", "1m30s", "1h5m". */
export const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const FACTOR: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "90s", "5m", "250ms", "2m10s" into milliseconds; returns undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION_RE.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(PART_RE)) ms += Number(m[1]) * (FACTOR[m[2] as string] as number);
  return ms;
}

/** Formats milliseconds the way a person would write them in the config. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A duration written with its unit; parsed to milliseconds. */
export const duration = z
  .string()
  .regex(DURATION_RE, 'a duration with its unit, such as "500ms", "10s", "5m", "2h"')
  .transform((s) => parseDuration(s) as number);

/** A data size written with its unit ("2GB", "500MB"); parsed to bytes. */
const SIZE_RE = /^(\d+(?:\.\d+)?)(B|kB|KB|MB|GB)$/;
const SIZE_FACTOR: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
export const dataSize = z
  .string()
  .regex(SIZE_RE, 'a size with its unit, such as "500MB" or "2GB"')
  .transform((s) => {
    const m = SIZE_RE.exec(s) as RegExpExecArray;
    return Number(m[1]) * (SIZE_FACTOR[m[2] as string] as number);
  });
