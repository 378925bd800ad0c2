// rio-1: a remote I/O coupler (REFERENCE-SKID.md). Coils 0 P-202, 1 P-401, 2 XV-203,
// 3 XV-501; discrete inputs 0 P-202 running, 1 P-401 running, 2 ZSO-501, 3 ZSC-501,
// 4 LSL-101; input registers 0–5 the 4–20 mA loops in µA. With a fieldbus watchdog, as real
// couplers have (the Simulator turns it on, `rioWatchdogMs`, 3 s by default): when no request
// arrives for `timeoutMs`, every coil is de-energized (the outputs' fault state), so a
// controller that dies or loses the network cannot leave a pump running or XV-501 energized.
import type { Clock, TimerHandle } from "../../../src/time/clock.js";
import { SlaveException, type SlaveDevice } from "../modbus/slave.js";
import { NO_FAULTS, type DeviceFaultSource } from "./fault-source.js";
import type { ProcessImage } from "./image.js";
import { loopMicroamps } from "./words.js";

export const RIO_COILS = ["P-202", "P-401", "XV-203", "XV-501"] as const;
export const RIO_INPUTS = ["P-202-RUN", "P-401-RUN", "ZSO-501", "ZSC-501", "LSL-101"] as const;
/** Loops with their transmitter ranges. */
export const RIO_LOOPS: ReadonlyArray<readonly [string, number, number]> = [
  ["LIT-101", 0, 100],
  ["LIT-202", 0, 100],
  ["LIT-601", 0, 100],
  ["PIT-201", 0, 6],
  ["PIT-202", 0, 6],
  ["PIT-301", 0, 25],
];

function check(address: number, count: number, size: number): void {
  if (address + count > size) throw new SlaveException(2);
}

/**
 * The coupler's fieldbus watchdog. Every request that reaches the coupler restarts it; when
 * none has for `timeoutMs` it trips: the outputs go to their fault state (de-energized) and
 * stay there until the controller writes them again. One timer at a time, re-armed lazily, so
 * a request costs no timer operation; stop() clears it (a simulator's stop, or a test's).
 */
export class FieldbusWatchdog {
  /** Times the watchdog has tripped. */
  trips = 0;
  private lastRequestMs: number;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
    private readonly onTrip: () => void,
  ) {
    if (!(timeoutMs > 0)) throw new RangeError(`fieldbus watchdog timeout must be > 0 ms, got ${timeoutMs}`);
    this.lastRequestMs = clock.now();
  }

  /** A request reached the coupler (the first one arms the watchdog). */
  kick(): void {
    if (this.stopped) return;
    this.lastRequestMs = this.clock.now();
    this.timer ??= this.clock.setTimer(() => this.check(), this.timeoutMs);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const quiet = this.clock.now() - this.lastRequestMs;
    if (quiet >= this.timeoutMs) {
      // Tripped: no timer until the next request (which re-arms it).
      this.trips++;
      this.onTrip();
      return;
    }
    this.timer = this.clock.setTimer(() => this.check(), this.timeoutMs - quiet);
  }
}

export interface RioOptions {
  name?: string;
  unit?: number;
  faults?: DeviceFaultSource;
  /**
   * The fieldbus watchdog: coils de-energize after `timeoutMs` (of `clock`'s time) without a
   * request. Off when not given here; the Simulator gives it (sim.ts `rioWatchdogMs`).
   */
  watchdog?: { clock: Clock; timeoutMs: number };
}

export type RioDevice = SlaveDevice & {
  /** The fieldbus watchdog, when enabled. */
  readonly watchdog: FieldbusWatchdog | null;
};

export function rioDevice(image: ProcessImage, opts: RioOptions = {}): RioDevice {
  const name = opts.name ?? "rio-1";
  const faults = opts.faults ?? NO_FAULTS;
  const watchdog = opts.watchdog
    ? new FieldbusWatchdog(opts.watchdog.clock, opts.watchdog.timeoutMs, () => {
        for (const c of RIO_COILS) image.coils.set(c, false);
      })
    : null;
  // Armed by the first request, as couplers do: a plant that nobody has polled yet keeps its outputs.
  const kick = (): void => watchdog?.kick();
  return {
    name,
    watchdog,
    unit: opts.unit ?? 1,
    responseDelayMs: 3,
    maxRegisters: 125,
    maxBits: 2000,
    readBits: (table, address, count) => {
      kick();
      const names = table === "coil" ? RIO_COILS : RIO_INPUTS;
      check(address, count, names.length);
      const src = table === "coil" ? image.coils : image.bits;
      return names.slice(address, address + count).map((n) => src.get(n) ?? false);
    },
    readRegisters: (table, address, count) => {
      kick();
      if (table !== "input") throw new SlaveException(2);
      check(address, count, RIO_LOOPS.length);
      return RIO_LOOPS.slice(address, address + count).map(([tag, lo, hi]) => loopMicroamps(image.read(tag), lo, hi, image.wireBreak.has(tag)));
    },
    writeBits: (address, values) => {
      kick();
      check(address, values.length, RIO_COILS.length);
      values.forEach((v, i) => image.coils.set(RIO_COILS[address + i] as string, v));
    },
    writeRegisters: () => {
      kick();
      throw new SlaveException(1);
    },
    faults: () => faults(name),
  };
}
