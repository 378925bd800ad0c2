// Seeded pseudo-random numbers for the simulator: the same seed gives the same plant, the
// same noise and the same scenario result on every machine (Math.random is never used).

/** mulberry32: a 32-bit state generator; tiny, fast and good enough for process noise. */
export class Prng {
  private state: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    // Any finite seed works; fold it to 32 bits so 7 and 7.0 and 2^32+7 agree.
    this.state = (Math.trunc(seed) >>> 0) ^ 0x6d2b79f5;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal N(0, 1) by the Box–Muller transform; the second value is kept for the next call. */
  gaussian(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = this.next();
    while (u <= 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** A second, independent stream from one seed (sensors must not shift the plant's own sequence). */
export function deriveSeed(seed: number, stream: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
