// What every benchmark returns: figures printed beside their goals by tests/bench/run.ts,
// never asserted in unit tests (DEVELOPERS.md).

export interface BenchFigure {
  /** What was measured, e.g. "history insert rate (batched)". */
  name: string;
  value: number;
  unit: string;
  /** The goal in words, e.g. ">= 200000"; omitted where there is none. */
  goal?: string;
  /** Whether the goal was met; omitted where there is no goal. */
  met?: boolean;
}

export interface Bench {
  /** The issue area, e.g. "store", "field", "core", "sim", "opcua". */
  area: string;
  run(): Promise<BenchFigure[]>;
}
