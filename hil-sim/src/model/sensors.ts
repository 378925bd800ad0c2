// The sensor layer: what each instrument reports, as opposed to the plant's truth. Adds
// per-tag noise (seeded, one stream per tag so one tag's reads never shift another's noise)
// and the scenario's sensor faults: stuck, offset, drift, spike, extra noise, NE 43 wire
// break and analyzer status bits. The device layer reads values and flags from here.
import { isActive, type FaultEvent, type FaultRegistry } from "./faults.js";
import { deriveSeed, Prng } from "./prng.js";
import { DRIVES, FLOW_TAGS, SENSOR_TAGS } from "./tags.js";

export interface SensorSpec {
  /** Noise, 1σ in the tag's unit. */
  sigma: number;
  /** The instrument updates its output this often; noise is held in between. */
  periodMs: number;
  /** True magnitudes below this read exactly 0 (flowmeter low-flow cut-off, drive at rest). */
  cutoff: number;
}

const spec = (sigma: number, periodMs: number, cutoff = 0): SensorSpec => ({ sigma, periodMs, cutoff });

/** Typical instrument noise for the reference skid's tags. */
export function defaultSensorSpecs(): Record<string, SensorSpec> {
  const s: Record<string, SensorSpec> = {};
  for (const t of SENSOR_TAGS) s[t] = spec(0, 100);
  for (const t of ["LIT-101", "LIT-202", "LIT-601"]) s[t] = spec(0.05, 100);
  s["PIT-201"] = spec(0.005, 100);
  s["PIT-202"] = spec(0.005, 100);
  s["PIT-301"] = spec(0.03, 100);
  for (const t of FLOW_TAGS) s[t] = spec(0.1, 200, 0.1);
  s["AIT-201"] = spec(0.003, 1000);
  s["AIT-301"] = spec(5, 1000);
  s["AIT-302"] = spec(0.3, 1000);
  s["AIT-401"] = spec(0.01, 1000);
  s["AIT-402"] = spec(0.01, 1000);
  s["AIT-403"] = spec(0.002, 1000);
  s["TIT-401"] = spec(0.03, 1000);
  for (const d of DRIVES) {
    s[`${d}.speed`] = spec(0.05, 100, 0.01);
    s[`${d}.current`] = spec(0.1, 100, 0.01);
    s[`${d}.power`] = spec(0.05, 100, 0.01);
  }
  return s;
}

export interface TruthSource {
  measure(tag: string): number;
}

interface TagState {
  rng: Prng;
  noise: number;
  extra: number;
  nextSampleMs: number;
  last: number | undefined;
  /** Frozen readings of `stuck` faults without a value, per fault. */
  frozen: Map<FaultEvent, number>;
}

export class Sensors {
  private readonly specs: Record<string, SensorSpec>;
  private readonly states = new Map<string, TagState>();

  constructor(
    private readonly truth: TruthSource,
    private readonly faults: FaultRegistry,
    private readonly seed: number,
    overrides: Record<string, Partial<SensorSpec>> = {},
  ) {
    this.specs = defaultSensorSpecs();
    for (const [tag, o] of Object.entries(overrides)) this.specs[tag] = { ...(this.specs[tag] ?? spec(0, 100)), ...o };
  }

  /** The instrument's reading of a tag at nowMs (same unit as Plant.measure). */
  read(tag: string, nowMs: number): number {
    const sp = this.specs[tag] ?? spec(0, 100);
    const st = this.state(tag);
    if (nowMs >= st.nextSampleMs) {
      st.noise = sp.sigma > 0 ? sp.sigma * st.rng.gaussian() : 0;
      st.extra = st.rng.gaussian();
      st.nextSampleMs = (Math.floor(nowMs / sp.periodMs) + 1) * sp.periodMs;
    }
    const truth = this.truth.measure(tag);
    let v = sp.cutoff > 0 && Math.abs(truth) < sp.cutoff ? 0 : truth + st.noise;
    for (const e of this.faults.forTag(tag)) {
      if (!isActive(e, nowMs)) continue;
      switch (e.fault) {
        case "offset":
          v += e.value ?? 0;
          break;
        case "drift":
          v += ((e.rate ?? 0) * (nowMs - e.atMs)) / 3_600_000;
          break;
        case "noise":
          v += (e.value ?? 0) * st.extra;
          break;
        case "spike":
          v = e.value ?? v;
          break;
        case "stuck": {
          if (e.value !== undefined) {
            v = e.value;
            break;
          }
          let frozen = st.frozen.get(e);
          if (frozen === undefined) {
            // Frozen at what the instrument showed last, so the reading goes truly flat.
            frozen = st.last ?? v;
            st.frozen.set(e, frozen);
          }
          v = frozen;
          break;
        }
        default:
          break;
      }
    }
    st.last = v;
    return v;
  }

  /** A 4–20 mA loop with a `wire-break` fault: the device layer serves < 3600 µA (NAMUR NE 43). */
  wireBreak(tag: string, nowMs: number): boolean {
    return this.faults.forTag(tag).some((e) => e.fault === "wire-break" && isActive(e, nowMs));
  }

  /** Analyzer/flowmeter status bits forced by `status` faults (OR of their masks; 0 = healthy). */
  statusBits(tag: string, nowMs: number): number {
    let bits = 0;
    for (const e of this.faults.forTag(tag)) if (e.fault === "status" && isActive(e, nowMs)) bits |= e.value ?? 0;
    return bits;
  }

  private state(tag: string): TagState {
    let st = this.states.get(tag);
    if (!st) {
      const index = SENSOR_TAGS.indexOf(tag);
      const stream = index >= 0 ? index + 1 : 1000 + hash(tag);
      st = { rng: new Prng(deriveSeed(this.seed, stream)), noise: 0, extra: 0, nextSampleMs: Number.NEGATIVE_INFINITY, last: undefined, frozen: new Map() };
      this.states.set(tag, st);
    }
    return st;
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % 1_000_000;
}
