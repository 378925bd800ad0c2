// Plug flow through a pipe of fixed volume: a FIFO of water parcels (volume + quality
// vector), so water that enters leaves after exactly the pipe's volume has followed it,
// whatever the flow does meanwhile; at zero flow the water stands still. This is what
// gives the contact pipe its transport time (REFERENCE-SKID.md CT-401).

/** Receives each chunk of water leaving the pipe, oldest first. */
export interface ChunkSink {
  chunk(volumeM3: number, quality: Float64Array, offset: number): void;
}

/** Volumes this close are the same (flows summed over a day in floating point). */
const EPS_M3 = 1e-12;
/** Consecutive parcels whose qualities agree to this relative precision are merged. */
const SAME_QUALITY = 1e-9;

function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= SAME_QUALITY * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

export class PlugFlowPipe {
  /** The quality of the last water that left: what an instrument at the outlet sees. */
  readonly outlet: Float64Array;
  private cap: number;
  private vol: Float64Array;
  private q: Float64Array;
  private head = 0;
  private count = 0;

  /**
   * @param maxParcels beyond this, a new parcel is blended into the last one by volume;
   *   reached only at a trickle of flow with quality changing every step, and it then blurs
   *   the quality by at most one parcel's worth of water.
   */
  constructor(
    readonly volumeM3: number,
    readonly nq: number,
    initial: ArrayLike<number>,
    private readonly maxParcels = 1 << 17,
  ) {
    if (!(volumeM3 > 0)) throw new RangeError(`pipe volume must be > 0, got ${volumeM3}`);
    this.cap = 1024;
    this.vol = new Float64Array(this.cap);
    this.q = new Float64Array(this.cap * nq);
    this.outlet = new Float64Array(nq);
    for (let k = 0; k < nq; k++) this.outlet[k] = initial[k] as number;
    this.push(volumeM3, initial, 0);
  }

  get parcels(): number {
    return this.count;
  }

  /** Water in the pipe (equals volumeM3 up to rounding). */
  get contentM3(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.vol[(this.head + i) % this.cap] as number;
    return s;
  }

  /** Quality of the water at a distance (m³ from the outlet); for inspection and tests. */
  qualityAt(fromOutletM3: number, k: number): number {
    let acc = 0;
    for (let i = 0; i < this.count; i++) {
      const idx = (this.head + i) % this.cap;
      acc += this.vol[idx] as number;
      if (acc > fromOutletM3) return this.q[idx * this.nq + k] as number;
    }
    return this.q[((this.head + this.count - 1) % this.cap) * this.nq + k] as number;
  }

  /**
   * Moves dv m³ of water of quality qIn (at qIn[offset..offset+nq)) into the pipe and the same
   * volume out of it. Out first, then in: water that enters during a step leaves during the
   * step that ends volume/flow later, which makes the delay exact at constant flow.
   */
  advance(dv: number, qIn: ArrayLike<number>, offset: number, sink?: ChunkSink): void {
    if (!(dv > EPS_M3)) return;
    let remaining = dv;
    let popped = 0;
    while (remaining > EPS_M3 && this.count > 0) {
      const h = this.head;
      const hv = this.vol[h] as number;
      const base = h * this.nq;
      if (hv <= remaining + EPS_M3) {
        this.emit(hv, this.q, base, sink);
        remaining -= hv;
        popped += hv;
        this.head = (h + 1) % this.cap;
        this.count--;
      } else {
        this.emit(remaining, this.q, base, sink);
        this.vol[h] = hv - remaining;
        popped += remaining;
        remaining = 0;
      }
    }
    if (remaining > EPS_M3) {
      // More water than the pipe holds went through in one step: the rest passes straight on.
      this.emit(remaining, qIn, offset, sink);
      this.push(popped, qIn, offset);
    } else {
      // Put back exactly what left, so the content never drifts from the pipe's volume.
      this.push(popped, qIn, offset);
    }
  }

  private emit(v: number, src: ArrayLike<number>, base: number, sink: ChunkSink | undefined): void {
    for (let k = 0; k < this.nq; k++) this.outlet[k] = src[base + k] as number;
    sink?.chunk(v, this.outlet, 0);
  }

  private push(v: number, qIn: ArrayLike<number>, offset: number): void {
    if (!(v > 0)) return;
    if (this.count > 0) {
      const tail = (this.head + this.count - 1) % this.cap;
      const tb = tail * this.nq;
      let equal = true;
      for (let k = 0; k < this.nq && equal; k++) equal = same(this.q[tb + k] as number, qIn[offset + k] as number);
      if (equal) {
        this.vol[tail] = (this.vol[tail] as number) + v;
        return;
      }
      if (this.count === this.cap && !this.grow()) {
        const tv = this.vol[tail] as number;
        for (let k = 0; k < this.nq; k++) {
          this.q[tb + k] = ((this.q[tb + k] as number) * tv + (qIn[offset + k] as number) * v) / (tv + v);
        }
        this.vol[tail] = tv + v;
        return;
      }
    }
    const idx = (this.head + this.count) % this.cap;
    this.vol[idx] = v;
    for (let k = 0; k < this.nq; k++) this.q[idx * this.nq + k] = qIn[offset + k] as number;
    this.count++;
  }

  /** Doubles the ring (rare: amortised, never on a steady step). */
  private grow(): boolean {
    if (this.cap >= this.maxParcels) return false;
    const cap = Math.min(this.cap * 2, this.maxParcels);
    const vol = new Float64Array(cap);
    const q = new Float64Array(cap * this.nq);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.cap;
      vol[i] = this.vol[from] as number;
      q.set(this.q.subarray(from * this.nq, from * this.nq + this.nq), i * this.nq);
    }
    this.vol = vol;
    this.q = q;
    this.cap = cap;
    this.head = 0;
    return true;
  }
}
