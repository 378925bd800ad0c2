// What of the core's state survives a restart (issue 5): totals and KPIs, the backwash
// interval already filtered, and setpoints an operator changed. Saved to the store's state
// table every `totals.persistEvery` and at stop, so a restart loses at most one interval.
// The divert latch is deliberately not restored: after a restart the product is diverted
// until verified again, whatever it was before.
import type { Subscription } from "rxjs";
import type { Config } from "../config/schema.js";
import type { CoreState } from "../core/state.js";
import type { AlarmRecord, Shelve } from "../core/alarms.js";
import { restoreSequenceState, type SequenceState } from "../core/sequence.js";
import { restoreTotals, type TotalsState } from "../core/totals.js";
import type { Store } from "../store/index.js";
import type { Clock, TimerHandle } from "../time/clock.js";
import type { Controller } from "./controller.js";

const KEY = "core";

/** What an operator did to an alarm (acknowledged, shelved until it clears, taken out of service). */
type PersistedAlarm = Pick<AlarmRecord, "state" | "active" | "raw" | "outOfService"> & { oneShotShelve: Shelve | null };

interface Persisted {
  totals: TotalsState;
  setpoints: Record<string, number>;
  sequences: Record<string, SequenceState>;
  alarms?: Record<string, PersistedAlarm>;
}

function snapshot(s: CoreState): Persisted {
  const alarms: Record<string, PersistedAlarm> = {};
  for (const [name, r] of Object.entries(s.alarms.alarms)) {
    alarms[name] = { state: r.state, active: r.active, raw: r.raw, outOfService: r.outOfService, oneShotShelve: r.shelved?.until === null ? r.shelved : null };
  }
  return { totals: s.totals, setpoints: s.setpoints, sequences: s.sequences, alarms };
}

/** Alarms as the operator left them; monotonic times restart from now (a timed shelve does not survive). */
function restoreAlarms(fresh: CoreState["alarms"], saved: Record<string, PersistedAlarm> | undefined, now: number): CoreState["alarms"] {
  if (!saved) return fresh;
  const alarms = { ...fresh.alarms };
  for (const [name, r] of Object.entries(alarms)) {
    const p = saved[name];
    if (!p) continue;
    alarms[name] = { ...r, state: p.state, active: p.active, raw: p.raw, outOfService: p.outOfService, shelved: p.oneShotShelve, rawSince: now, activeSince: p.active ? now : null };
  }
  return { ...fresh, alarms };
}

/** The fresh state with what was saved laid over it (only what still fits the config). */
export function restoreFrom(store: Pick<Store, "loadState">, config: Config, now: number): (fresh: CoreState) => CoreState {
  return (fresh) => {
    const saved = store.loadState<Persisted>(KEY);
    if (!saved) return fresh;
    const setpoints = { ...fresh.setpoints };
    for (const sp of config.setpoints) {
      const v = saved.setpoints?.[sp.name];
      // A setpoint outside today's limits (the config changed) falls back to the config's value.
      if (typeof v === "number" && v >= sp.min && v <= sp.max) setpoints[sp.name] = v;
    }
    const sequences = { ...fresh.sequences };
    for (const name of Object.keys(sequences)) {
      const s = saved.sequences?.[name];
      if (s) sequences[name] = restoreSequenceState(s);
    }
    const alarms = restoreAlarms(fresh.alarms, saved.alarms, now);
    return { ...fresh, totals: saved.totals ? restoreTotals(saved.totals) : fresh.totals, setpoints, sequences, alarms };
  };
}

/** Saves periodically, after every accepted setpoint change, and once more at stop. */
export class CorePersistence {
  private timer: TimerHandle | undefined;
  private sub: Subscription | undefined;

  constructor(
    private readonly store: Pick<Store, "saveState">,
    private readonly controller: Controller,
    private readonly clock: Clock,
    private readonly everyMs: number,
  ) {}

  start(): void {
    const tick = (): void => {
      this.save();
      this.timer = this.clock.setTimer(tick, this.everyMs);
    };
    this.timer = this.clock.setTimer(tick, this.everyMs);
    // An operator's act (a setpoint, an acknowledgement, a shelve) is saved at once.
    this.sub = this.controller.audit$.subscribe((a) => {
      if (a.result === "accepted" && (a.command.startsWith("setpoint ") || /^(acknowledge|shelve|unshelve) /.test(a.command))) this.save();
    });
  }

  save(): void {
    this.store.saveState(KEY, snapshot(this.controller.state));
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.sub?.unsubscribe();
    this.save();
  }
}
