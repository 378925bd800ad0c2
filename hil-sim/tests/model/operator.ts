// A minimal stand-in for the controller, for model tests only: keeps the skid producing at
// design flow with a proportional level loop on the RO break tank, backwashes the UF every
// 30 min for 60 s, doses chlorine, holds the reuse permissive and beats the watchdog.
import type { FaultRegistry } from "../../src/model/faults.js";
import type { Plant } from "../../src/model/plant.js";

const BACKWASH_MS = 60_000;

export interface OperatorOptions {
  /** UF filtration time between backwashes (Infinity: never on its own). */
  backwashEveryMs?: number;
  /** Watchdog heartbeat half-period (Infinity: no heartbeat). */
  beatMs?: number;
  /** Process faults applied before every step. */
  faults?: FaultRegistry;
}

export class TestOperator {
  private nextBeatMs = 0;
  private beat = false;
  private filterSinceMs: number;
  /** 0 = filtering. */
  private backwashUntilMs = 0;
  private readonly backwashEveryMs: number;
  private readonly beatMs: number;
  private readonly faults: FaultRegistry | undefined;

  constructor(
    private readonly plant: Plant,
    opts: OperatorOptions = {},
  ) {
    this.backwashEveryMs = opts.backwashEveryMs ?? 30 * 60_000;
    this.beatMs = opts.beatMs ?? 500;
    this.faults = opts.faults;
    this.filterSinceMs = plant.nowMs;
    plant.setDriveControlWord("vfd-p101", 1);
    plant.setDriveControlWord("vfd-p301", 1);
    plant.setDriveSpeedRef("vfd-p301", 16000); // 80 %: 40 m³/h RO feed
    plant.setCoil("P-401", true);
    plant.setCoil("XV-501", true);
    plant.setGpio("XY-501", true);
  }

  get backwashing(): boolean {
    return this.backwashUntilMs > 0;
  }

  /** Starts a backwash now (P-101 off, XV-203 open, P-202 on for 60 s). */
  backwashNow(): void {
    this.backwashUntilMs = this.plant.nowMs + BACKWASH_MS;
    this.plant.setCoil("P-202", true);
    this.plant.setCoil("XV-203", true);
  }

  /** Runs the plant for ms in steps of dtMs, operating it. */
  run(ms: number, dtMs = 100): void {
    const end = this.plant.nowMs + ms;
    while (this.plant.nowMs < end - 1e-9) {
      this.tick();
      this.faults?.applyTo(this.plant, this.plant.nowMs);
      this.plant.step(dtMs);
    }
  }

  /** Call before each plant.step. */
  tick(): void {
    const pl = this.plant;
    const now = pl.nowMs;
    if (now >= this.nextBeatMs) {
      this.beat = !this.beat;
      pl.setGpio("WD-001", this.beat);
      this.nextBeatMs = now + this.beatMs;
    }
    if (this.backwashing && now >= this.backwashUntilMs) {
      this.backwashUntilMs = 0;
      this.filterSinceMs = now;
      pl.setCoil("P-202", false);
      pl.setCoil("XV-203", false);
    }
    if (!this.backwashing && now - this.filterSinceMs >= this.backwashEveryMs) this.backwashNow();
    const level = pl.measure("LIT-202");
    const speed = this.backwashing ? 0 : Math.min(100, Math.max(0, 72 + 2 * (50 - level)));
    pl.setDriveSpeedRef("vfd-p101", speed * 200);
  }
}
