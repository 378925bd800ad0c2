// The one source of truth for the config: TypeScript types, defaults and the JSON Schema
// (config/reclaim.schema.json is generated from this module by `npm run schema`).
import { z } from "zod";
import { dataSize, duration } from "./units.js";

export const CONFIG_VERSION = 1;

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "letters, digits, '_', '.', '-'; starting with a letter");
const range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, "range must be [low, high] with low < high");

export const tcpLineSchema = z
  .object({
    name,
    type: z.literal("tcp"),
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(502),
    /** Requests in flight on this connection; most devices answer one at a time. */
    maxInFlight: z.number().int().min(1).max(16).default(1),
    connectTimeout: duration.prefault("2s"),
  })
  .strict();

export const rtuLineSchema = z
  .object({
    name,
    type: z.literal("rtu"),
    path: z.string(),
    baud: z.number().int().positive().default(19200),
    parity: z.enum(["none", "even", "odd"]).default("even"),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    /** Share of the line's time the poll plan may use. */
    budget: z.number().gt(0).max(1).default(0.7),
  })
  .strict();

export const lineSchema = z.discriminatedUnion("type", [tcpLineSchema, rtuLineSchema]);

export const deviceSchema = z
  .object({
    name,
    line: name,
    unit: z.number().int().min(0).max(255),
    timeout: duration.prefault("300ms"),
    retries: z.number().int().min(0).max(5).default(1),
    /**
     * Requests in a row without good data (no answer, garbled, or a Modbus exception) before the
     * device is offline; no-answers in a row before it is also demoted (polled once per demotion period).
     */
    demoteAfter: z.number().int().min(1).default(3),
    demotionPeriod: duration.prefault("5s"),
    /** The largest block one request may read (devices often allow less than the protocol's 125). */
    maxRegisters: z.number().int().min(1).max(125).default(125),
    maxBits: z.number().int().min(1).max(2000).default(2000),
    /** The largest run of unused registers worth reading through to save a request. */
    maxGap: z.number().int().min(0).max(125).default(8),
    description: z.string().optional(),
  })
  .strict();

export const wordOrder = z.enum(["ABCD", "CDAB", "BADC", "DCBA"]);
export const dataType = z.enum(["bool", "int16", "uint16", "int32", "uint32", "float32", "float64"]);

export const statusSchema = z
  .object({
    table: z.enum(["input", "holding"]).default("input"),
    address: z.number().int().min(0).max(65535),
    /** Bits that make the value bad (device or sensor fault). */
    badMask: z.number().int().min(0).max(0xffff).default(0),
    /** Bits that make the value bad because the instrument is in calibration or hold. */
    holdMask: z.number().int().min(0).max(0xffff).default(0),
    /** Bits that make the value uncertain (warning). */
    uncertainMask: z.number().int().min(0).max(0xffff).default(0),
  })
  .strict();

export const modbusSourceSchema = z
  .object({
    device: name,
    table: z.enum(["coil", "discrete", "input", "holding"]),
    address: z.number().int().min(0).max(65535),
    type: dataType.default("uint16"),
    wordOrder: wordOrder.default("ABCD"),
    /** For a bit inside a 16-bit register. */
    bit: z.number().int().min(0).max(15).optional(),
    /** Linear scaling from raw counts to engineering units. */
    scale: z.object({ raw: range, eu: range }).strict().optional(),
    /** NAMUR NE 43 wire-fault detection on a 4–20 mA input in µA: below/above these raw values the wire is broken. */
    ne43: z.object({ low: z.number(), high: z.number() }).strict().optional(),
    status: statusSchema.optional(),
    poll: duration.prefault("1s"),
    /** Written by the controller (coils, holding registers). */
    writable: z.boolean().default(false),
    /**
     * A writable tag's last value is re-written this often even if it did not change, so that a
     * device that dropped its outputs (a coupler's fieldbus watchdog, a power cycle, a hung
     * controller's silence) gets them back without anyone noticing first.
     */
    refresh: duration.prefault("10s"),
  })
  .strict();

