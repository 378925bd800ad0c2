// One cell of the fault matrix: a skid in production, one device fault for a while, then
// the fault cleared. Checked: the product never goes off-spec to reuse (the plant's truth
// ledger), the skid is safe during the fault (diverted, or the protection row that reads the
// device acting), the controller never keeps Reuse while a CCP input is not Good, it
// recovers (devices online, quality good, Execute/Reuse) with only the operator commands a
// technician would give, and it leaves no timer (virtual) or handle (real sockets) behind.
import type { Config } from "../../../src/config/schema.js";
import type { FaultEvent } from "../../../hil-sim/src/model/faults.js";
import { ccpInputs, deviceRole, Operator, type DeviceRole } from "./operator.js";
import { TestSkid, type SkidMode } from "./skid.js";

export const MATRIX_DEVICES = ["analyzer-1", "rio-1", "vfd-p101", "vfd-p301", "flow-201", "flow-301", "flow-302", "flow-501"] as const;
export const MATRIX_FAULTS = ["offline", "exception", "slow", "corrupt"] as const;
export type MatrixFault = (typeof MATRIX_FAULTS)[number];

export interface FaultCaseOptions {
  device: string;
  fault: MatrixFault;
  mode: SkidMode;
  /** How long the fault lasts (sim ms). Default 30 s. */
  faultMs?: number;
  /** How long recovery may take after the fault clears (sim ms). Default 10 min. */
  recoveryLimitMs?: number;
  configure?: (c: Config) => Config;
  seed?: number;
  store?: boolean;
}

export interface FaultCaseResult {
  device: string;
  fault: MatrixFault;
  role: DeviceRole;
  /** PackML state / quality mode at the end of the fault. */
  duringFault: { state: string; qualityMode: string; protection: string[]; deviceStatus: string };
  /** Every state the skid went through, in order (no repeats). */
  states: string[];
  /** Scans in which the product stayed in Reuse with a CCP input not Good, beyond one scan's grace. */
  reuseWithBadCcp: string[];
  offSpecToReuseL: number;
  /** Operator commands needed to get back to production. */
  operator: string[];
  /** Sim ms from the fault's end to Execute/Reuse with every device online; null = never. */
  recoveredAfterMs: number | null;
  finalState: { state: string; qualityMode: string };
  /** Causes of every transition to Aborting (protection rows, commands). */
  aborts: string[];
  /** Ended in Starting with the start sequence never begun (see known-bugs.ts, K1). */
  stuckInStarting: boolean;
  /** Timers pending on the virtual clock after everything stopped (0 = no leak); null on real time. */
  pendingTimersAfterStop: number | null;
}

/** The fault as the simulator schedules it: exception 4 (server device failure), slow beyond the device's timeout. */
export function faultEvent(config: Config, device: string, fault: MatrixFault, atMs: number, forMs: number): FaultEvent {
  const timeout = config.devices.find((d) => d.name === device)?.timeout ?? 1000;
  const base = { atMs, forMs, fault, device } as const;
  if (fault === "exception") return { ...base, code: 4 };
  if (fault === "slow") return { ...base, delayMs: timeout + 250 };
  return base;
}

function activeProtection(skid: TestSkid): string[] {
  return Object.entries(skid.ctl.controller.state.protection)
    .filter(([, p]) => p.active)
    .map(([n]) => n);
}

