// The truth ledger: every litre that passes XV-501, where it went, and whether it truly was
// off-spec. It judges the water by its quality as it was when it passed the analyzers (the
// parcel carries that quality through the contact pipe), never by what a sensor reported,
// so it is the referee for the controller's interlocks.
import { Q } from "./tags.js";

/** CCP critical limits (REFERENCE-SKID.md "Reuse-quality critical control points"). */
export interface CcpLimits {
  /** CCP-1, AIT-403: off-spec above. */
  turbidityMaxNtu: number;
  /** CCP-2, AIT-302: off-spec above. */
  conductivityMaxUsCm: number;
  /** CCP-3, AIT-401: off-spec below min or above max. */
  chlorineMinMgL: number;
  chlorineMaxMgL: number;
  /** CCP-4, AIT-402. */
  phMin: number;
  phMax: number;
  /** CCP-5, RJ-301 = 1 − AIT-302/AIT-301, %: off-spec below. */
  rejectionMinPct: number;
}

export const DEFAULT_CCP_LIMITS: Readonly<CcpLimits> = Object.freeze({
  turbidityMaxNtu: 0.5,
  conductivityMaxUsCm: 150,
  chlorineMinMgL: 0.2,
  chlorineMaxMgL: 2.0,
  phMin: 6.5,
  phMax: 8.5,
  rejectionMinPct: 95,
});

export interface LedgerDivert {
  /** Sim time at which the valve left the reuse position (ZSO-501 dropped), ms. */
  atMs: number;
}

export interface LedgerReport {
  reuseM3: number;
  divertedM3: number;
  offSpecToReuseL: number;
  /** Off-spec water that went to divert, as it should (for context in reports). */
  offSpecDivertedL: number;
  /** When the first off-spec litre reached reuse, ms; null when none did. */
  firstOffSpecToReuseMs: number | null;
  diverts: LedgerDivert[];
}

/** Whether water of this quality breaks any CCP critical limit (limits are exclusive: at the limit is in spec). */
export function isOffSpec(limits: Readonly<CcpLimits>, q: ArrayLike<number>, offset = 0): boolean {
  const turb = q[offset + Q.TURB] as number;
  const cond = q[offset + Q.COND] as number;
  const feed = q[offset + Q.FEED_COND] as number;
  const cl = q[offset + Q.CL] as number;
  const ph = q[offset + Q.PH] as number;
  // A NaN quality is a model bug, but if it ever happens it must count against reuse.
  if (!(turb <= limits.turbidityMaxNtu)) return true;
  if (!(cond <= limits.conductivityMaxUsCm)) return true;
  if (!(cl >= limits.chlorineMinMgL && cl <= limits.chlorineMaxMgL)) return true;
  if (!(ph >= limits.phMin && ph <= limits.phMax)) return true;
  if (feed > 0 && 100 * (1 - cond / feed) < limits.rejectionMinPct) return true;
  return false;
}

export class TruthLedger {
  readonly limits: Readonly<CcpLimits>;
  private reuse = 0;
  private diverted = 0;
  private offSpecReuse = 0;
  private offSpecDiverted = 0;
  private firstOffSpecMs: number | null = null;
  private readonly divertLog: LedgerDivert[] = [];
  private inReuse: boolean | undefined;

  constructor(limits: Partial<CcpLimits> = {}) {
    this.limits = Object.freeze({ ...DEFAULT_CCP_LIMITS, ...limits });
  }

  /**
   * Books one chunk of water arriving at XV-501. `inDivert` is whether the valve is fully in
   * divert (ZSC-501 made): water passing a valve in travel counts as reaching reuse, because
   * part of it physically does and the ledger must never flatter the controller.
   */
  record(volumeM3: number, quality: ArrayLike<number>, offset: number, inDivert: boolean, nowMs: number): void {
    if (!(volumeM3 > 0)) return;
    const off = isOffSpec(this.limits, quality, offset);
    if (inDivert) {
      this.diverted += volumeM3;
      if (off) this.offSpecDiverted += volumeM3 * 1000;
      return;
    }
    this.reuse += volumeM3;
    if (off) {
      this.offSpecReuse += volumeM3 * 1000;
      if (this.firstOffSpecMs === null) this.firstOffSpecMs = nowMs;
    }
  }

  /** Follows ZSO-501: each time the valve leaves the reuse position is one divert. */
  observeValve(inReuse: boolean, nowMs: number): void {
    if (this.inReuse === true && !inReuse) this.divertLog.push({ atMs: nowMs });
    this.inReuse = inReuse;
  }

  get reuseM3(): number {
    return this.reuse;
  }
  get divertedM3(): number {
    return this.diverted;
  }
  get offSpecToReuseL(): number {
    return this.offSpecReuse;
  }
  get diverts(): readonly LedgerDivert[] {
    return this.divertLog;
  }

  report(): LedgerReport {
    return {
      reuseM3: this.reuse,
      divertedM3: this.diverted,
      offSpecToReuseL: this.offSpecReuse,
      offSpecDivertedL: this.offSpecDiverted,
      firstOffSpecToReuseMs: this.firstOffSpecMs,
      diverts: this.divertLog.map((d) => ({ ...d })),
    };
  }
}
