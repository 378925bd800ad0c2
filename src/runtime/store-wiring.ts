// What goes to the store: tag updates as history (the store applies each tag's logging
// policy), every core event, device health changes, and every command into the hash-chained
// audit trail, written durably before the command's answer leaves (appendAuditNow).
import type { Subscription } from "rxjs";
import { describeEvent } from "../core/events.js";
import type { ModbusEngine } from "../field/modbus/engine.js";
import type { Store } from "../store/index.js";
import type { Logger } from "../system/log.js";
import type { Clock } from "../time/clock.js";
import type { Controller } from "./controller.js";

export function wireStore(store: Store, controller: Controller, engine: ModbusEngine, clock: Clock, log: Logger, subs: Subscription[]): void {
  subs.push(
    controller.updates$.subscribe((updates) => {
      const mono = clock.now();
      store.recordSamples(updates.map((u) => ({ ...u, mono })));
    }),
    controller.events$.subscribe((e) => {
      const { type, at: _at, ...data } = e;
      store.recordEvent({ type, message: describeEvent(e), data, wallTs: clock.wall(), monoTs: e.at });
    }),
    engine.health$.subscribe((h) => {
      store.recordEvent({ type: "device", source: h.device, message: `${h.device} ${h.status}${h.lastError ? `: ${h.lastError}` : ""}`, data: h, wallTs: clock.wall(), monoTs: clock.now() });
    }),
    controller.audit$.subscribe((a) => {
      try {
        store.appendAuditNow({ kind: "command", user: a.user, action: a.command, data: a, wallTs: a.wallTs, monoTs: a.monoTs });
      } catch (err) {
        // The store has raised its own alarm; the command stands (control never waits on the disk).
        log.error({ err }, `audit record for "${a.command}" by ${a.user} not written`);
      }
    }),
    store.alarms$.subscribe((a) => {
      if (a.active) log.error({ code: a.code }, a.message);
      else log.info({ code: a.code }, `cleared: ${a.message}`);
    }),
  );
}
