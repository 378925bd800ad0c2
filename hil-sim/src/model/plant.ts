// The reference skid as a deterministic stepping model (REFERENCE-SKID.md "Simulator
// dynamics"): EQ tank → P-101 → UF → RO break tank → P-301 → RO → permeate line → dosing →
// product analyzers → contact pipe → XV-501 → reuse tank or back to EQ. It holds the TRUE
// process values; sensor noise and sensor faults are the sensor layer's (sensors.ts).
// step() allocates nothing, so a simulated day at 100 ms steps takes well under a second.
import { Disturbances, DISTURBANCE_PERIOD_MS } from "./disturbances.js";
import { Drive } from "./drive.js";
import { TruthLedger } from "./ledger.js";
import { resolveParams, type PlantParams } from "./params.js";
import { PlugFlowPipe, type ChunkSink } from "./plugflow.js";
import { deriveSeed, Prng } from "./prng.js";
import { NO_PROCESS_FAULTS, type ProcessFaultState } from "./process-faults.js";
import { measureTag, type PlantView } from "./measure.js";
import { DRIVES, NQ, Q, type CoilName, type DriveName, type GpioOutputName } from "./tags.js";
import { Tank } from "./tank.js";
import { Disinfection, ReverseOsmosis, UltraFilter } from "./treatment.js";
import { DivertValve, WatchdogRelay } from "./valve.js";

/** What the controller drives, as the plant last received it (read-only: use the setters). */
export interface PlantInputs {
  readonly coils: Readonly<Record<CoilName, boolean>>;
  /** Drive profile HR0 (control word) and HR1 (speed reference, 0–20000). */
  readonly drives: Readonly<Record<DriveName, Readonly<{ controlWord: number; speedRef: number }>>>;
  readonly gpio: Readonly<Record<GpioOutputName, boolean>>;
}

interface MutableInputs {
  coils: Record<CoilName, boolean>;
  drives: Record<DriveName, { controlWord: number; speedRef: number }>;
  gpio: Record<GpioOutputName, boolean>;
}

/** Current flows, m³/h. */
export interface PlantFlows {
  inflow: number;
  uf: number;
  backwash: number;
  roFeed: number;
  permeate: number;
  concentrate: number;
  toReuse: number;
  toDivert: number;
  demand: number;
}

/** Totals since start for the mass balance, m³. Pipes hold a constant volume and are left out. */
export interface PlantBalance {
  inflowM3: number;
  concentrateM3: number;
  backwashM3: number;
  demandM3: number;
  overflowM3: number;
  storageM3: number;
}

const MS_PER_H = 3_600_000;
const DAY_S = 86_400;

export class Plant implements PlantView {
  readonly params: Readonly<PlantParams>;
  readonly ledger: TruthLedger;
  readonly eq: Tank;
  readonly breakTank: Tank;
  readonly reuseTank: Tank;
  readonly drives: Readonly<Record<DriveName, Drive>>;
  readonly valve: DivertValve;
  readonly watchdog: WatchdogRelay;
  readonly uf: UltraFilter;
  readonly ro: ReverseOsmosis;
  readonly dis: Disinfection;
  readonly permeateLine: PlugFlowPipe;
  readonly contactPipe: PlugFlowPipe;
  /** Quality leaving the RO (what AIT-302 sees). */
  readonly qRo = new Float64Array(NQ);
  /** Quality at the product analyzers AIT-40x / TIT-401. */
  readonly qAnalyzers = new Float64Array(NQ);
  readonly flows: PlantFlows = { inflow: 0, uf: 0, backwash: 0, roFeed: 0, permeate: 0, concentrate: 0, toReuse: 0, toDivert: 0, demand: 0 };
  /** Flowmeter totalizers FQ-201, FQ-301, FQ-302, FQ-501, m³. */
  readonly totals = { uf: 0, permeate: 0, concentrate: 0, product: 0 };
  pressures = { pit201: 0, pit202: 0, pit301: 0 };
  feedConductivityUsCm: number;
  private nowMsValue = 0;
  private faults: ProcessFaultState = NO_PROCESS_FAULTS;
  private readonly inputState: MutableInputs;
  private readonly dist: Disturbances;
  private readonly sums = { inflow: 0, concentrate: 0, backwash: 0, demand: 0 };
  private loads: Record<DriveName, number> = { "vfd-p101": 1, "vfd-p301": 1 };
  // Slow values, refreshed once a second with the disturbances.
  private inflowM3h: number;
  private demandM3h: number;
  private feedNtu: number;
  private feedCondSlow: number;
  private baseRejectionPct: number;
  private ph: number;
  private temperatureC: number;
  private readonly ledgerSink: ChunkSink;

