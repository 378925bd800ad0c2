// A harness around the pure core with the reference config: feeds samples, scans every
// 100 ms of injected time, keeps the events. The "plant" here is only what a test sets:
// values it holds, and the valve's limit switches following XV-501 after a travel time.
import { modelOf, type CoreModel } from "../../src/core/model.js";
import { GOOD, type Quality, type TagSample, type TagValue } from "../../src/core/quality.js";
import { initialState, scan, type CoreEvent, type CoreState } from "../../src/core/scan.js";
import { applyCommand, type CommandRequest, type CoreCommand } from "../../src/core/commands.js";
import type { InitialOptions } from "../../src/core/state.js";
import type { Config } from "../../src/config/schema.js";
import { referenceConfig } from "./config.js";

/** Healthy readings of every analog input of the reference skid. */
export const HEALTHY: Record<string, TagValue> = {
  "AIT-201": 0.05, "AIT-301": 2000, "AIT-302": 40, "AIT-401": 1.0, "AIT-402": 7.4, "AIT-403": 0.08, "TIT-401": 20,
  "LIT-101": 60, "LIT-202": 60, "LIT-601": 50, "PIT-201": 1.5, "PIT-202": 1.2, "PIT-301": 10,
  "FIT-201": 40, "FIT-301": 30, "FIT-302": 10, "FIT-501": 30, "FQ-201": 0, "FQ-301": 0, "FQ-302": 0, "FQ-501": 0,
  "LSL-101": false, "P-202-RUN": false, "P-401-RUN": true,
  "P-101-READY": true, "P-101-RUNNING": true, "P-101-FAULT": false, "P-101-SPEED": 75, "P-101-CURRENT": 20, "P-101-POWER": 11, "P-101-FAULTCODE": 0,
  "P-301-READY": true, "P-301-RUNNING": true, "P-301-FAULT": false, "P-301-SPEED": 80, "P-301-CURRENT": 40, "P-301-POWER": 22, "P-301-FAULTCODE": 0,
};

export class CoreHarness {
  readonly model: CoreModel;
  now = 0;
  state: CoreState;
  values: Record<string, TagValue> = { ...HEALTHY };
  quality: Record<string, Quality> = {};
  events: Array<CoreEvent & { t: number }> = [];
  /** Valve travel (ms) the limit switches take to follow XV-501; Infinity = stuck. */
  travelMs = 2000;
  private valveReuse = false;
  private valveMovingSince: number | null = null;
  private overrunNext = false;

  constructor(opts: { config?: Config; initial?: InitialOptions } = {}) {
    this.model = modelOf(opts.config ?? referenceConfig());
    this.state = initialState(this.model, 0, opts.initial ?? { state: "Execute", qualityMode: "Reuse" });
    this.valveReuse = this.state.divert.mode === "Reuse";
  }

  private sample(tag: string, value: TagValue): TagSample {
    return { tag, value, quality: this.quality[tag] ?? GOOD, sourceTs: this.now, mono: this.now };
  }

  private plantStep(): void {
    const want = this.state.outputs["XV-501"] === true;
    if (want !== this.valveReuse) {
      this.valveMovingSince ??= this.now;
      if (this.now - this.valveMovingSince >= this.travelMs) {
        this.valveReuse = want;
        this.valveMovingSince = null;
      }
    } else this.valveMovingSince = null;
  }

  samples(): TagSample[] {
    const out: TagSample[] = [];
    // Analyzers answer every second with a little noise (a frozen value would be flat-lined).
    const wiggle = (this.now / 1000) % 2 === 0 ? 0 : -1e-5;
    for (const [tag, v] of Object.entries(this.values)) {
      const slow = tag.startsWith("AIT") || tag.startsWith("TIT");
      // (On the first scan everything arrives: the runtime starts scanning after the first poll cycle.)
      if (slow && this.now % 1000 !== 0 && this.state.scans > 0) continue;
      out.push(this.sample(tag, typeof v === "number" && slow ? v + wiggle : v));
    }
    const moving = this.valveMovingSince !== null;
    out.push(this.sample("ZSO-501", this.valveReuse && !moving), this.sample("ZSC-501", !this.valveReuse && !moving));
    for (const d of this.model.devices) out.push(this.sample(`${d}.online`, this.values[`${d}.online`] ?? true));
    return out;
  }

  overrun(): void {
    this.overrunNext = true;
  }

  run(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now += 100;
      this.plantStep();
      const r = scan(this.model, this.state, { samples: this.samples(), overrun: this.overrunNext }, this.now, this.now);
      this.overrunNext = false;
      this.state = r.state;
      for (const e of r.events) this.events.push({ ...e, t: this.now });
    }
  }

  command(command: CoreCommand, role: CommandRequest["role"] = "operator", user = "tech") {
    const r = applyCommand(this.model, this.state, { command, role, user, source: "cli" }, this.now);
    this.state = r.state;
    for (const e of r.events) this.events.push({ ...e, t: this.now });
    return r;
  }

  get mode(): string {
    return this.state.divert.mode;
  }

  eventsOf<T extends CoreEvent["type"]>(type: T): Array<Extract<CoreEvent, { type: T }> & { t: number }> {
    return this.events.filter((e) => e.type === type) as Array<Extract<CoreEvent, { type: T }> & { t: number }>;
  }

  clearEvents(): void {
    this.events = [];
  }
}
