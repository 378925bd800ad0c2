// The controller's digital I/O from the config's `gpio:` tags: inputs read every pollMs and
// debounced (a change must hold for the tag's `debounce` before it is reported; HS-001, the
// emergency stop, is one of these), outputs written by tag, the heartbeat WD-001 toggled by
// the scan itself, and every output driven to its safe state at start-up, on stop and on the
// way out of a dying process (a synchronous 'exit' handler). A config that asks for GPIO the
// machine does not have refuses to start with GPIO_MISSING, naming every missing line.
import { Subject } from "rxjs";
import type { Config, GpioSource } from "../../config/schema.js";
import { bad, GOOD, type TagSample } from "../../core/quality.js";
import { ERROR_CODES, ReclaimError } from "../../system/errors.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { describeThrown } from "../modbus/classify.js";
import { FakeGpio } from "./fake.js";
import { GpioLineMissing, type GpioBackend, type GpioPin } from "./gpio.js";
import { OnoffGpioBackend } from "./onoff.js";
import { RemoteGpioBackend } from "./remote.js";

export interface GpioFieldOptions {
  /** The output tag the scan toggles as a heartbeat for the external watchdog relay (WD-001). */
  heartbeat?: string;
  /** Safe state of outputs, logical (before activeLow); default false: de-energized. */
  safeStates?: Readonly<Record<string, boolean>>;
  /** How often inputs are read (ms); debounce resolution. Default 10 ms. */
  pollMs?: number;
  /** Drive outputs safe in a process 'exit' handler (default true). */
  exitHandler?: boolean;
}

export interface Heartbeat {
  /** Whether a heartbeat output is configured. */
  readonly enabled: boolean;
  /** Flips the heartbeat output; call once per scan. A no-op while stopped. */
  toggle(): void;
}

interface Input {
  tag: string;
  src: GpioSource;
  pin: GpioPin;
  accepted: boolean | undefined;
  candidate: boolean | undefined;
  since: number;
  failed: boolean;
}

interface Output {
  tag: string;
  src: GpioSource;
  pin: GpioPin;
  safe: boolean;
}

/** The kernel GPIO number of a tag's line: gpio.lineBase + the tag's `gpio` (kernels number from 512 or 571). */
export function gpioLineOf(config: Config, tag: string): number {
  const t = config.tags.find((x) => x.name === tag);
  if (!t?.gpio) throw new Error(`tag ${tag} has no gpio source`);
  return config.gpio.lineBase + t.gpio.gpio;
}

/** The backend the config asks for: the fake, a remote GPIO server's, or onoff on the machine's sysfs GPIO. */
export async function createGpioBackend(config: Config): Promise<GpioBackend> {
  if (config.gpio.backend === "remote") return await RemoteGpioBackend.create(config.gpio.socket ?? "");
  return config.gpio.backend === "fake" ? new FakeGpio() : await OnoffGpioBackend.create();
}

export class GpioField {
  readonly samples$ = new Subject<TagSample[]>();
  readonly heartbeat: Heartbeat;
  private inputs: Input[] = [];
  private outputs = new Map<string, Output>();
  private timer: TimerHandle | undefined;
  private running = false;
  private beat = false;
  private readonly onExit = (): void => this.safeState();

  constructor(
    private readonly config: Config,
    private readonly clock: Clock,
    private readonly backend: GpioBackend,
    private readonly opts: GpioFieldOptions = {},
  ) {
    const hb = opts.heartbeat;
    this.heartbeat = {
      enabled: hb !== undefined,
      toggle: () => {
        const out = hb !== undefined ? this.outputs.get(hb) : undefined;
        if (!this.running || !out) return;
        this.beat = !this.beat;
        this.drive(out, this.beat);
      },
    };
  }

