// The SIGKILL test as vitest tests, shared by the full suite (20+ kills) and the fast subset
// (3): a seeded schedule of kills during start-up, while running and in production, each
// followed by the checks of checkCycle, then one clean start and SIGTERM stop at the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controllerEntry } from "./child.js";
import { KillRig, rng, type CycleOptions, type CycleResult } from "./kill-rig.js";
import { notifyUnavailable } from "./notify-receiver.js";

/** The plant's highest product flow (m³/h): both pumps at 100 % give about 40. */
const MAX_PRODUCT_M3H = 45;
/** The watchdog relay drops 2 s after the last WD-001 edge (hil-sim params); the rest is margin for a loaded machine. */
const RELAY_DROP_LIMIT_MS = 3500;
/** Relay drop, then the valve's 3 s travel, and margin. */
const DIVERT_LIMIT_MS = 7000;

export interface KillSuiteOptions {
  name: string;
  seed: number;
  /** The kills, in order. */
  schedule: (random: () => number) => CycleOptions[];
  persistEvery: string;
  persistEveryMs: number;
}

/** A seeded schedule: `n` kills, every third during start-up, the rest while running; off-spec every `offSpecEvery`th. */
export function randomSchedule(n: number, offSpecEvery: number): (random: () => number) => CycleOptions[] {
  return (random) =>
    Array.from({ length: n }, (_, i): CycleOptions => {
      const offSpec = (i + 1) % offSpecEvery === 0;
      // Start-up kills land anywhere from module loading to the first poll cycle (READY comes after 3–6 s), or just after it.
      if (i % 3 === 2) return { kind: "startup", killAfterMs: 200 + Math.round(random() * 2300), offSpec };
      return { kind: "running", killAfterMs: 200 + Math.round(random() * 4000), offSpec };
    });
}

function describeCycle(i: number, r: CycleResult): string {
  return (
    `kill ${i + 1} (${r.kind}, ${r.killedAfterMs} ms after the start${r.ready ? `, READY at ${r.readyAfterMs} ms` : ", before READY"}): ` +
    `relay ${r.relayClosedAtKill ? `dropped after ${r.relayDropMs} ms` : "already open"}, XV-501 coil ${String(r.coilXv501AfterKill)}, ` +
    `rio trips ${r.rioTripsDuringDeath}, divert ${r.divertMs ?? "-"} ms, store ${JSON.stringify(r.store)}, command: ${r.command}`
  );
}

