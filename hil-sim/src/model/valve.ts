// XV-501, the 3-way divert valve, and the external watchdog relay that can take away its
// reuse permissive. The valve goes to reuse only while its solenoid is energised through the
// XY-501 contact; otherwise its spring takes it to divert (fail safe). Limit switches are made
// only at the end positions.

export type ValveStuck = "here" | "reuse" | "divert" | null;

export class DivertValve {
  /** 0 = divert, 1 = reuse. */
  position = 0;
  /** `valve-stuck`: "here" freezes it now; "reuse"/"divert" let it move until it gets there, then freeze. */
  stuck: ValveStuck = null;

  constructor(private readonly travelMs: number) {}

  get inReuse(): boolean {
    return this.position >= 1;
  }
  get inDivert(): boolean {
    return this.position <= 0;
  }

  step(dtMs: number, solenoidPowered: boolean): void {
    if (this.stuck === "here") return;
    if (this.stuck === "reuse" && this.inReuse) return;
    if (this.stuck === "divert" && this.inDivert) return;
    const target = solenoidPowered ? 1 : 0;
    const maxStep = this.travelMs > 0 ? dtMs / this.travelMs : 1;
    const d = target - this.position;
    // The tolerance absorbs rounding, so 30 steps of 100 ms make exactly a 3 s travel.
    this.position = Math.abs(d) <= maxStep + 1e-9 ? target : this.position + Math.sign(d) * maxStep;
  }
}

/**
 * A pulse-monitoring relay on WD-001. It holds its contact (in series with XY-501) closed
 * while heartbeat edges keep coming, each within the timeout; if they stop it drops at once.
 * It needs no manual reset: it closes again after `rearmEdges` fresh edges, each within the
 * timeout of the one before. That is safe because XY-501 itself, driven by the controller,
 * still gates reuse. At power-up it is dropped until the heartbeat starts.
 */
export class WatchdogRelay {
  private lastEdgeMs = Number.NEGATIVE_INFINITY;
  private edges = 0;
  private closed = false;
  private level = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly rearmEdges: number,
    private readonly enabled: boolean,
  ) {
    if (!enabled) this.closed = true;
  }

  get contactClosed(): boolean {
    return this.closed;
  }

  /** The WD-001 output as the controller drives it; only its changes count as heartbeats. */
  heartbeat(level: boolean, nowMs: number): void {
    if (level === this.level) return;
    this.level = level;
    this.edges = nowMs - this.lastEdgeMs <= this.timeoutMs ? this.edges + 1 : 1;
    this.lastEdgeMs = nowMs;
    if (this.enabled && !this.closed && this.edges >= this.rearmEdges) this.closed = true;
  }

  step(nowMs: number): void {
    if (this.enabled && this.closed && nowMs - this.lastEdgeMs > this.timeoutMs) {
      this.closed = false;
      this.edges = 0;
    }
  }

  /** Initial conditions only: as if the heartbeat had been running. */
  preset(nowMs: number): void {
    this.lastEdgeMs = nowMs;
    this.closed = true;
    this.edges = this.rearmEdges;
  }
}
