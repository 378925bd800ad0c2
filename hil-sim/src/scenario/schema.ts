// The scenario file format as a zod schema: the one source of the input types, the checks
// and hil-sim/scenario.schema.json. Targets (tags, devices) are checked against lists given
// by the caller, so the same format serves any skid.
import { z } from "zod";
import { DURATION_RE, parseDuration } from "../../../src/config/units.js";
import { FAULT_NAMES, type FaultName } from "../model/faults.js";
import { DEFAULT_PARAMS } from "../model/params.js";
import { CURRENT_LOOP_TAGS, DEVICES, DRIVES, SENSOR_TAGS } from "../model/tags.js";
import { PACKML_STATES, QUALITY_MODES } from "./types.js";

/** The names a scenario may target. */
export interface KnownTargets {
  tags: readonly string[];
  devices: readonly string[];
  /** Devices `drive-trip` may name. */
  drives: readonly string[];
  /** Tags `wire-break` may name (4–20 mA loops). */
  currentLoopTags: readonly string[];
}

export const REFERENCE_TARGETS: KnownTargets = Object.freeze({
  tags: SENSOR_TAGS,
  devices: DEVICES,
  drives: DRIVES,
  currentLoopTags: CURRENT_LOOP_TAGS,
});

// Same grammar as src/config/units.ts, with a message that also covers a bare number.
const DURATION_HINT = 'a duration with its unit, such as "500ms", "10s", "5m", "2h"';
const dur = z
  .string({ error: `expected ${DURATION_HINT}` })
  .regex(DURATION_RE, `expected ${DURATION_HINT}`)
  .transform((s) => parseDuration(s) as number);

type Param = "value" | "rate" | "code" | "delay" | "position";
type Target = "tag" | "device" | "drive" | "none";

interface Rule {
  target: Target;
  /** Params that must be present; `anyOf` needs at least one of its list. */
  required?: Param[];
  anyOf?: Param[];
  allowed?: Param[];
  what: string;
}

/** What each fault needs: the README's fault table is written from this. */
export const FAULT_RULES: Readonly<Record<FaultName, Rule>> = {
  stuck: { target: "tag", allowed: ["value"], what: "reading frozen at value, or at the last reading" },
  offset: { target: "tag", required: ["value"], what: "reading + value" },
  drift: { target: "tag", required: ["rate"], what: "reading + rate per hour since the start" },
  spike: { target: "tag", required: ["value"], what: "reads value" },
  noise: { target: "tag", required: ["value"], what: "extra noise, 1σ = value" },
  "wire-break": { target: "tag", what: "4–20 mA loop reads below 3600 µA" },
  status: { target: "tag", required: ["value"], what: "status bits = value (bit mask)" },
  offline: { target: "device", what: "device does not answer" },
  exception: { target: "device", required: ["code"], what: "device answers with Modbus exception code" },
  slow: { target: "device", required: ["delay"], what: "device answers after delay" },
  corrupt: { target: "device", what: "device answers with a corrupted frame" },
  "feed-turbidity": { target: "none", required: ["value"], what: "UF inlet turbidity, NTU, breaking through the UF" },
  "feed-conductivity": { target: "none", required: ["value"], what: "RO feed conductivity, µS/cm" },
  "membrane-breach": { target: "none", required: ["value"], what: "RO salt rejection, %" },
  "uf-fouling": { target: "none", anyOf: ["value", "rate"], what: "UF TMP + value bar, growing at rate bar/h" },
  "dosing-failure": { target: "none", what: "P-401 runs but doses nothing" },
  "valve-stuck": { target: "none", allowed: ["position"], what: "XV-501 sticks where it is, or when it reaches position" },
  "drive-trip": { target: "drive", allowed: ["value"], what: "drive trips with fault code value (default 1)" },
  estop: { target: "none", what: "HS-001 opens" },
  "eq-inflow": { target: "none", required: ["value"], what: "EQ inflow, m³/h" },
  "reuse-demand": { target: "none", required: ["value"], what: "reuse tank draw-off, m³/h" },
  "product-ph": { target: "none", required: ["value"], what: "product pH at the analyzers" },
  "ro-overpressure": { target: "none", required: ["value"], what: "PIT-301 + value bar while the RO runs" },
};

