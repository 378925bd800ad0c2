// The reference skid's physical parameters, with the reasoning behind each default. The
// numbers are chosen so that the skid at its 30 m³/h design product flow is roughly in
// balance: 40 m³/h RO feed at 75 % recovery, plus about 2 m³/h of UF backwash water.
import { DEFAULT_CCP_LIMITS, type CcpLimits } from "./ledger.js";

export interface PlantParams {
  // Tanks: A·dh/dt = Qin − Qout; water above the top overflows to drain.
  eqAreaM2: number;
  eqHeightM: number;
  eqInitialPct: number;
  breakAreaM2: number;
  breakHeightM: number;
  breakInitialPct: number;
  reuseAreaM2: number;
  reuseHeightM: number;
  reuseInitialPct: number;
  /** LSL-101 is made (1) below this EQ level. */
  lslPct: number;
  /** Paint-shop wastewater into the EQ tank, mean and slow random variation (1σ). */
  eqInflowM3h: number;
  eqInflowSigmaM3h: number;
  /** Consumers drawing from the reuse tank. */
  reuseDemandM3h: number;
  reuseDemandSigmaM3h: number;

  // Pumps: flow ∝ speed, pressure ∝ speed² (affinity laws), power ∝ speed³.
  p101MaxFlowM3h: number;
  p101MaxPressureBar: number;
  p101RatedKw: number;
  p301MaxFlowM3h: number;
  p301MaxPressureBar: number;
  p301RatedKw: number;
  /** Drive acceleration/deceleration ramp, % of full speed per second. */
  driveRampPctPerS: number;
  /** Coasting down after a trip or safe torque off, % per second. */
  driveCoastPctPerS: number;
  /** Speed references on start: used only with initialRunning. */
  p101NominalPct: number;
  p301NominalPct: number;
  /** P-202 through XV-203, from the RO break tank to drain. */
  backwashFlowM3h: number;
  backwashPressureBar: number;

  // UF: TMP = resistance × flux; resistance = clean + reversible (backwash removes it) + irreversible creep.
  ufNominalFlowM3h: number;
  ufCleanTmpBar: number;
  /** Reversible fouling per m³ filtered at the nominal feed turbidity, bar (at nominal flux). */
  ufFoulingBarPerM3: number;
  /** Irreversible creep per m³ filtered, bar. */
  ufCreepBarPerM3: number;
  /** Time constant with which a backwash removes the reversible fouling. */
  ufBackwashTauS: number;
  feedTurbidityNtu: number;
  feedTurbiditySigmaNtu: number;
  /** Fraction of feed turbidity an intact UF lets through. */
  ufPassage: number;
  /** Fraction let through during a `feed-turbidity` upset (the breakthrough it models). */
  ufBreakthroughPassage: number;
  ufFiltrateBaseNtu: number;
  /** Filtrate turbidity peak when filtration resumes after a backwash, and its decay. */
  backwashSpikeNtu: number;
  backwashSpikeTauS: number;

  // RO
  roRecovery: number;
  roRejectionPct: number;
  roRejectionSigmaPct: number;
  /** Permeate flow at which the rejection is roRejectionPct; below it salt passage rises (flux). */
  roNominalPermeateM3h: number;
  feedConductivityUsCm: number;
  feedConductivitySigmaUsCm: number;
  /** Fraction of UF filtrate turbidity reaching the permeate (seals, interconnectors). */
  roParticlePassage: number;
  /** Product turbidity from everything else (dosing, instruments, pipe). */
  productTurbidityBaseNtu: number;

  // Pipes and disinfection
  permeateLineM3: number;
  contactPipeM3: number;
  /** Dosing point to product analyzers: a small well-mixed volume. */
  mixingVolumeM3: number;
  /** P-401 hypochlorite as free chlorine, g/h: 1 mg/L at 30 m³/h. */
  chlorineDoseGPerH: number;
  /** First-order free chlorine decay (demand of RO permeate is low), 1/h. */
  chlorineDecayPerH: number;
  productPh: number;
  productPhSigma: number;
  temperatureC: number;
  temperatureDailySwingC: number;

