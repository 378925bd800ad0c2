// The reference skid's names as the plant knows them (REFERENCE-SKID.md): what the controller
// can drive, every tag the plant can measure, and the devices that serve them.

/** rio-1 coils 0..3, in address order. */
export const COILS = ["P-202", "P-401", "XV-203", "XV-501"] as const;
export type CoilName = (typeof COILS)[number];

/** GPIO outputs of the controller that the plant sees. */
export const GPIO_OUTPUTS = ["XY-501", "WD-001", "XA-001"] as const;
export type GpioOutputName = (typeof GPIO_OUTPUTS)[number];

export const DRIVES = ["vfd-p101", "vfd-p301"] as const;
export type DriveName = (typeof DRIVES)[number];

/** Per-drive readings, measured as `<drive>.<field>` (e.g. "vfd-p101.current"). */
export const DRIVE_FIELDS = ["status", "speed", "current", "power", "faultCode"] as const;
export type DriveField = (typeof DRIVE_FIELDS)[number];

/** 4–20 mA loop inputs of rio-1 (the only tags a `wire-break` fault makes sense for). */
export const CURRENT_LOOP_TAGS = ["LIT-101", "LIT-202", "LIT-601", "PIT-201", "PIT-202", "PIT-301"] as const;

export const ANALYZER_TAGS = ["AIT-201", "AIT-301", "AIT-302", "AIT-401", "AIT-402", "AIT-403", "TIT-401"] as const;

export const FLOW_TAGS = ["FIT-201", "FIT-301", "FIT-302", "FIT-501"] as const;
/** Flowmeter totalizers (m³); FQ-501 is REFERENCE-SKID.md's, the others follow its pattern. */
export const TOTALIZER_TAGS = ["FQ-201", "FQ-301", "FQ-302", "FQ-501"] as const;

/** Discrete inputs: 1 = made / true. HS-001 is normally closed: 1 = closed (healthy), 0 = pressed. */
export const SWITCH_TAGS = ["P-202-RUN", "P-401-RUN", "ZSO-501", "ZSC-501", "LSL-101", "HS-001"] as const;

/** Every tag a sensor fault can target and `Plant.measure` answers. */
export const SENSOR_TAGS: readonly string[] = [
  ...CURRENT_LOOP_TAGS,
  ...FLOW_TAGS,
  ...TOTALIZER_TAGS,
  ...ANALYZER_TAGS,
  ...SWITCH_TAGS,
  ...DRIVES.flatMap((d) => DRIVE_FIELDS.map((f) => `${d}.${f}`)),
];

/** Derived values `measure` also answers (not sensors: no noise, no sensor faults). */
export const DERIVED_TAGS = ["DPIT-201", "RJ-301"] as const;

/** The Modbus devices the simulator serves (REFERENCE-SKID.md "Field devices"). */
export const DEVICES = ["vfd-p101", "vfd-p301", "flow-201", "flow-301", "flow-302", "flow-501", "analyzer-1", "rio-1"] as const;

/** Indices into a water parcel's quality vector (what travels with the water in plug flow). */
export const Q = {
  /** Turbidity, NTU. */
  TURB: 0,
  /** RO permeate conductivity as AIT-302 saw it, µS/cm. */
  COND: 1,
  /** RO feed conductivity at the same moment (for rejection), µS/cm. */
  FEED_COND: 2,
  /** Free chlorine, mg/L. */
  CL: 3,
  PH: 4,
  /** Temperature, °C. */
  TEMP: 5,
} as const;
export const NQ = 6;