const PARAMS: readonly Param[] = ["value", "rate", "code", "delay", "position"];

const eventShape = z
  .object({
    at: dur.describe("when the fault starts, from the scenario's start"),
    for: dur
      .refine((ms) => ms > 0, "must be longer than 0")
      .optional()
      .describe("how long it lasts; absent = to the end"),
    fault: z.enum(FAULT_NAMES, { error: (iss) => `unknown fault ${JSON.stringify(iss.input)}; one of: ${FAULT_NAMES.join(", ")}` }),
    tag: z.string().optional().describe("sensor faults: the tag"),
    device: z.string().optional().describe("device faults and drive-trip: the device"),
    value: z.number().optional().describe("stuck-at, offset, spike, extra noise sigma, status bit mask, process value or drive fault code"),
    rate: z.number().optional().describe("drift (and uf-fouling growth): per hour"),
    code: z.number().int().min(1).max(255).optional().describe("exception: the Modbus exception code"),
    delay: dur.optional().describe("slow: extra response delay"),
    position: z.enum(["reuse", "divert"]).optional().describe("valve-stuck: the end position it sticks in; absent = where it is"),
  })
  .strict();
type EventInput = z.output<typeof eventShape>;

/** Whether a half-parsed event is far enough along for the target checks (so they report alongside shape errors). */
function hasKnownFault(payload: { value: unknown }): boolean {
  const v = payload.value as { fault?: unknown } | null;
  return typeof v === "object" && v !== null && (FAULT_NAMES as readonly unknown[]).includes(v.fault);
}

function eventSchema(known: KnownTargets) {
  return eventShape.superRefine((e, ctx) => checkEvent(e, known, (path, message) => ctx.addIssue({ code: "custom", path, message })), { when: hasKnownFault });
}

const window = z.object({ after: dur, within: dur }).strict();
const span = z
  .object({ from: dur, to: dur })
  .strict()
  .refine((sp) => sp.from < sp.to, { path: ["to"], message: "must be later than from" });
const alarmName = z.string().min(1);

export const EXPECTATION_KINDS = ["divert", "noDivert", "trip", "noTrip", "alarm", "noAlarm", "offSpecToReuseL", "reuseM3", "finalState", "qualityMode"] as const;

const expectationSchema = z
  .object({
    divert: window.optional(),
    noDivert: span.optional(),
    trip: window.optional(),
    noTrip: span.optional(),
    alarm: z.object({ name: alarmName, after: dur.optional(), within: dur.optional() }).strict().optional(),
    noAlarm: z.object({ name: alarmName, from: dur.optional(), to: dur.optional() }).strict().optional(),
    offSpecToReuseL: z.object({ max: z.number().min(0) }).strict().optional(),
    reuseM3: z.object({ min: z.number().min(0).optional(), max: z.number().min(0).optional() }).strict().optional(),
    finalState: z.enum(PACKML_STATES).optional(),
    qualityMode: z.enum(QUALITY_MODES).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const keys = Object.keys(e);
    // An unknown key alone has been reported already: do not add "got none" to it.
    const unknownKey = ctx.issues.some((i) => i.code === "unrecognized_keys");
    if (keys.length !== 1 && !(keys.length === 0 && unknownKey)) {
      ctx.addIssue({ code: "custom", message: `one expectation per item (${EXPECTATION_KINDS.join(", ")}), got ${keys.length === 0 ? "none" : keys.join(" + ")}` });
    }
  })
  // The same rule for editors: the refinement above does not reach the JSON Schema.
  .meta({ minProperties: 1, maxProperties: 1 });

// Plant overrides: any numeric or boolean PlantParams key, typed by its default.
const plantKeys = Object.entries(DEFAULT_PARAMS).filter(([, v]) => typeof v === "number" || typeof v === "boolean");
const plantSchema = z
  .object(Object.fromEntries(plantKeys.map(([k, v]) => [k, (typeof v === "number" ? z.number() : z.boolean()).optional()])))
  .strict();

