// The quality mode: Reuse or Divert. Divert is latched; reuse resumes only after every CCP
// has been in spec without a break for the verification period, and then by an operator
// reset or, with autoReturn, by the controller. The first CCP that tripped is kept as
// first-out until the reset (REFERENCE-SKID.md, "Rules that make the interlock fail safe").
import type { QualityConfig } from "../config/schema.js";
import { ccpVerifiable, type CcpState } from "./ccp.js";

export type QualityMode = "Reuse" | "Divert";

export interface FirstOut {
  ccp: string;
  reason: string;
  value: number | null;
  at: number;
}

export interface DivertState {
  mode: QualityMode;
  /** A trip (or start-up) is holding the product on divert until verified and reset. */
  latched: boolean;
  /** Why the latch is set: a CCP name, "start-up", "discrepancy", … */
  cause: string | null;
  firstOut: FirstOut | null;
  /** Monotonic time since which every CCP has been in spec (null while one is not). */
  inSpecSince: number | null;
  /** Product volume (m³) that has passed the valve since inSpecSince (see verifiedVolumeM3). */
  inSpecM3: number;
  /** When inSpecM3 was last integrated (monotonic ms). */
  flowAt: number | null;
  /** An operator asked for the return to reuse; honoured once verified. */
  resetRequested: boolean;
}

/** The product starts on divert and must be verified before the first reuse. */
export function initialDivert(): DivertState {
  return { mode: "Divert", latched: true, cause: "start-up", firstOut: null, inSpecSince: null, inSpecM3: 0, flowAt: null, resetRequested: false };
}

/**
 * The product volume that must have passed since every CCP came back in spec before reuse:
 * the largest pipe volume between a CCP's analyzer and the valve. Until then the pipe may
 * still hold water that was measured off-spec. At design flow the verification period covers
 * it; at low flow it does not (1.5 m³ at 11 m³/h is 8 minutes), so the time alone is not enough.
 */
export function verifiedVolumeM3(cfg: QualityConfig): number {
  return Math.max(0, ...cfg.ccps.map((c) => c.transportVolume));
}

export interface DivertInputs {
  ccps: Record<string, CcpState>;
  /** Reasons outside the CCPs that demand divert now without latching (state not Execute, backwash, …). */
  demands: string[];
  /** Reasons that trip and latch the divert like a CCP (valve discrepancy, lost I/O, …). */
  trips: string[];
  /**
   * Product flow through the valve (m³/h), to know when the pipes hold only verified water;
   * null when it is not known (its meter is bad): then no volume counts, and the product
   * stays diverted until the flow is measured again (fail safe).
   */
  flowM3h?: number | null;
  /**
   * The skid is starting up (PackML Starting): the product is flushed to drain, and the water
   * after it must be verified before reuse, as after a power-up: the latch is set with cause
   * "start-up" and verification begins when Starting ends. A Hold or a Suspend is a pause in
   * production, not a start-up: their return does not need it unless a CCP tripped meanwhile.
   */
  startUp?: boolean;
}

export function divertStep(cfg: QualityConfig, prev: DivertState, inp: DivertInputs, now: number): DivertState {
  let s = prev;
  if (inp.startUp === true) s = { ...s, latched: true, cause: s.latched ? s.cause : "start-up", inSpecSince: null, inSpecM3: 0, resetRequested: false };
  const tripped = cfg.ccps.map((c) => [c.name, inp.ccps[c.name]] as const).filter(([, st]) => st?.status === "off-spec");
  if (tripped.length > 0 || inp.trips.length > 0) {
    const [name, st] = tripped[0] ?? [inp.trips[0] as string, undefined];
    // Inputs not yet read at start-up are not a first-out: nothing has tripped yet.
    const unread = st?.quality.reason === "not-yet-read";
    const firstOut = s.firstOut ?? (unread ? null : { ccp: name, reason: st?.reason ?? name, value: st?.value ?? null, at: now });
    s = { ...s, latched: true, cause: s.latched ? s.cause : name, firstOut, inSpecSince: null, inSpecM3: 0, resetRequested: false };
  } else if (s.latched && inp.startUp !== true) {
    const allVerifiable = cfg.ccps.every((c) => {
      const st = inp.ccps[c.name];
      return st !== undefined && ccpVerifiable(st);
    });
    const inSpecSince = allVerifiable ? (s.inSpecSince ?? now) : null;
    // Flow × time since the last scan, counted only while everything is in spec.
    const flow = inp.flowM3h === undefined ? cfg.designFlow : inp.flowM3h;
    let inSpecM3 = 0;
    if (inSpecSince !== null && s.inSpecSince !== null) {
      const dt = s.flowAt === null ? 0 : Math.max(0, now - s.flowAt);
      inSpecM3 = s.inSpecM3 + (flow === null ? 0 : (Math.max(0, flow) * dt) / 3_600_000);
    }
    const verified = inSpecSince !== null && now - inSpecSince >= cfg.verification && inSpecM3 >= verifiedVolumeM3(cfg);
    s = verified && (cfg.autoReturn || s.resetRequested)
      ? { ...s, latched: false, cause: null, firstOut: null, inSpecSince, inSpecM3, flowAt: now, resetRequested: false }
      : { ...s, inSpecSince, inSpecM3, flowAt: now };
  }
  const mode: QualityMode = s.latched || inp.demands.length > 0 ? "Divert" : "Reuse";
  return mode === s.mode ? s : { ...s, mode };
}

/** Operator reset of the divert latch: accepted any time, acted on once verified. */
export function requestReset(s: DivertState): DivertState {
  return s.latched ? { ...s, resetRequested: true } : s;
}
