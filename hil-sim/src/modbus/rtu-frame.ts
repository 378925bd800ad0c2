// Modbus RTU framing for the simulator's serial devices: CRC-16/Modbus, the length of a
// request frame from its first bytes, and the time a frame takes on the wire. Modbus over
// serial line v1.02: §2.5.1 (frame), §6.2.2 (CRC: polynomial 0xA001 reflected, initial
// 0xFFFF, sent low byte first), §2.5.1.1 (3.5-character silence, 1.75 ms above 19200 baud).

export interface SerialTiming {
  baud: number;
  parity: "none" | "even" | "odd";
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** unit + PDU + CRC (low byte first). */
export function rtuFrame(unit: number, pdu: Uint8Array): Buffer {
  const out = Buffer.alloc(pdu.length + 3);
  out[0] = unit;
  out.set(pdu, 1);
  out.writeUInt16LE(crc16(out.subarray(0, out.length - 2)), out.length - 2);
  return out;
}

export function crcOk(frame: Uint8Array): boolean {
  if (frame.length < 4) return false;
  const sent = (frame[frame.length - 2] as number) | ((frame[frame.length - 1] as number) << 8);
  return crc16(frame.subarray(0, frame.length - 2)) === sent;
}

/**
 * Length of the request frame that starts the buffer, as far as its first bytes tell:
 * undefined while more bytes are needed to know, null for a function code we do not know
 * (its end can only be found by the silence after it).
 */
export function requestLength(buf: Uint8Array): number | undefined | null {
  if (buf.length < 2) return undefined;
  switch (buf[1]) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
      return 8;
    case 15:
    case 16:
      // unit, fc, address(2), quantity(2), byte count, data, CRC(2)
      return buf.length < 7 ? undefined : 9 + (buf[6] as number);
    default:
      return null;
  }
}

export function bitsPerChar(t: SerialTiming): number {
  return 1 + t.dataBits + (t.parity === "none" ? 0 : 1) + t.stopBits;
}

/** Time `bytes` characters take on the wire (ms). */
export function frameMs(bytes: number, t: SerialTiming): number {
  return (bytes * bitsPerChar(t) * 1000) / t.baud;
}

/** The 3.5-character silence that ends a frame (ms). */
export function silenceMs(t: SerialTiming): number {
  return t.baud > 19200 ? 1.75 : 3.5 * frameMs(1, t);
}
