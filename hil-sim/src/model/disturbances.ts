// Slow random variation of what the plant does not control: inflow, demand, feed quality,
// membrane rejection, pH. Each is an Ornstein–Uhlenbeck process (mean-reverting random walk)
// updated once a simulated second: real feeds wander over minutes, not 100 ms, and holding
// the values for a second keeps plug-flow parcels few and the step cheap.
import type { Prng } from "./prng.js";

/** Update period of the slow disturbances, ms. */
export const DISTURBANCE_PERIOD_MS = 1000;

export class OuProcess {
  /** Deviation from the mean. */
  x = 0;
  private readonly a: number;
  private readonly b: number;

  constructor(
    readonly sigma: number,
    tauS: number,
  ) {
    // Exact discretisation over one period: x ← a·x + σ·√(1 − a²)·N(0,1).
    this.a = Math.exp(-DISTURBANCE_PERIOD_MS / 1000 / tauS);
    this.b = sigma * Math.sqrt(1 - this.a * this.a);
  }

  update(rng: Prng): void {
    if (this.sigma === 0) return; // keep the random stream aligned only for the noisy ones
    this.x = this.a * this.x + this.b * rng.gaussian();
  }
}

export interface DisturbanceSigmas {
  eqInflowSigmaM3h: number;
  reuseDemandSigmaM3h: number;
  feedTurbiditySigmaNtu: number;
  feedConductivitySigmaUsCm: number;
  roRejectionSigmaPct: number;
  productPhSigma: number;
}

export class Disturbances {
  readonly inflow: OuProcess;
  readonly demand: OuProcess;
  readonly feedTurbidity: OuProcess;
  readonly feedConductivity: OuProcess;
  readonly rejection: OuProcess;
  readonly ph: OuProcess;
  private nextAtMs = 0;

  constructor(
    s: DisturbanceSigmas,
    private readonly rng: Prng,
  ) {
    this.inflow = new OuProcess(s.eqInflowSigmaM3h, 1800);
    this.demand = new OuProcess(s.reuseDemandSigmaM3h, 1200);
    this.feedTurbidity = new OuProcess(s.feedTurbiditySigmaNtu, 600);
    this.feedConductivity = new OuProcess(s.feedConductivitySigmaUsCm, 1800);
    this.rejection = new OuProcess(s.roRejectionSigmaPct, 6 * 3600);
    this.ph = new OuProcess(s.productPhSigma, 1200);
  }

  /** Advances to nowMs; returns true when the values changed. */
  advance(nowMs: number): boolean {
    if (nowMs < this.nextAtMs) return false;
    while (this.nextAtMs <= nowMs) {
      this.inflow.update(this.rng);
      this.demand.update(this.rng);
      this.feedTurbidity.update(this.rng);
      this.feedConductivity.update(this.rng);
      this.rejection.update(this.rng);
      this.ph.update(this.rng);
      this.nextAtMs += DISTURBANCE_PERIOD_MS;
    }
    return true;
  }
}
