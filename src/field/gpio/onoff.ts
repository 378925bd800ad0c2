// The gateway's GPIO through onoff (Linux sysfs, /sys/class/gpio). onoff always works on the
// real sysfs tree and, when a line is missing, fails with bare ENOENT or EINVAL (or after a
// busy wait for permissions); so each line is checked first against the tree, and a missing
// one is reported with its kernel number and path. onoff is loaded only when this backend is
// chosen: it needs the native `epoll` module, which tests and the simulator never load.
import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { describeThrown } from "../modbus/classify.js";
import { GpioLineMissing, type GpioBackend, type GpioDirection, type GpioPin } from "./gpio.js";

export const SYSFS_GPIO = "/sys/class/gpio";

interface OnoffGpio {
  readSync(): 0 | 1;
  writeSync(value: 0 | 1): void;
  unexport(): void;
}
type OnoffCtor = new (gpio: number, direction: "in" | "out" | "high" | "low") => OnoffGpio;

/** Why a line cannot be used through sysfs under `root`, or null when it can. */
export function sysfsProblem(line: number, root = SYSFS_GPIO): string | null {
  const dir = join(root, `gpio${line}`);
  if (!existsSync(root)) return `${root} does not exist: this machine has no sysfs GPIO (kernel without CONFIG_GPIO_SYSFS, or not the gateway)`;
  if (existsSync(dir)) return null;
  const exp = join(root, "export");
  try {
    accessSync(exp, constants.W_OK);
  } catch (err) {
    return `${dir} is not exported and ${exp} is not writable (${describeThrown(err)}): check gpio.lineBase and the udev rule`;
  }
  return null;
}

export class OnoffGpioBackend implements GpioBackend {
  readonly kind = "onoff";

  private constructor(
    private readonly Gpio: OnoffCtor | null,
    private readonly loadError: string | null,
    private readonly root: string,
  ) {}

  /** Loads onoff; if it cannot load, every open() reports why (GPIO_MISSING), rather than start-up crashing here. */
  static async create(root = SYSFS_GPIO): Promise<OnoffGpioBackend> {
    try {
      const mod = (await import("onoff")) as unknown as { Gpio: OnoffCtor; default?: { Gpio: OnoffCtor } };
      return new OnoffGpioBackend(mod.Gpio ?? mod.default?.Gpio ?? null, null, root);
    } catch (err) {
      return new OnoffGpioBackend(null, `onoff cannot be loaded: ${describeThrown(err)}`, root);
    }
  }

  open(line: number, direction: GpioDirection, initialHigh: boolean): GpioPin {
    const where = join(this.root, `gpio${line}`);
    if (!this.Gpio) throw new GpioLineMissing(line, where, this.loadError ?? "onoff is not available");
    const problem = sysfsProblem(line, this.root);
    if (problem) throw new GpioLineMissing(line, where, problem);
    let g: OnoffGpio;
    try {
      // "high"/"low" set the direction and the level in one write: an output never glitches.
      g = new this.Gpio(line, direction === "in" ? "in" : initialHigh ? "high" : "low");
    } catch (err) {
      throw new GpioLineMissing(line, where, `cannot open: ${describeThrown(err)}`, { cause: err });
    }
    return {
      line,
      direction,
      read: () => g.readSync() === 1,
      write: (high) => g.writeSync(high ? 1 : 0),
      close: () => {
        // An output stays exported and driven at its safe level: unexporting would let the
        // pin float, and a relay on a floating pin may pull in.
        if (direction === "out") return;
        try {
          g.unexport();
        } catch {
          // Closing on the way out: there is nothing better to do with a failure here.
        }
      },
    };
  }
}
