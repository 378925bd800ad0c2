// Carries the core's output intents to the field: writes a tag when its intent changes,
// retries a failed write on the next scan, and re-writes periodically where the config asks
// (`refresh`), so a device that restarted with its outputs reset gets them back.
import type { Config } from "../config/schema.js";
import type { TagValue } from "../core/quality.js";
import type { Logger } from "../system/log.js";

export interface OutputWriter {
  apply(intents: Readonly<Record<string, TagValue>>, now: number): void;
  /** Resolves when every write in flight has finished (succeeded or failed). */
  settle(): Promise<void>;
}

export type WriteFn = (tag: string, value: number | boolean) => Promise<void>;

export class FieldOutputWriter implements OutputWriter {
  private readonly written = new Map<string, TagValue>();
  private readonly writtenAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly refresh = new Map<string, number>();
  private readonly writers = new Map<string, WriteFn>();

  constructor(
    config: Config,
    private readonly log: Logger,
    routes: { modbus?: WriteFn; gpio?: WriteFn },
  ) {
    for (const t of config.tags) {
      if (t.modbus?.writable && routes.modbus) this.writers.set(t.name, routes.modbus);
      if (t.gpio?.direction === "out" && routes.gpio) this.writers.set(t.name, routes.gpio);
      if (t.modbus?.refresh !== undefined) this.refresh.set(t.name, t.modbus.refresh);
    }
  }

  apply(intents: Readonly<Record<string, TagValue>>, now: number): void {
    for (const [tag, value] of Object.entries(intents)) {
      if (value === null || typeof value === "string") continue;
      const write = this.writers.get(tag);
      if (!write || this.inFlight.has(tag)) continue;
      const due = this.refresh.get(tag);
      const stale = due !== undefined && now - (this.writtenAt.get(tag) ?? -Infinity) >= due;
      if (this.written.get(tag) === value && !stale) continue;
      const p = write(tag, value).then(
        () => {
          this.written.set(tag, value);
          this.writtenAt.set(tag, now);
        },
        (err: unknown) => {
          // Forget what we believe is written: the next scan tries again.
          this.written.delete(tag);
          this.log.warn({ tag, err }, `write ${tag} = ${String(value)} failed`);
        },
      );
      this.inFlight.set(tag, p);
      void p.finally(() => this.inFlight.delete(tag));
    }
  }

  async settle(): Promise<void> {
    await Promise.all([...this.inFlight.values()]);
  }
}