export function defineKillSuite(o: KillSuiteOptions): void {
  const skip = notifyUnavailable();
  describe.skipIf(skip !== null)(`${o.name}${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let rig: KillRig | undefined;
    const random = rng(o.seed);
    const cycles: CycleResult[] = [];

    beforeAll(async () => {
      const note = controllerEntry().note;
      if (note) console.warn(note);
      rig = await KillRig.open({ seed: o.seed, persistEvery: o.persistEvery, flush: "5s" });
    }, 120_000);

    afterAll(async () => {
      await rig?.close();
    }, 60_000);

    it("survives every SIGKILL: READY again, store sound, totals kept, and while it is dead the plant diverts by itself", async () => {
      if (!rig) throw new Error("no rig");
      const schedule = o.schedule(random);
      let auditRows = 0;
      let lastProduct: number | null = null;
      for (const [i, c] of schedule.entries()) {
        const r = await rig.cycle(c);
        cycles.push(r);
        const what = describeCycle(i, r);
        const output = `\n--- controller output ---\n${r.output}`;
        expect(r.exit.signal, `${what}: the child ended otherwise than by SIGKILL${output}`).toBe("SIGKILL");
        if (c.kind !== "startup") expect(r.ready, `${what}: no READY=1${output}`).toBe(true);

        // The plant while nobody controls it: the heartbeat stopped, so the relay took XY-501 away.
        if (r.ready && r.readyAfterMs !== null && r.killedAfterMs - r.readyAfterMs >= 1000) {
          expect(r.relayClosedAtKill, `${what}: the watchdog relay was not held closed by WD-001 while the controller ran`).toBe(true);
        }
        if (r.relayClosedAtKill) expect(r.relayDropMs, `${what}: the watchdog relay did not drop`).toBeLessThanOrEqual(RELAY_DROP_LIMIT_MS);
        expect(r.solenoidPoweredAfterKill, `${what}: XV-501's solenoid still powered with the controller dead`).toBe(false);
        // A controller that got as far as READY polled rio-1, which armed the coupler's own watchdog.
        if (r.ready) expect(r.coilXv501AfterKill, `${what}: rio-1 kept XV-501's coil energized with the controller dead`).not.toBe(true);
        if (c.kind === "production") {
          // The dead process still drives XY-501 (as sysfs would): only the relay and the coupler made it safe.
          expect(r.xy501LevelAfterKill, `${what}: XY-501 was not on in production`).toBe(true);
          expect(r.rioTripsDuringDeath, `${what}: rio-1's fieldbus watchdog did not trip`).toBeGreaterThanOrEqual(1);
          expect(r.divertMs, `${what}: XV-501 did not reach divert`).toBeLessThanOrEqual(DIVERT_LIMIT_MS);
        }
        if (c.offSpec) expect(r.offSpecDivertedL, `${what}: the off-spec water injected while dead never reached the valve`).toBeGreaterThan(0);
        expect(rig.sim.plant.ledger.offSpecToReuseL, `${what}: off-spec water reached reuse`).toBe(0);

        // The store, read as `reclaim audit verify` would while the controller is down.
        if (r.store) {
          expect(r.store.integrity, `${what}: integrity_check`).toEqual(["ok"]);
          expect(r.store.auditOk, `${what}: audit chain: ${r.store.auditDetail}`).toBe(true);
          // A command answered before the kill is in the audit trail: it is written before the answer leaves.
          const answered = r.command.startsWith("divert.reset accepted") || r.command.includes("(audited)");
          expect(r.store.auditRows, `${what}: audit rows went from ${auditRows} to ${r.store.auditRows}`).toBeGreaterThanOrEqual(auditRows + (answered ? 1 : 0));
          auditRows = r.store.auditRows;
        } else expect(r.ready, `${what}: READY=1 without a store file`).toBe(false);

        // Totals: never lost beyond one persistence interval, never counted twice.
        const after = r.store?.product ?? null;
        if (after !== null) {
          const saved = after - (r.productBefore ?? 0);
          expect(saved, `${what}: the persisted product total went backwards (${r.productBefore} → ${after} m³)`).toBeGreaterThanOrEqual(-1e-9);
          if (r.producedWhileUp !== null) {
            // From READY to the kill the plant made `produced`; at most one interval (and a scan or two) may be unsaved.
            const slackM3 = (MAX_PRODUCT_M3H * (o.persistEveryMs + 1500)) / 3_600_000;
            expect(r.producedWhileUp - saved, `${what}: lost ${(r.producedWhileUp - saved).toFixed(4)} m³ of product total (limit ${slackM3.toFixed(4)})`).toBeLessThanOrEqual(slackM3);
            // The controller also counts the few scans between its first poll cycle and READY.
            expect(saved, `${what}: saved ${saved.toFixed(4)} m³ while the plant made ${r.producedWhileUp.toFixed(4)}`).toBeLessThanOrEqual(r.producedWhileUp * 1.05 + slackM3);
          }
        }
        if (lastProduct !== null && after !== null) expect(after).toBeGreaterThanOrEqual(lastProduct - 1e-9);
        lastProduct = after ?? lastProduct;
      }
      console.info(cycles.map((r, i) => describeCycle(i, r)).join("\n"));
    }, 20 * 60_000);

    it("after all that, starts cleanly, answers on its control socket and stops on SIGTERM with exit code 0", async () => {
      if (!rig) throw new Error("no rig");
      const r = await rig.cleanRun();
      expect(r.status, r.output).toMatchObject({ skid: "RS-30" });
      expect(r.exit, r.output).toMatchObject({ code: 0, timedOut: false });
      expect(r.stopping, "STOPPING=1 was not sent").toBe(true);
      const store = rig.checkStore();
      expect(store?.integrity).toEqual(["ok"]);
      expect(store?.auditOk).toBe(true);
      expect(rig.sim.plant.ledger.offSpecToReuseL).toBe(0);
    }, 120_000);
  });
}
