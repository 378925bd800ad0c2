// The process model's public face: what the device layer, the scenario runner and the
// simulator CLI use. Nothing here imports the controller (src/core): this is the plant.
export { Plant, type PlantBalance, type PlantFlows, type PlantInputs } from "./plant.js";
export { DEFAULT_PARAMS, STEADY, resolveParams, type PlantParams } from "./params.js";
export { NO_PROCESS_FAULTS, type ProcessFaultState } from "./process-faults.js";
export {
  DEFAULT_TRIP_CODE,
  DEVICE_FAULTS,
  FAULT_NAMES,
  FaultRegistry,
  PROCESS_FAULTS,
  SENSOR_FAULTS,
  isActive,
  isDeviceFault,
  isProcessFault,
  isSensorFault,
  type DeviceFaultEffect,
  type FaultEvent,
  type FaultName,
} from "./faults.js";
export { Sensors, defaultSensorSpecs, type SensorSpec, type TruthSource } from "./sensors.js";
export { DEFAULT_CCP_LIMITS, TruthLedger, isOffSpec, type CcpLimits, type LedgerDivert, type LedgerReport } from "./ledger.js";
export { PlugFlowPipe, type ChunkSink } from "./plugflow.js";
export { Prng, deriveSeed } from "./prng.js";
export { CW_RESET, CW_RUN, SPEED_FULL_SCALE, SW_FAULT, SW_READY, SW_RUNNING } from "./drive.js";
export * from "./tags.js";
