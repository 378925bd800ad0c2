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
}