function checkEvent(e: EventInput, known: KnownTargets, add: (path: (string | number)[], message: string) => void): void {
  const rule = FAULT_RULES[e.fault];
  const needs = (key: "tag" | "device", list: readonly string[], noun: string) => {
    const v = e[key];
    if (v === undefined) add([key], `fault "${e.fault}" needs a ${key}`);
    else if (!list.includes(v)) add([key], `unknown ${noun} "${v}"`);
  };
  if (rule.target === "tag") needs("tag", known.tags, "tag");
  if (rule.target === "device") needs("device", known.devices, "device");
  if (rule.target === "drive") needs("device", known.drives, "drive (one of " + known.drives.join(", ") + ")");
  if (rule.target !== "tag" && e.tag !== undefined) add(["tag"], `fault "${e.fault}" takes no tag`);
  if (rule.target !== "device" && rule.target !== "drive" && e.device !== undefined) add(["device"], `fault "${e.fault}" takes no device`);
  if (e.fault === "wire-break" && e.tag !== undefined && known.tags.includes(e.tag) && !known.currentLoopTags.includes(e.tag)) {
    add(["tag"], `"wire-break" needs a 4–20 mA input (${known.currentLoopTags.join(", ")}), not "${e.tag}"`);
  }
  for (const p of rule.required ?? []) if (e[p] === undefined) add([p], `fault "${e.fault}" needs ${p}`);
  if (rule.anyOf && rule.anyOf.every((p) => e[p] === undefined)) add([], `fault "${e.fault}" needs ${rule.anyOf.join(" or ")}`);
  const ok = new Set<Param>([...(rule.required ?? []), ...(rule.anyOf ?? []), ...(rule.allowed ?? [])]);
  for (const p of PARAMS) if (e[p] !== undefined && !ok.has(p)) add([p], `${p} does not apply to fault "${e.fault}"`);
  const v = e.value;
  if (v !== undefined) {
    if (e.fault === "membrane-breach" && (v < 0 || v > 100)) add(["value"], "rejection must be 0–100 %");
    if (e.fault === "product-ph" && (v < 0 || v > 14)) add(["value"], "pH must be 0–14");
    if (["feed-turbidity", "feed-conductivity", "eq-inflow", "reuse-demand"].includes(e.fault) && v < 0) add(["value"], "must be ≥ 0");
    if ((e.fault === "status" || e.fault === "drive-trip") && !(Number.isInteger(v) && v >= 0 && v <= 0xffff)) add(["value"], "must be an integer 0–65535");
  }
}

/** The scenario schema, checking targets against `known`. */
export function scenarioSchema(known: KnownTargets = REFERENCE_TARGETS) {
  return z
    .object({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '_', '.', '-'"),
      description: z.string().optional(),
      duration: dur.refine((ms) => ms > 0, "must be longer than 0"),
      seed: z.number().int().min(0).max(0xffffffff).default(1),
      initial: z
        .object({ state: z.enum(PACKML_STATES).default("Execute"), qualityMode: z.enum(QUALITY_MODES).default("Reuse") })
        .strict()
        .default({ state: "Execute", qualityMode: "Reuse" }),
      plant: plantSchema.default({}),
      // An empty `events:` or `expect:` (every item commented out) is YAML null: as if absent.
      events: z.preprocess((v) => v ?? undefined, z.array(eventSchema(known)).default([])),
      expect: z.preprocess((v) => v ?? undefined, z.array(expectationSchema).default([])),
    })
    .strict()
    .superRefine((s, ctx) => {
      s.events.forEach((e, i) => {
        if (e.at > s.duration) ctx.addIssue({ code: "custom", path: ["events", i, "at"], message: "starts after the scenario ends" });
      });
      s.expect.forEach((x, i) => {
        const w = x.divert ?? x.trip;
        if (w && w.after > s.duration) ctx.addIssue({ code: "custom", path: ["expect", i, x.divert ? "divert" : "trip", "after"], message: "is after the scenario ends" });
      });
    });
}

export type ScenarioInput = z.input<ReturnType<typeof scenarioSchema>>;
export type ScenarioParsed = z.output<ReturnType<typeof scenarioSchema>>;