  // Valve and safety
  valveTravelMs: number;
  watchdogEnabled: boolean;
  watchdogTimeoutMs: number;
  /** Heartbeat edges (each within the timeout) that re-close the relay after it dropped. */
  watchdogRearmEdges: number;
  /** When true HS-001 also cuts the drives (safe torque off) and the rio-1 outputs in hardware. */
  estopHardwired: boolean;
  /** Start with pumps running at nominal speed, the valve in reuse and pipes full of good water. */
  initialRunning: boolean;
  ccpLimits: CcpLimits;
}

export const DEFAULT_PARAMS: Readonly<PlantParams> = Object.freeze({
  eqAreaM2: 20,
  eqHeightM: 4, // 80 m³: an hour of diverted product plus feed before it overflows
  eqInitialPct: 50,
  breakAreaM2: 2.5,
  breakHeightM: 2, // 5 m³: rides through a 60 s backwash (−1.7 m³) from half full
  breakInitialPct: 50,
  reuseAreaM2: 15,
  reuseHeightM: 4, // 60 m³: two hours of demand
  reuseInitialPct: 50,
  lslPct: 5,
  eqInflowM3h: 42, // 40 RO feed + ~2 backwash water
  eqInflowSigmaM3h: 2,
  reuseDemandM3h: 30,
  reuseDemandSigmaM3h: 2,

  p101MaxFlowM3h: 60,
  p101MaxPressureBar: 4,
  p101RatedKw: 7.5,
  p301MaxFlowM3h: 50,
  p301MaxPressureBar: 20, // 40 m³/h at 80 % gives 12.8 bar; PIT-301 > 16 bar above ~89 %
  p301RatedKw: 37,
  driveRampPctPerS: 10,
  driveCoastPctPerS: 25,
  p101NominalPct: 72, // 43.2 m³/h while filtering, 30 of every 31 min
  p301NominalPct: 80,
  backwashFlowM3h: 60,
  backwashPressureBar: 1,

  ufNominalFlowM3h: 43.2,
  ufCleanTmpBar: 0.2,
  ufFoulingBarPerM3: 0.015, // +0.32 bar over a 30 min cycle: backwash on time, not on TMP
  ufCreepBarPerM3: 0.00005, // ~0.05 bar a day
  ufBackwashTauS: 15,
  feedTurbidityNtu: 15,
  feedTurbiditySigmaNtu: 3,
  ufPassage: 0.002,
  ufBreakthroughPassage: 0.5,
  ufFiltrateBaseNtu: 0.02,
  backwashSpikeNtu: 1,
  backwashSpikeTauS: 20,

  roRecovery: 0.75,
  roRejectionPct: 98,
  roRejectionSigmaPct: 0.2,
  roNominalPermeateM3h: 30,
  feedConductivityUsCm: 2000,
  feedConductivitySigmaUsCm: 150,
  roParticlePassage: 0.05,
  productTurbidityBaseNtu: 0.06,

  permeateLineM3: 0.5,
  contactPipeM3: 1,
  mixingVolumeM3: 0.05,
  chlorineDoseGPerH: 30,
  chlorineDecayPerH: 0.5,
  productPh: 7.4,
  productPhSigma: 0.05,
  temperatureC: 22,
  temperatureDailySwingC: 1.5,

  valveTravelMs: 3000,
  watchdogEnabled: true,
  watchdogTimeoutMs: 2000,
  watchdogRearmEdges: 2,
  estopHardwired: false,
  initialRunning: false,
  ccpLimits: DEFAULT_CCP_LIMITS,
});

/** Parameters with every slow random disturbance switched off: for exact tests. */
export const STEADY: Partial<PlantParams> = Object.freeze({
  eqInflowSigmaM3h: 0,
  reuseDemandSigmaM3h: 0,
  feedTurbiditySigmaNtu: 0,
  roRejectionSigmaPct: 0,
  feedConductivitySigmaUsCm: 0,
  productPhSigma: 0,
  temperatureDailySwingC: 0,
});

export function resolveParams(p: Partial<PlantParams> = {}): Readonly<PlantParams> {
  const out: PlantParams = { ...DEFAULT_PARAMS, ...p, ccpLimits: { ...DEFAULT_CCP_LIMITS, ...p.ccpLimits } };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === "number" && !Number.isFinite(v)) throw new RangeError(`plant parameter ${k} must be finite, got ${v}`);
  }
  return Object.freeze(out);
}