export const gpioSourceSchema = z
  .object({
    gpio: z.number().int().min(0),
    direction: z.enum(["in", "out"]),
    activeLow: z.boolean().default(false),
    debounce: duration.prefault("0ms"),
  })
  .strict();

export const tagSchema = z
  .object({
    name,
    description: z.string().default(""),
    unit: z.string().default(""),
    /** Instrument range: a value outside it is bad (out of range). */
    range: range.optional(),
    kind: z.enum(["analog", "bool"]).default("analog"),
    modbus: modbusSourceSchema.optional(),
    gpio: gpioSourceSchema.optional(),
    /** A derived tag: an expression over other tags (see src/core/expr). */
    expr: z.string().optional(),
    /** A normally noisy analyzer whose value has not changed for this long is flat-lined (bad). */
    flatline: duration.optional(),
    /** Logging policy for history. */
    history: z
      .object({
        deadband: z.number().min(0).default(0),
        deadbandPercent: z.number().min(0).max(100).optional(),
        minInterval: duration.prefault("0ms"),
        maxInterval: duration.prefault("60s"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((t) => [t.modbus, t.gpio, t.expr].filter((s) => s !== undefined).length <= 1, {
    message: "a tag has at most one source: modbus, gpio or expr",
  });

const limitSchema = z
  .object({ high: z.number().optional(), low: z.number().optional() })
  .strict()
  .refine((l) => l.high !== undefined || l.low !== undefined, "a limit needs high, low or both");

export const ccpSchema = z
  .object({
    name,
    description: z.string().default(""),
    tag: name,
    alert: limitSchema,
    critical: limitSchema,
    /** How long the value may stay past the critical limit before the product is diverted. */
    delay: duration,
    /** Analyzer response time (T90), counted in the transport-time budget. */
    response: duration.prefault("0ms"),
    /** Volume of pipe between this measurement and the divert valve (m³). */
    transportVolume: z.number().positive(),
  })
  .strict();

export const qualitySchema = z
  .object({
    /** The output tag that energizes the divert valve toward reuse (de-energized = divert). */
    valve: name,
    /** Limit switch made when the valve is in the reuse position. */
    reuseFeedback: name.optional(),
    /** Limit switch made when the valve is in the divert position. */
    divertFeedback: name.optional(),
    /** How long the valve may take to reach a commanded position before a discrepancy. */
    discrepancy: duration.prefault("5s"),
    /** Valve travel time, for the transport-time budget. */
    travel: duration.prefault("3s"),
    /** GPIO permissive relay in series with the valve's solenoid. */
    permissive: name.optional(),
    /**
     * Product flow tag (m³/h): the return to reuse waits until the pipes between the CCP
     * analyzers and the valve have been flushed with verified water, measured with it.
     * Without one, the design flow is assumed.
     */
    flowTag: name.optional(),
    /**
     * Another measurement of (nearly) the same flow, such as the RO permeate flow, used while
     * flowTag is not good; without it (or with both bad) no volume counts and the product
     * stays diverted until a flow is measured again.
     */
    flowBackup: name.optional(),
    /** The design flow (m³/h), for the transport-time budget. */
    designFlow: z.number().positive(),
    /** Every CCP in spec without a break for this long before reuse may resume. */
    verification: duration.prefault("300s"),
    autoReturn: z.boolean().default(false),
    ccps: z.array(ccpSchema).min(1),
  })
  .strict();

const packmlCommand = z.enum(["Reset", "Start", "Stop", "Hold", "Unhold", "Suspend", "Unsuspend", "Abort", "Clear"]);
const priority = z.enum(["critical", "high", "medium", "low"]);
const outputValue = z.union([z.boolean(), z.number()]);

/** Base output logic: each controller-written tag's intent as an expression (see src/core/expr). */
export const outputSchema = z
  .object({
    tag: name,
    /** The intent: a boolean or numeric expression over tags, `state`, `mode` and `qualityMode`. */
    value: z.string(),
  })
  .strict();

export const alarmSchema = z
  .object({
    name,
    message: z.string().optional(),
    /** The alarm condition: a boolean expression. */
    condition: z.string(),
    priority: priority.default("medium"),
    onDelay: duration.prefault("0ms"),
    offDelay: duration.prefault("0ms"),
    group: z.string().optional(),
    /** Suppressed by design in these PackML states (e.g. low-flow alarms while Stopped). */
    suppressWhen: z.array(z.string()).optional(),
    shelvable: z.boolean().default(true),
  })
  .strict();

/** One row of the cause-and-effect matrix of equipment protection. */
export const protectionSchema = z
  .object({
    name,
    description: z.string().default(""),
    /** The cause: a boolean expression; it must hold for `delay` before the effects act. */
    cause: z.string(),
    delay: duration.prefault("0ms"),
    /** When the effects end (hysteresis); by default when the cause no longer holds. */
    clear: z.string().optional(),
    /** Outputs forced while the row is active; they win over sequences and the base logic. */
    force: z.record(z.string(), outputValue).default({}),
    /** PackML command issued when the row trips. */
    command: packmlCommand.optional(),
    /** PackML command issued when the row clears (e.g. Unsuspend after starvation). */
    resume: packmlCommand.optional(),
    /** Trip and latch the product divert, like a CCP. */
    divert: z.boolean().default(false),
    /** Start a sequence when the row trips. */
    sequence: name.optional(),
    /**
     * A cause that cannot be evaluated (a bad input): `act`, fail safe, the default; or
     * `ignore`, for a cross-check that backs up a CCP whose own analyzer still decides: the
     * backup instrument failing does not make the water off-spec, and diverting would throw
     * good water away (its bad quality shows on the tag and in the status).
     */
    onBad: z.enum(["act", "ignore"]).default("act"),
    alarm: z.object({ priority: priority.default("high"), message: z.string().optional() }).strict().optional(),
  })
  .strict();

export const sequenceStepSchema = z
  .object({
    name: z.string(),
    outputs: z.record(z.string(), outputValue).default({}),
    until: z.string().optional(),
    duration: duration.optional(),
    timeout: duration.optional(),
  })
  .strict();

export const sequenceSchema = z
  .object({
    name,
    description: z.string().default(""),
    trigger: z
      .object({
        every: duration.optional(),
        while: z.string().optional(),
        when: z.string().optional(),
        minInterval: duration.optional(),
        permit: z.string().optional(),
      })
      .strict()
      .optional(),
    outputs: z.record(z.string(), outputValue).default({}),
    divert: z.boolean().default(false),
    steps: z.array(sequenceStepSchema).min(1),
  })
  .strict();

export const setpointSchema = z
  .object({
    name,
    description: z.string().default(""),
    unit: z.string().default(""),
    value: z.number(),
    /** Engineering limits: a setpoint change outside them is refused. */
    min: z.number(),
    max: z.number(),
  })
  .strict()
  .refine((s) => s.min <= s.value && s.value <= s.max, "value must lie within [min, max]");

export const totalsSchema = z
  .object({
    feed: name.optional(),
    product: name.optional(),
    permeate: name.optional(),
    concentrate: name.optional(),
    /** Drive power tags (kW) for specific energy. */
    power: z.array(name).default([]),
    persistEvery: duration.prefault("60s"),
  })
  .strict();

export const configSchema = z
  .object({
    version: z.literal(CONFIG_VERSION),
    skid: z
      .object({
        id: name,
        name: z.string().default(""),
        scanPeriod: duration.prefault("100ms"),
        /** Go to Execute on start-up without an operator Start (unattended skids). */
        autoStart: z.boolean().default(false),
      })
      .strict(),
    opcua: z
      .object({
        enabled: z.boolean().default(true),
        port: z.number().int().min(0).max(65535).default(4840),
        host: z.string().optional(),
        /** Offer SecurityPolicy None (anonymous, read-only browsing); never on a production skid. */
        allowInsecure: z.boolean().default(false),
        /** Anonymous sessions (read-only); off means every session logs in with a user of the users file. */
        allowAnonymous: z.boolean().default(false),
        /** Users file managed by `reclaim users` (default: users.yaml next to the store). */
        usersFile: z.string().optional(),
        /** Sessions served at once (SCADA servers, engineering tools, historians). */
        maxSessions: z.number().int().min(1).max(200).default(20),
      })
      .strict()
      .default({ enabled: true, port: 4840, allowInsecure: false, allowAnonymous: false, maxSessions: 20 }),
    store: z
      .object({
        path: z.string().default("data/reclaim.sqlite"),
        flushInterval: duration.prefault("1s"),
        retention: z
          .object({ maxAge: duration.prefault("90d"), maxSize: dataSize.prefault("2GB") })
          .strict()
          .default({ maxAge: 90 * 86_400_000, maxSize: 2e9 }),
      })
      .strict()
      .default({ path: "data/reclaim.sqlite", flushInterval: 1000, retention: { maxAge: 90 * 86_400_000, maxSize: 2e9 } }),
    control: z
      .object({ socket: z.string().default("data/reclaim.sock") })
      .strict()
      .default({ socket: "data/reclaim.sock" }),
    gpio: z
      .object({
        /** onoff: sysfs on the gateway; fake: in memory; remote: another process's GPIO over a Unix socket (src/field/gpio/remote.ts). */
        backend: z.enum(["onoff", "fake", "remote"]).default("onoff"),
        /** Kernel GPIO numbers start here (512 or 571 on current kernels). */
        lineBase: z.number().int().min(0).default(0),
        /** The remote backend's Unix socket (the simulator's GPIO server). */
        socket: z.string().min(1).optional(),
      })
      .strict()
      .refine((g) => g.backend !== "remote" || g.socket !== undefined, { message: "gpio.backend remote needs gpio.socket (the GPIO server's Unix socket)", path: ["socket"] })
      .default({ backend: "onoff", lineBase: 0 }),
    lines: z.array(lineSchema).default([]),
    devices: z.array(deviceSchema).default([]),
    tags: z.array(tagSchema).min(1),
    quality: qualitySchema,
    setpoints: z.array(setpointSchema).default([]),
    outputs: z.array(outputSchema).default([]),
    protection: z.array(protectionSchema).default([]),
    alarms: z.array(alarmSchema).default([]),
    sequences: z.array(sequenceSchema).default([]),
    /** The sequence that runs in Starting (e.g. flush to drain); Starting completes when it ends. */
    startSequence: name.optional(),
    totals: totalsSchema.prefault({}),
    safety: z
      .object({
        /** GPIO output toggled by every scan: an external watchdog relay drops the permissive when it stops. */
        heartbeat: name.optional(),
        /** Horn/beacon: on while a critical or high alarm is unacknowledged. */
        horn: name.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** The config as written in YAML (durations as strings). */
export type ConfigInput = z.input<typeof configSchema>;
/** The config after validation: defaults filled in, durations in milliseconds. */
export type Config = z.output<typeof configSchema>;
export type LineConfig = z.output<typeof lineSchema>;
export type TcpLineConfig = z.output<typeof tcpLineSchema>;
export type RtuLineConfig = z.output<typeof rtuLineSchema>;
export type DeviceConfig = z.output<typeof deviceSchema>;
export type TagConfig = z.output<typeof tagSchema>;
export type ModbusSource = z.output<typeof modbusSourceSchema>;
export type GpioSource = z.output<typeof gpioSourceSchema>;
export type CcpConfig = z.output<typeof ccpSchema>;
export type QualityConfig = z.output<typeof qualitySchema>;
export type DataType = z.output<typeof dataType>;
export type OutputConfig = z.output<typeof outputSchema>;
export type AlarmConfig = z.output<typeof alarmSchema>;
export type ProtectionConfig = z.output<typeof protectionSchema>;
export type SequenceConfig = z.output<typeof sequenceSchema>;
export type SetpointConfig = z.output<typeof setpointSchema>;
export type WordOrder = z.output<typeof wordOrder>;

/** The JSON Schema of the config file, for editors and the CLI. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
}
