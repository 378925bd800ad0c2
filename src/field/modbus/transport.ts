// The seam between the Modbus engine and the wire: one request at a time, raw registers and
// bits in and out. Implementations: modbus-serial over TCP or RTU (client.ts), and an
// in-memory link straight into the simulator's devices for virtual-time runs.

export type ModbusRequest =
  | { fc: 1 | 2; unit: number; address: number; count: number }
  | { fc: 3 | 4; unit: number; address: number; count: number }
  | { fc: 5; unit: number; address: number; value: boolean }
  | { fc: 6; unit: number; address: number; value: number }
  | { fc: 15; unit: number; address: number; values: boolean[] }
  | { fc: 16; unit: number; address: number; values: number[] };

export interface ModbusResponse {
  bits?: boolean[];
  registers?: number[];
}

export interface ModbusTransport {
  /** The line's name, for messages. */
  readonly name: string;
  readonly connected: boolean;
  connect(): Promise<void>;
  close(): Promise<void>;
  /**
   * Sends one request and waits at most timeoutMs for its answer. Rejects with a
   * ModbusError subclass (errors.ts); never resolves with a partial answer.
   */
  request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse>;
}

export const FC_NAMES: Record<ModbusRequest["fc"], string> = {
  1: "coils",
  2: "discrete inputs",
  3: "HR",
  4: "IR",
  5: "coil",
  6: "HR",
  15: "coils",
  16: "HR",
};

/** "FC04 IR 50..52" — how a request is named in every message. */
export function describeRequest(req: ModbusRequest): string {
  const fc = `FC${String(req.fc).padStart(2, "0")}`;
  const count = "count" in req ? req.count : "values" in req ? req.values.length : 1;
  const last = req.address + count - 1;
  return `${fc} ${FC_NAMES[req.fc]} ${req.address}${count > 1 ? `..${last}` : ""}`;
}