  /** Opens every GPIO tag (outputs at their safe level), reports the inputs, and starts reading them. */
  start(): void {
    if (this.running) return;
    const missing: string[] = [];
    const opened: GpioPin[] = [];
    for (const t of this.config.tags) {
      if (!t.gpio) continue;
      const line = this.config.gpio.lineBase + t.gpio.gpio;
      const safe = this.opts.safeStates?.[t.name] ?? false;
      try {
        const pin = this.backend.open(line, t.gpio.direction, safe !== t.gpio.activeLow);
        opened.push(pin);
        if (t.gpio.direction === "out") this.outputs.set(t.name, { tag: t.name, src: t.gpio, pin, safe });
        else this.inputs.push({ tag: t.name, src: t.gpio, pin, accepted: undefined, candidate: undefined, since: 0, failed: false });
      } catch (err) {
        const why = err instanceof GpioLineMissing ? `${err.where}: ${err.why}` : describeThrown(err);
        missing.push(`${t.name} (${t.gpio.direction}, line ${t.gpio.gpio} = kernel GPIO ${line} with gpio.lineBase ${this.config.gpio.lineBase}): ${why}`);
      }
    }
    if (missing.length > 0) {
      // Leave nothing half open: outputs that did open are already at their safe level.
      for (const p of opened) p.close();
      this.inputs = [];
      this.outputs.clear();
      throw new ReclaimError(
        ERROR_CODES.GPIO_MISSING,
        `the config asks for GPIO this machine does not have (${this.backend.kind} backend):\n  ${missing.join("\n  ")}\n` +
          `check gpio.lineBase (current kernels number GPIO lines from 512 or 571), or set gpio.backend: fake to run without GPIO`,
      );
    }
    this.running = true;
    if (this.opts.exitHandler ?? true) process.on("exit", this.onExit);
    this.readInputs(true);
    this.schedule();
  }

  /** Drives every output safe, stops reading, closes the lines. */
  stop(): void {
    this.running = false;
    this.clock.clearTimer(this.timer);
    this.safeState();
    process.off("exit", this.onExit);
    for (const o of this.outputs.values()) o.pin.close();
    for (const i of this.inputs) i.pin.close();
    this.samples$.complete();
  }

  /** Every output to its safe state, synchronously: usable from crash and exit paths. Never throws. */
  safeState(): void {
    for (const o of this.outputs.values()) {
      try {
        this.drive(o, o.safe);
      } catch {
        // One failed output must not keep the others from going safe.
      }
    }
  }

  /** Writes an output tag (the OutputWriter's gpio route). */
  write(tag: string, value: number | boolean): Promise<void> {
    const out = this.outputs.get(tag);
    if (!out || !this.running) return Promise.reject(new Error(`tag ${tag} is not a GPIO output${this.running ? "" : " (GPIO stopped)"}`));
    try {
      this.drive(out, typeof value === "boolean" ? value : value !== 0);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(describeThrown(err)));
    }
  }

  /** An output's logical value as last driven; undefined for an unknown tag. */
  output(tag: string): boolean | undefined {
    const o = this.outputs.get(tag);
    return o ? o.pin.read() !== o.src.activeLow : undefined;
  }

  private drive(o: Output, on: boolean): void {
    o.pin.write(on !== o.src.activeLow);
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(() => {
      if (!this.running) return;
      this.readInputs(false);
      this.schedule();
    }, this.opts.pollMs ?? 10);
  }

  private readInputs(initial: boolean): void {
    const now = this.clock.now();
    const out: TagSample[] = [];
    const sample = (tag: string, value: boolean | null, quality = GOOD): void => {
      out.push({ tag, value, quality, sourceTs: this.clock.wall(), mono: now });
    };
    for (const i of this.inputs) {
      let raw: boolean;
      try {
        raw = i.pin.read() !== i.src.activeLow;
      } catch (err) {
        if (!i.failed) sample(i.tag, null, bad("device-failure", `GPIO ${i.pin.line} read failed: ${describeThrown(err)}`));
        i.failed = true;
        i.accepted = undefined;
        continue;
      }
      i.failed = false;
      // Start-up, or after a read failure: nothing to debounce against.
      if (initial || i.accepted === undefined) {
        i.accepted = i.candidate = raw;
        sample(i.tag, raw);
        continue;
      }
      if (raw === i.accepted) {
        i.candidate = raw;
        continue;
      }
      if (raw !== i.candidate) {
        i.candidate = raw;
        i.since = now;
      }
      if (now - i.since >= i.src.debounce) {
        i.accepted = raw;
        sample(i.tag, raw);
      }
    }
    if (out.length > 0) this.samples$.next(out);
  }
}
