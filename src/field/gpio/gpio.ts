// The seam between the controller and its digital I/O: a backend opens GPIO lines by their
// kernel number and reads or drives their electrical level. Backends: onoff over sysfs
// (onoff.ts) on a gateway, and an in-memory fake (fake.ts) that tests and the simulator
// drive. Logical values, active-low wiring, debounce and safe states live above, in field.ts.

export type GpioDirection = "in" | "out";

export interface GpioPin {
  /** Kernel GPIO number (gpio.lineBase + the tag's line). */
  readonly line: number;
  readonly direction: GpioDirection;
  /** Electrical level: true = high. */
  read(): boolean;
  /** Synchronous on purpose: it must also work on the process 'exit' path. */
  write(high: boolean): void;
  close(): void;
}

export interface GpioBackend {
  readonly kind: "onoff" | "fake" | "remote";
  /**
   * Opens a line. An output starts at `initialHigh` from the first instant (no glitch through
   * the other level). Throws GpioLineMissing when the machine does not have the line.
   */
  open(line: number, direction: GpioDirection, initialHigh: boolean): GpioPin;
}

/** A line the backend cannot open; field.ts gathers these into one GPIO_MISSING error. */
export class GpioLineMissing extends Error {
  constructor(
    readonly line: number,
    readonly where: string,
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(`GPIO ${line} (${where}): ${why}`, options);
    this.name = "GpioLineMissing";
  }
}