  constructor(params: Partial<PlantParams> = {}, seed = 1) {
    const p = (this.params = resolveParams(params));
    this.ledger = new TruthLedger(p.ccpLimits);
    this.eq = new Tank(p.eqAreaM2, p.eqHeightM, p.eqInitialPct);
    this.breakTank = new Tank(p.breakAreaM2, p.breakHeightM, p.breakInitialPct);
    this.reuseTank = new Tank(p.reuseAreaM2, p.reuseHeightM, p.reuseInitialPct);
    const rating = (ratedKw: number) => ({ ratedKw, rampPctPerS: p.driveRampPctPerS, coastPctPerS: p.driveCoastPctPerS });
    this.drives = { "vfd-p101": new Drive(rating(p.p101RatedKw)), "vfd-p301": new Drive(rating(p.p301RatedKw)) };
    this.valve = new DivertValve(p.valveTravelMs);
    this.watchdog = new WatchdogRelay(p.watchdogTimeoutMs, p.watchdogRearmEdges, p.watchdogEnabled);
    this.uf = new UltraFilter(p);
    this.ro = new ReverseOsmosis(p);
    this.dis = new Disinfection(p);
    this.dist = new Disturbances(p, new Prng(deriveSeed(seed, 0)));
    this.inflowM3h = p.eqInflowM3h;
    this.demandM3h = p.reuseDemandM3h;
    this.feedNtu = p.feedTurbidityNtu;
    this.feedConductivityUsCm = p.feedConductivityUsCm;
    this.feedCondSlow = p.feedConductivityUsCm;
    this.baseRejectionPct = p.roRejectionPct;
    this.ph = p.productPh;
    this.temperatureC = p.temperatureC;
    this.inputState = {
      coils: { "P-202": false, "P-401": false, "XV-203": false, "XV-501": false },
      drives: { "vfd-p101": { controlWord: 0, speedRef: 0 }, "vfd-p301": { controlWord: 0, speedRef: 0 } },
      gpio: { "XY-501": false, "WD-001": false, "XA-001": false },
    };

    // The pipes start full of good water from the last production run.
    const passage = 1 - p.roRejectionPct / 100;
    this.qRo[Q.TURB] = p.productTurbidityBaseNtu + p.roParticlePassage * this.uf.filtrateNtu;
    this.qRo[Q.COND] = p.feedConductivityUsCm * passage;
    this.qRo[Q.FEED_COND] = p.feedConductivityUsCm;
    this.qRo[Q.CL] = 0;
    this.qRo[Q.PH] = p.productPh;
    this.qRo[Q.TEMP] = p.temperatureC;
    this.qAnalyzers.set(this.qRo);
    this.qAnalyzers[Q.CL] = this.dis.chlorineMgL;
    this.permeateLine = new PlugFlowPipe(p.permeateLineM3, NQ, this.qRo);
    this.contactPipe = new PlugFlowPipe(p.contactPipeM3, NQ, this.qAnalyzers);
    this.ledgerSink = { chunk: (v, q, off) => this.ledger.record(v, q, off, this.valve.inDivert, this.nowMsValue) };
    this.refreshSlow();
    if (p.initialRunning) this.presetRunning();
    this.ledger.observeValve(this.valve.inReuse, 0);
  }

  /** Sim time, ms since start. */
  get nowMs(): number {
    return this.nowMsValue;
  }

  /** What the controller currently drives; change it with the setters. */
  get inputs(): PlantInputs {
    return this.inputState;
  }

  get processFaults(): Readonly<ProcessFaultState> {
    return this.faults;
  }

  setCoil(coil: CoilName, on: boolean): void {
    this.inputState.coils[coil] = on;
  }

  /** Drive profile HR0: bit0 run, bit7 fault reset (rising edge). */
  setDriveControlWord(drive: DriveName, word: number): void {
    this.drives[drive].setControlWord(word);
    this.inputState.drives[drive].controlWord = this.drives[drive].controlWord;
  }

  /** Drive profile HR1: 0–20000 = 0–100 % speed. */
  setDriveSpeedRef(drive: DriveName, raw: number): void {
    this.drives[drive].setSpeedRef(raw);
    this.inputState.drives[drive].speedRef = this.drives[drive].speedRef;
  }

  setGpio(output: GpioOutputName, on: boolean): void {
    this.inputState.gpio[output] = on;
    if (output === "WD-001") this.watchdog.heartbeat(on, this.nowMsValue);
  }

