// Word encodings the simulated devices use on the wire (float32 in ABCD or CDAB order, µA).

const scratch = Buffer.alloc(4);

/** float32 as two registers, high word first (ABCD) or low word first (CDAB). */
export function float32Words(value: number, order: "ABCD" | "CDAB"): [number, number] {
  scratch.writeFloatBE(value, 0);
  const hi = scratch.readUInt16BE(0);
  const lo = scratch.readUInt16BE(2);
  return order === "ABCD" ? [hi, lo] : [lo, hi];
}

/** A 4–20 mA loop in µA for a value on its range; a broken wire reads 0 µA (NE 43: < 3600). */
export function loopMicroamps(value: number, lo: number, hi: number, broken: boolean): number {
  if (broken) return 0;
  const ua = 4000 + ((value - lo) / (hi - lo)) * 16000;
  // A real transmitter saturates at 3.8 and 20.5 mA (NE 43) rather than reporting beyond.
  return Math.round(Math.min(20500, Math.max(3800, ua)));
}
