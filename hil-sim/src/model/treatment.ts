// The three treatment stages between the tanks: UF (TMP, fouling, backwash, filtrate
// turbidity), RO (recovery, rejection, permeate quality) and disinfection (free chlorine in
// the small mixed volume between the dosing point and the product analyzers).
import type { PlantParams } from "./params.js";
import { Q } from "./tags.js";

export class UltraFilter {
  /** Fouling a backwash removes, bar at nominal flux. */
  reversibleBar = 0;
  /** Creep no backwash removes, bar at nominal flux. */
  irreversibleBar = 0;
  tmpBar = 0;
  filtrateNtu: number;
  private spikeNtu = 0;
  private spikePending = false;

  constructor(private readonly p: Readonly<PlantParams>) {
    this.filtrateNtu = p.ufFiltrateBaseNtu + p.ufPassage * p.feedTurbidityNtu;
  }

  /**
   * @param filtrateM3h forward flow through the membrane
   * @param backwashing backwash water is flowing (XV-203 open and P-202 running)
   * @param extraBar fouling from a `uf-fouling` fault, which no backwash removes
   */
  step(dtS: number, filtrateM3h: number, backwashing: boolean, feedNtu: number, passage: number, extraBar: number): void {
    const p = this.p;
    const dV = (filtrateM3h * dtS) / 3600;
    if (dV > 0) {
      // Fouling rate follows the solids load: more feed turbidity, faster fouling.
      const load = p.feedTurbidityNtu > 0 ? feedNtu / p.feedTurbidityNtu : 1;
      this.reversibleBar += p.ufFoulingBarPerM3 * load * dV;
      this.irreversibleBar += p.ufCreepBarPerM3 * dV;
    }
    if (backwashing) {
      this.reversibleBar *= Math.exp(-dtS / p.ufBackwashTauS);
      this.spikePending = true;
    } else if (filtrateM3h > 0) {
      // Particles loosened by the backwash come through when filtration resumes.
      if (this.spikePending) {
        this.spikeNtu = p.backwashSpikeNtu;
        this.spikePending = false;
      }
      this.spikeNtu *= Math.exp(-dtS / p.backwashSpikeTauS);
      this.filtrateNtu = p.ufFiltrateBaseNtu + passage * feedNtu + this.spikeNtu;
    }
    const resistance = p.ufCleanTmpBar + this.reversibleBar + this.irreversibleBar + extraBar;
    this.tmpBar = (resistance * filtrateM3h) / p.ufNominalFlowM3h;
  }
}

export class ReverseOsmosis {
  rejectionPct: number;

  constructor(private readonly p: Readonly<PlantParams>) {
    this.rejectionPct = p.roRejectionPct;
  }

  /**
   * Writes the permeate's quality (turbidity, conductivity, feed conductivity) into out. Salt
   * passes by diffusion at a rate independent of water flux, so below the nominal permeate
   * flow the permeate gets saltier (why start-up permeate goes to drain). With no permeate
   * flowing, the water in the permeate pipe stands and keeps its quality.
   */
  step(permeateM3h: number, feedCondUsCm: number, filtrateNtu: number, baseRejectionPct: number, breachPct: number | null, out: Float64Array): void {
    if (!(permeateM3h > 0)) return;
    let passage: number;
    if (breachPct !== null) passage = 1 - breachPct / 100;
    else passage = (1 - baseRejectionPct / 100) * Math.max(1, this.p.roNominalPermeateM3h / permeateM3h);
    passage = Math.min(1, Math.max(0, passage));
    this.rejectionPct = 100 * (1 - passage);
    out[Q.TURB] = this.p.productTurbidityBaseNtu + this.p.roParticlePassage * filtrateNtu;
    out[Q.COND] = feedCondUsCm * passage;
    out[Q.FEED_COND] = feedCondUsCm;
  }
}

export class Disinfection {
  /** Free chlorine in the mixed volume at the product analyzers, mg/L. */
  chlorineMgL: number;

  constructor(private readonly p: Readonly<PlantParams>) {
    this.chlorineMgL = p.chlorineDoseGPerH / p.roNominalPermeateM3h;
  }

  /** dC/dt = dose/V − (Q/V)·C − k·C (chlorine-free permeate flows in), integrated exactly over the step. */
  step(dtH: number, flowM3h: number, dosing: boolean): void {
    const v = this.p.mixingVolumeM3;
    const source = dosing ? this.p.chlorineDoseGPerH / v : 0; // g/m³ per h = mg/L per h
    const k = Math.max(0, flowM3h) / v + this.p.chlorineDecayPerH;
    if (k <= 0) {
      this.chlorineMgL += source * dtH;
      return;
    }
    const steady = source / k;
    this.chlorineMgL = steady + (this.chlorineMgL - steady) * Math.exp(-k * dtH);
  }
}
