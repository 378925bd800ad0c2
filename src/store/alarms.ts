// The store's own alarms (disk full, near the size cap, corrupt file replaced, writes
// failing): emitted on change, and replayed to late subscribers while active, so an alarm
// raised while opening (before anyone subscribed) is not missed.
import { concat, defer, from, Subject, type Observable } from "rxjs";
import type { StoreAlarm, StoreAlarmCode } from "./errors.js";

export class StoreAlarms {
  private readonly active = new Map<StoreAlarmCode, StoreAlarm>();
  private readonly changes = new Subject<StoreAlarm>();

  /** Active alarms first, then every change. */
  readonly alarms$: Observable<StoreAlarm> = defer(() => concat(from([...this.active.values()]), this.changes));

  isActive(code: StoreAlarmCode): boolean {
    return this.active.has(code);
  }

  /** Returns true when the state changed (and was emitted). */
  set(code: StoreAlarmCode, active: boolean, message: string): boolean {
    if (this.active.has(code) === active) return false;
    const alarm: StoreAlarm = { code, active, message };
    if (active) this.active.set(code, alarm);
    else this.active.delete(code);
    this.changes.next(alarm);
    return true;
  }

  complete(): void {
    this.changes.complete();
  }
}
