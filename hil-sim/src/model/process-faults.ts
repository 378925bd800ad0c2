// The process faults active at a moment, as the plant applies them to its truth. faults.ts
// computes this from the scenario's events; the plant only reads it.
import type { DriveName } from "./tags.js";
import type { ValveStuck } from "./valve.js";

export interface ProcessFaultState {
  /** `feed-turbidity`: turbidity at the UF inlet, NTU; it breaks through the UF. */
  feedTurbidityNtu: number | null;
  /** `feed-conductivity`: RO feed conductivity, µS/cm. */
  feedConductivityUsCm: number | null;
  /** `membrane-breach`: RO salt rejection, %. */
  rejectionPct: number | null;
  /** `uf-fouling`: TMP added (bar at nominal flux) that no backwash removes, growing at ratePerH from sinceMs. */
  ufFouling: { bar: number; ratePerH: number; sinceMs: number } | null;
  /** `dosing-failure`: P-401 runs and shows running, but doses nothing. */
  dosingFailure: boolean;
  /** `valve-stuck`. */
  valveStuck: ValveStuck;
  /** `drive-trip`: the fault code while the trip cause is present. */
  driveTrip: Readonly<Record<DriveName, number | null>>;
  /** `estop`: HS-001 opened. */
  estopOpen: boolean;
  /** `eq-inflow`: paint-shop wastewater into EQ, m³/h. */
  eqInflowM3h: number | null;
  /** `reuse-demand`: consumers' draw from the reuse tank, m³/h. */
  reuseDemandM3h: number | null;
  /** `product-ph`: product pH (a pH-correction dosing upset) at the product analyzers. */
  productPh: number | null;
  /** `ro-overpressure`: bar added to PIT-301 while the RO runs (a blocked concentrate line). */
  roExtraPressureBar: number | null;
}

export const NO_PROCESS_FAULTS: Readonly<ProcessFaultState> = Object.freeze({
  feedTurbidityNtu: null,
  feedConductivityUsCm: null,
  rejectionPct: null,
  ufFouling: null,
  dosingFailure: false,
  valveStuck: null,
  driveTrip: Object.freeze({ "vfd-p101": null, "vfd-p301": null }),
  estopOpen: false,
  eqInflowM3h: null,
  reuseDemandM3h: null,
  productPh: null,
  roExtraPressureBar: null,
});
