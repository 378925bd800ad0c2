// The process image between the simulated plant and its simulated devices: what each
// sensor reads now (noise and sensor faults applied), status bits, and what the
// controller has written. The plant fills it every step; the devices serve it over Modbus.

export class ProcessImage {
  /** Sensor readings in engineering units, by tag. */
  readonly analog = new Map<string, number>();
  /** Instrument status bits by tag (analyzer: bit0 sensor fault, bit1 hold, bit2 warning). */
  readonly status = new Map<string, number>();
  /** 4–20 mA inputs whose wire is broken (they read below 3.6 mA). */
  readonly wireBreak = new Set<string>();
  /** Discrete inputs by tag (limit switches, run feedback, level switches). */
  readonly bits = new Map<string, boolean>();
  /** Coils by tag, as the controller last wrote them. */
  readonly coils = new Map<string, boolean>();
  /** Holding registers the controller writes (drive control words and speed references), by "device:address". */
  readonly holding = new Map<string, number>();

  read(tag: string): number {
    return this.analog.get(tag) ?? 0;
  }

  /** Drive read-backs by device name (e.g. "vfd-p101"); the controller's writes are in `holding`. */
  readonly drives = new Map<string, DriveReadback>();
  /** Flow totalizers in m³ by tag (flowmeter IR2–3). */
  readonly totals = new Map<string, number>();
}

/** What a drive reports back (drive profile HR50..54), in engineering units; the plant sets it. */
export interface DriveReadback {
  ready: boolean;
  running: boolean;
  fault: boolean;
  /** Actual speed, % of full. */
  speedPct: number;
  currentA: number;
  powerKw: number;
  faultCode: number;
}
