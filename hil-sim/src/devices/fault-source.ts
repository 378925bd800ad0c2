// Where a simulated device asks which device faults are active on it right now.
import type { DeviceFaults } from "../modbus/slave.js";

export type DeviceFaultSource = (device: string) => DeviceFaults;

export const NO_FAULTS: DeviceFaultSource = () => ({});
