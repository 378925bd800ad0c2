// The wires between the controller's GPIO and the plant, for a config that has them: the
// reuse permissive XY-501, the watchdog heartbeat WD-001 and the horn XA-001 (outputs, to the
// plant) and the emergency stop HS-001 (input, from the plant). The controller gets an
// in-memory GPIO backend (src/field/gpio/fake.ts); this link copies levels across on every
// change of an output and after every simulator step for the input (the plant only changes
// HS-001 in a step, so no timer of its own: on virtual time every timer costs). Without GPIO
// tags in the config the plant is wired "hardwired": XY-501 closed, no watchdog relay.
import type { Subscription } from "rxjs";
import type { Config } from "../../../src/config/schema.js";
import { FakeGpio } from "../../../src/field/gpio/fake.js";
import type { Clock } from "../../../src/time/clock.js";
import type { Simulator } from "../sim.js";

const PLANT_OUTPUTS = ["XY-501", "WD-001", "XA-001"] as const;
type PlantOutput = (typeof PLANT_OUTPUTS)[number];
const ESTOP = "HS-001";

interface Wire {
  tag: string;
  line: number;
  activeLow: boolean;
}

function wiresOf(config: Config, names: readonly string[], direction: "in" | "out"): Wire[] {
  return config.tags.flatMap((t) =>
    t.gpio && t.gpio.direction === direction && names.includes(t.name) ? [{ tag: t.name, line: config.gpio.lineBase + t.gpio.gpio, activeLow: t.gpio.activeLow }] : [],
  );
}

/** Whether the config gives the controller the permissive or the heartbeat as GPIO (then the plant must be wired to it). */
export function usesGpio(config: Config): boolean {
  return wiresOf(config, PLANT_OUTPUTS, "out").length > 0;
}

export class GpioLink {
  readonly backend = new FakeGpio();
  private readonly outputs: Wire[];
  private readonly estop: Wire | undefined;
  private sub: Subscription | undefined;
  private unstep: (() => void) | undefined;

  /** `_clock` is kept for callers written when the input was polled on a timer. */
  constructor(
    config: Config,
    private readonly sim: Simulator,
    _clock?: Clock,
  ) {
    this.outputs = wiresOf(config, PLANT_OUTPUTS, "out");
    this.estop = wiresOf(config, [ESTOP], "in")[0];
  }

  /** Before the controller starts: the plant's HS-001 level is on the input line the controller will open. */
  start(_pollMs?: number): void {
    this.copyEstop();
    this.sub = this.backend.changes$.subscribe((c) => {
      if (c.by !== "controller") return;
      const w = this.outputs.find((o) => o.line === c.line);
      if (w) this.sim.setGpio(w.tag as PlantOutput, c.high !== w.activeLow);
    });
    this.unstep = this.sim.onStep(() => this.copyEstop());
  }

  /**
   * After the controller started: every wired output line must be open, or the controller did
   * not take this backend and the plant would see a dead permissive and heartbeat.
   */
  unopened(): string[] {
    return [...this.outputs, ...(this.estop ? [this.estop] : [])].filter((w) => !this.backend.isOpen(w.line)).map((w) => w.tag);
  }

  stop(): void {
    this.unstep?.();
    this.sub?.unsubscribe();
  }

  private copyEstop(): void {
    if (!this.estop) return;
    // Normally closed: a closed contact (the plant's 1) is the healthy, logical-true level.
    // Read through the sensor layer: a scenario's `stuck` or `spike` on HS-001 applies.
    const closed = this.sim.sensors.read(ESTOP, this.sim.nowMs) >= 0.5;
    this.backend.setInput(this.estop.line, closed !== this.estop.activeLow);
  }
}
