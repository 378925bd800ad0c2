// An open tank: A·dh/dt = Qin − Qout, water above the top overflows, and a pump cannot
// draw more than is there (it starves). Keeps its own totals for the mass balance.

export class Tank {
  /** m³ */
  volume: number;
  readonly capacityM3: number;
  inM3 = 0;
  outM3 = 0;
  overflowM3 = 0;

  constructor(
    readonly areaM2: number,
    readonly heightM: number,
    initialPct: number,
  ) {
    this.capacityM3 = areaM2 * heightM;
    this.volume = (this.capacityM3 * Math.min(100, Math.max(0, initialPct))) / 100;
  }

  get levelPct(): number {
    return (100 * this.volume) / this.capacityM3;
  }

  /**
   * The share (0..1) of a requested draw of `wantM3` that the tank can give this step, given
   * `comingM3` arriving in the same step: 1 unless the tank would run dry.
   */
  availability(wantM3: number, comingM3: number): number {
    if (!(wantM3 > 0)) return 1;
    const have = this.volume + comingM3;
    return have >= wantM3 ? 1 : Math.max(0, have / wantM3);
  }

  /** Books one step: water in, water out (already limited by availability), overflow beyond the top. */
  exchange(inM3: number, outM3: number): void {
    this.inM3 += inM3;
    this.outM3 += outM3;
    let v = this.volume + inM3 - outM3;
    if (v < 0) v = 0; // rounding only: availability() never lets a draw exceed what is there
    if (v > this.capacityM3) {
      this.overflowM3 += v - this.capacityM3;
      v = this.capacityM3;
    }
    this.volume = v;
  }
}
