// The in-memory GPIO backend for tests and the simulator: the plant sets inputs and reads
// outputs by kernel line number (gpioLineOf() in field.ts maps a tag to it), and every change
// of any line, by either side, is emitted on changes$.
import { Subject } from "rxjs";
import type { GpioBackend, GpioDirection, GpioPin } from "./gpio.js";

export interface GpioChange {
  line: number;
  high: boolean;
  direction: GpioDirection;
  /** Who changed it: the controller (an output) or the plant (an input). */
  by: "controller" | "plant";
}

interface Line {
  direction: GpioDirection;
  high: boolean;
  open: boolean;
}

export class FakeGpio implements GpioBackend {
  readonly kind = "fake";
  readonly changes$ = new Subject<GpioChange>();
  private readonly lines = new Map<number, Line>();
  /** Lines whose reads fail (a wire or expander fault), for tests of the read-error path. */
  readonly failing = new Set<number>();

  open(line: number, direction: GpioDirection, initialHigh: boolean): GpioPin {
    const prev = this.lines.get(line);
    // An input keeps the level the plant gave it before the controller opened it.
    const l: Line = { direction, high: direction === "in" ? (prev?.high ?? false) : initialHigh, open: true };
    this.lines.set(line, l);
    if (direction === "out" && prev?.high !== initialHigh) this.changes$.next({ line, high: initialHigh, direction, by: "controller" });
    return {
      line,
      direction,
      read: () => {
        if (this.failing.has(line)) throw new Error(`EIO: GPIO ${line} read failed`);
        return l.high;
      },
      write: (high) => {
        if (direction !== "out") throw new Error(`GPIO ${line} is an input`);
        if (l.high === high) return;
        l.high = high;
        this.changes$.next({ line, high, direction, by: "controller" });
      },
      close: () => {
        l.open = false;
      },
    };
  }

  /** The plant sets an input's electrical level (before or after the controller opened it). */
  setInput(line: number, high: boolean): void {
    const l = this.lines.get(line);
    if (l?.direction === "out") throw new Error(`GPIO ${line} is an output of the controller`);
    if (l?.high === high) return;
    // Mutate in place: an open pin reads this very object.
    if (l) l.high = high;
    else this.lines.set(line, { direction: "in", high, open: false });
    this.changes$.next({ line, high, direction: "in", by: "plant" });
  }

  /** A line's electrical level now; undefined for a line nobody has touched. */
  level(line: number): boolean | undefined {
    return this.lines.get(line)?.high;
  }

  isOpen(line: number): boolean {
    return this.lines.get(line)?.open === true;
  }
}