  /** Replaces the active process faults (faults.ts computes them from the scenario). */
  setProcessFaults(next: ProcessFaultState): void {
    const prev = this.faults;
    this.faults = next;
    for (const d of DRIVES) if (next.driveTrip[d] !== prev.driveTrip[d]) this.drives[d].setTripCause(next.driveTrip[d]);
    this.valve.stuck = next.valveStuck;
  }

  /** XY-501's contact as the valve solenoid sees it: the controller's output and the watchdog relay. */
  get permissiveClosed(): boolean {
    return this.inputState.gpio["XY-501"] && this.watchdog.contactClosed;
  }

  /** The TRUE process value of a tag (no noise); throws for an unknown tag. */
  measure(tag: string): number {
    return measureTag(this, tag);
  }

  get estopOpen(): boolean {
    return this.faults.estopOpen;
  }

  /** rio-1 outputs actually powered (a hardwired emergency stop cuts them). */
  coilPowered(coil: CoilName): boolean {
    return this.inputState.coils[coil] && !(this.faults.estopOpen && this.params.estopHardwired);
  }

  step(dtMs: number): void {
    if (!(dtMs > 0)) return;
    const p = this.params;
    const f = this.faults;
    const t0 = this.nowMsValue;
    const dtS = dtMs / 1000;
    const dtH = dtMs / MS_PER_H;
    if (this.dist.advance(t0)) this.refreshSlow();

    // Safety chain: watchdog relay and XY-501 in series with the valve solenoid.
    this.watchdog.step(t0);
    const hardCut = f.estopOpen && p.estopHardwired;
    this.valve.step(dtMs, this.coilPowered("XV-501") && this.permissiveClosed);
    const d101 = this.drives["vfd-p101"];
    const d301 = this.drives["vfd-p301"];
    d101.sto = hardCut;
    d301.sto = hardCut;
    d101.step(dtS, this.loads["vfd-p101"]);
    d301.step(dtS, this.loads["vfd-p301"]);
    const s101 = d101.speedPct / 100;
    const s301 = d301.speedPct / 100;

    // Hydraulics, upstream to downstream; each pump takes what its tank can give this step.
    const inflow = f.eqInflowM3h ?? this.inflowM3h;
    const q101Want = p.p101MaxFlowM3h * s101;
    const eqShare = this.eq.availability(q101Want * dtH, inflow * dtH);
    const q101 = q101Want * eqShare;
    const backwashing = this.coilPowered("P-202") && this.coilPowered("XV-203");
    const qBwWant = backwashing ? p.backwashFlowM3h : 0;
    const q301Want = p.p301MaxFlowM3h * s301;
    const btShare = this.breakTank.availability((q301Want + qBwWant) * dtH, q101 * dtH);
    const q301 = q301Want * btShare;
    const qBw = qBwWant * btShare;
    const qPerm = q301 * p.roRecovery;
    const qConc = q301 - qPerm;
    const qReuse = qPerm * this.valve.position;
    const qDiv = qPerm - qReuse;
    const demandWant = f.reuseDemandM3h ?? this.demandM3h;
    const qDemand = demandWant * this.reuseTank.availability(demandWant * dtH, qReuse * dtH);
    this.eq.exchange((inflow + qDiv) * dtH, q101 * dtH);
    this.breakTank.exchange(q101 * dtH, (q301 + qBw) * dtH);
    this.reuseTank.exchange(qReuse * dtH, qDemand * dtH);
    this.loads["vfd-p101"] = eqShare;
    this.loads["vfd-p301"] = btShare;
    this.sums.inflow += inflow * dtH;
    this.sums.concentrate += qConc * dtH;
    this.sums.backwash += qBw * dtH;
    this.sums.demand += qDemand * dtH;
    this.totals.uf += q101 * dtH;
    this.totals.permeate += qPerm * dtH;
    this.totals.concentrate += qConc * dtH;
    this.totals.product += qPerm * dtH;
    const fl = this.flows;
    fl.inflow = inflow;
    fl.uf = q101;
    fl.backwash = qBw;
    fl.roFeed = q301;
    fl.permeate = qPerm;
    fl.concentrate = qConc;
    fl.toReuse = qReuse;
    fl.toDivert = qDiv;
    fl.demand = qDemand;

    // UF: a feed-turbidity upset is a breakthrough, so the passage rises with it.
    const feedNtu = f.feedTurbidityNtu ?? this.feedNtu;
    const passage = f.feedTurbidityNtu !== null ? p.ufBreakthroughPassage : p.ufPassage;
    const fouling = f.ufFouling ? f.ufFouling.bar + (f.ufFouling.ratePerH * (t0 - f.ufFouling.sinceMs)) / MS_PER_H : 0;
    this.uf.step(dtS, q101, qBw > 0, feedNtu, passage, fouling);
    const pr = this.pressures;
    pr.pit201 = p.p101MaxPressureBar * s101 * s101 * eqShare * eqShare;
    pr.pit202 = Math.max(0, pr.pit201 - this.uf.tmpBar) + (qBw > 0 ? p.backwashPressureBar * btShare : 0);
    pr.pit301 = p.p301MaxPressureBar * s301 * s301 * btShare * btShare + (q301 > 0 ? (f.roExtraPressureBar ?? 0) : 0);

    // RO, then plug flow to the analyzers, dosing, and plug flow through the contact pipe.
    this.feedConductivityUsCm = f.feedConductivityUsCm ?? this.feedCondSlow;
    this.ro.step(qPerm, this.feedConductivityUsCm, this.uf.filtrateNtu, this.baseRejectionPct, f.rejectionPct, this.qRo);
    const dv = qPerm * dtH;
    this.permeateLine.advance(dv, this.qRo, 0);
    const an = this.qAnalyzers;
    const out = this.permeateLine.outlet;
    an[Q.TURB] = out[Q.TURB] as number;
    an[Q.COND] = out[Q.COND] as number;
    an[Q.FEED_COND] = out[Q.FEED_COND] as number;
    this.dis.step(dtH, qPerm, this.coilPowered("P-401") && !f.dosingFailure);
    an[Q.CL] = this.dis.chlorineMgL;
    an[Q.PH] = f.productPh ?? this.ph;
    an[Q.TEMP] = this.temperatureC;
    // Water is booked at the start of the step it leaves in, valve moves at its end: so a
    // change reaching the analyzers at t is booked at the valve at exactly t + volume/flow.
    this.contactPipe.advance(dv, an, 0, this.ledgerSink);
    this.nowMsValue = t0 + dtMs;
    this.ledger.observeValve(this.valve.inReuse, this.nowMsValue);
  }

