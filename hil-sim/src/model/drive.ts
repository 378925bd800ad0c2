// A variable-frequency drive on a centrifugal pump, as its Modbus drive profile shows it:
// control word (bit0 run, bit7 fault reset on the rising edge), speed reference 0–20000 =
// 0–100 %, acceleration ramp, status word (bit0 ready, bit1 running, bit3 fault), current,
// power and a latched trip with a fault code.

export const CW_RUN = 1 << 0;
export const CW_RESET = 1 << 7;
export const SW_READY = 1 << 0;
export const SW_RUNNING = 1 << 1;
export const SW_FAULT = 1 << 3;
export const SPEED_FULL_SCALE = 20000;

export interface DriveRating {
  ratedKw: number;
  rampPctPerS: number;
  coastPctPerS: number;
}

const SUPPLY_V = 400;
const POWER_FACTOR = 0.85;

export class Drive {
  controlWord = 0;
  speedRef = 0;
  /** Actual speed, % of full. */
  speedPct = 0;
  faulted = false;
  faultCode = 0;
  /** Mechanical power drawn, kW; the plant sets the load share (a starved pump takes less). */
  powerKw = 0;
  /** A trip cause is present (a `drive-trip` fault): the drive cannot be reset meanwhile. */
  private cause: number | null = null;
  /** After a trip the drive needs run = 0 before it will start again (switch-on inhibit). */
  private inhibit = false;
  /** Safe torque off (hardwired emergency stop). */
  sto = false;

  constructor(private readonly rating: DriveRating) {}

  setControlWord(word: number): void {
    const w = word & 0xffff;
    const resetEdge = (w & CW_RESET) !== 0 && (this.controlWord & CW_RESET) === 0;
    this.controlWord = w;
    if (resetEdge && this.faulted && this.cause === null) {
      this.faulted = false;
      this.faultCode = 0;
    }
    this.releaseInhibit();
  }

  setSpeedRef(raw: number): void {
    this.speedRef = Math.min(SPEED_FULL_SCALE, Math.max(0, Math.round(raw)));
  }

  /** A trip cause appears (code) or goes away (null); the fault itself stays latched until reset. */
  setTripCause(code: number | null): void {
    this.cause = code;
    if (code !== null) {
      this.faulted = true;
      this.faultCode = code;
      this.inhibit = true;
    }
  }

  /** Whether the drive is in its run state (output enabled). */
  get enabled(): boolean {
    return !this.faulted && !this.sto && !this.inhibit && (this.controlWord & CW_RUN) !== 0;
  }

  get statusWord(): number {
    let s = 0;
    if (!this.faulted && !this.sto) s |= SW_READY;
    if (this.enabled || this.speedPct > 0.05) s |= SW_RUNNING;
    if (this.faulted) s |= SW_FAULT;
    return s;
  }

  /** Motor current, A: magnetising current plus the active part of the power. */
  get currentA(): number {
    if (this.speedPct <= 0) return 0;
    const active = (this.powerKw * 1000) / (Math.sqrt(3) * SUPPLY_V * POWER_FACTOR);
    const magnetising = (0.3 * this.rating.ratedKw * 1000) / (Math.sqrt(3) * SUPPLY_V) * (this.speedPct / 100);
    return Math.sqrt(active * active + magnetising * magnetising);
  }

  step(dtS: number, loadShare: number): void {
    if (this.sto) this.inhibit = true;
    this.releaseInhibit();
    const target = this.enabled ? (100 * this.speedRef) / SPEED_FULL_SCALE : 0;
    const rate = this.enabled ? this.rating.rampPctPerS : this.faulted || this.sto ? this.rating.coastPctPerS : this.rating.rampPctPerS;
    const maxStep = rate * dtS;
    const d = target - this.speedPct;
    this.speedPct = Math.abs(d) <= maxStep ? target : this.speedPct + Math.sign(d) * maxStep;
    const s = this.speedPct / 100;
    // Affinity law: power ∝ speed³; a starved pump moves less water and draws less.
    this.powerKw = this.rating.ratedKw * s * s * s * (0.3 + 0.7 * loadShare);
  }

  /** Starts at a speed at once (initial conditions only). */
  preset(speedPct: number): void {
    this.speedRef = Math.round((speedPct / 100) * SPEED_FULL_SCALE);
    this.controlWord = CW_RUN;
    this.speedPct = speedPct;
  }

  private releaseInhibit(): void {
    if (this.inhibit && !this.faulted && !this.sto && (this.controlWord & CW_RUN) === 0) this.inhibit = false;
  }
}