export async function runFaultCase(o: FaultCaseOptions): Promise<FaultCaseResult> {
  const faultMs = o.faultMs ?? 30_000;
  const skid = await TestSkid.open({ mode: o.mode, seed: o.seed ?? 7, store: o.store ?? false, ...(o.configure ? { configure: o.configure } : {}) });
  const { config } = skid;
  const ccps = [...ccpInputs(config)];
  const states: string[] = [];
  const note = (): void => {
    const s = skid.state;
    const label = `${s.state}/${s.qualityMode}`;
    if (states[states.length - 1] !== label) states.push(label);
  };
  const reuseWithBadCcp: string[] = [];
  let badStreak = 0;
  const watch = (): void => {
    note();
    const st = skid.ctl.controller.state;
    const bad = ccps.filter((t) => st.tags[t]?.quality.code !== "good");
    // One step (100 ms, one scan) of grace: a sample that arrives between scans.
    badStreak = st.divert.mode === "Reuse" && bad.length > 0 ? badStreak + 1 : 0;
    if (badStreak > 2 && reuseWithBadCcp.length < 5) reuseWithBadCcp.push(`${Math.round(skid.now)} ms: Reuse with ${bad.join(", ")} not Good`);
  };
  const aborts: string[] = [];
  const sub = skid.ctl.controller.events$.subscribe((e) => {
    if (e.type === "state" && e.to === "Aborting") aborts.push(e.cause);
  });
  let result: FaultCaseResult | undefined;
  try {
    // Production first: the skid must be making good water before the fault means anything.
    await skid.run(20_000, watch);
    const startedIn = skid.state;
    if (startedIn.state !== "Execute" || startedIn.qualityMode !== "Reuse") throw new Error(`before the fault: ${startedIn.state}/${startedIn.qualityMode}, not Execute/Reuse`);
    skid.sim.faults.add(faultEvent(config, o.device, o.fault, skid.sim.nowMs, faultMs));
    await skid.run(faultMs - 200, watch);
    const health = skid.ctl.engine.health().find((h) => h.device === o.device);
    const duringFault = { ...skid.state, protection: activeProtection(skid), deviceStatus: health?.status ?? "?" };
    await skid.run(400, watch);

    // The fault has cleared: the operator brings the skid back where the config needs them.
    const op = new Operator(skid.ctl.controller, config.quality);
    const clearedAt = skid.now;
    let recoveredAfterMs: number | null = null;
    let startingSince: number | null = null;
    let stuckInStarting = false;
    const startSeq = config.startSequence;
    await skid.run(
      o.recoveryLimitMs ?? 10 * 60_000,
      () => {
        watch();
        const st = skid.ctl.controller.state;
        const online = skid.ctl.engine.health().every((h) => h.status === "online");
        const good = ccps.every((t) => st.tags[t]?.quality.code === "good");
        if (online && good && st.state === "Execute" && st.divert.mode === "Reuse") {
          recoveredAfterMs = skid.now - clearedAt;
          return true;
        }
        // Two minutes in Starting without the start sequence ever beginning: it never will (K1).
        startingSince = st.state === "Starting" ? (startingSince ?? skid.now) : null;
        const seq = startSeq !== undefined ? st.sequences[startSeq] : undefined;
        if (startingSince !== null && seq?.status === "idle" && skid.now - startingSince > 120_000) {
          stuckInStarting = true;
          return true;
        }
        op.act(skid.now);
        return false;
      },
      250,
    );
    result = {
      device: o.device,
      fault: o.fault,
      role: deviceRole(config, o.device),
      duringFault,
      states,
      reuseWithBadCcp,
      offSpecToReuseL: skid.sim.plant.ledger.offSpecToReuseL,
      operator: op.log,
      recoveredAfterMs,
      finalState: skid.state,
      aborts,
      stuckInStarting,
      pendingTimersAfterStop: null,
    };
  } finally {
    sub.unsubscribe();
    await skid.close();
  }
  result.pendingTimersAfterStop = skid.virtual?.pendingTimers ?? null;
  return result;
}

/** Whether the skid was safe at the end of the fault, by the device's role in the config. */
export function safeDuringFault(r: FaultCaseResult): boolean {
  const diverted = r.duringFault.qualityMode === "Divert";
  const protecting = r.role.protection.some((p) => r.duringFault.protection.includes(p));
  if (r.role.ccp && !diverted) return false;
  if (r.role.protection.length > 0 && !protecting && !diverted) return false;
  return true;
}

/** One line per case for the test log and the report. */
export function describeCase(r: FaultCaseResult): string {
  const rec = r.recoveredAfterMs === null ? "NOT recovered" : `recovered ${Math.round(r.recoveredAfterMs / 1000)} s after`;
  return (
    `${r.device} ${r.fault}: during ${r.duringFault.state}/${r.duringFault.qualityMode} (${r.duringFault.deviceStatus}; protection ${r.duringFault.protection.join(",") || "-"}), ` +
    `${rec}, operator [${r.operator.join(", ")}], aborts [${r.aborts.join(", ")}], states ${r.states.join(" → ")}, off-spec to reuse ${r.offSpecToReuseL} L`
  );
}