  balance(): PlantBalance {
    const tanks = [this.eq, this.breakTank, this.reuseTank];
    return {
      inflowM3: this.sums.inflow,
      concentrateM3: this.sums.concentrate,
      backwashM3: this.sums.backwash,
      demandM3: this.sums.demand,
      overflowM3: tanks.reduce((s, t) => s + t.overflowM3, 0),
      storageM3: tanks.reduce((s, t) => s + t.volume, 0),
    };
  }

  private refreshSlow(): void {
    const p = this.params;
    const d = this.dist;
    this.inflowM3h = Math.max(0, p.eqInflowM3h + d.inflow.x);
    this.demandM3h = Math.max(0, p.reuseDemandM3h + d.demand.x);
    this.feedNtu = Math.max(0, p.feedTurbidityNtu + d.feedTurbidity.x);
    this.feedCondSlow = Math.max(0, p.feedConductivityUsCm + d.feedConductivity.x);
    this.baseRejectionPct = Math.min(99.9, p.roRejectionPct + d.rejection.x);
    this.ph = p.productPh + d.ph.x;
    // Held per disturbance period so plug-flow parcels stay few.
    const tS = Math.floor(this.nowMsValue / DISTURBANCE_PERIOD_MS) * (DISTURBANCE_PERIOD_MS / 1000);
    this.temperatureC = p.temperatureC + p.temperatureDailySwingC * Math.sin((2 * Math.PI * tS) / DAY_S);
  }

  private presetRunning(): void {
    const p = this.params;
    this.drives["vfd-p101"].preset(p.p101NominalPct);
    this.drives["vfd-p301"].preset(p.p301NominalPct);
    for (const d of DRIVES) {
      this.inputState.drives[d].controlWord = this.drives[d].controlWord;
      this.inputState.drives[d].speedRef = this.drives[d].speedRef;
    }
    this.inputState.coils["P-401"] = true;
    this.inputState.coils["XV-501"] = true;
    this.inputState.gpio["XY-501"] = true;
    this.watchdog.preset(0);
    this.valve.position = 1;
    // One step's worth of state so pressures, TMP and flows are not zero before the first step.
    const s101 = p.p101NominalPct / 100;
    const s301 = p.p301NominalPct / 100;
    this.pressures.pit201 = p.p101MaxPressureBar * s101 * s101;
    this.uf.step(0, p.p101MaxFlowM3h * s101, false, p.feedTurbidityNtu, p.ufPassage, 0);
    this.pressures.pit202 = Math.max(0, this.pressures.pit201 - this.uf.tmpBar);
    this.pressures.pit301 = p.p301MaxPressureBar * s301 * s301;
  }
}
