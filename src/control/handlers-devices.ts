// The control socket's device commands: the devices with their health, the poll plan with
// each line's estimated budget and the devices' measured response times, and the
// commissioning scan that probes a line's unit ids with short timeouts.
import type { LineConfig } from "../config/schema.js";
import { isModbusError } from "../field/modbus/errors.js";
import { formatPlan, lineBudgets, planPoll } from "../field/modbus/planner.js";
import { ERROR_CODES } from "../system/errors.js";
import type { ControlContext } from "./handlers.js";
import { num, optNum, str, userOf } from "./handlers-args.js";
import { ControlError, type ControlHandler, type ControlRequest } from "./protocol.js";

/** Modbus application protocol v1.1b3 §4.4 / serial line spec §2.2: individual addresses 1–247. */
export const UNIT_MIN = 1;
export const UNIT_MAX = 247;
/** A scan's probe timeout; a device that is there answers a read well inside this. */
export const SCAN_TIMEOUT_MIN_MS = 20;
export const SCAN_TIMEOUT_MAX_MS = 2000;

function list(ctx: ControlContext): unknown {
  const health = new Map(ctx.engine.health().map((h) => [h.device, h]));
  return ctx.config.devices.map((d) => {
    const h = health.get(d.name);
    return {
      name: d.name,
      description: d.description ?? "",
      line: d.line,
      unit: d.unit,
      status: h?.status ?? "offline",
      responseMs: h?.responseMs === null || h?.responseMs === undefined ? null : Math.round(h.responseMs * 10) / 10,
      requests: h?.requestCount ?? 0,
      errors: h?.errorCount ?? 0,
      lastError: h?.lastError ?? null,
      lastErrorAt: h?.lastErrorAt ? new Date(h.lastErrorAt).toISOString() : null,
    };
  });
}

/**
 * The running config's plan, with each line's estimated load. The devices' measured response
 * times are not used as the line time per request: they include the wait in the line's queue
 * behind the other devices' requests, and would count that wait once per device.
 */
function plan(ctx: ControlContext): unknown {
  const p = planPoll(ctx.config);
  const budgets = lineBudgets(p, ctx.config);
  const responses = ctx.engine.health().map((h) => ({ device: h.device, responseMs: h.responseMs === null ? null : Math.round(h.responseMs * 10) / 10 }));
  return { text: formatPlan(p, budgets), budgets, problems: p.problems, responses };
}

/** One unit id's answer to `devices scan` (the wire shape the CLI reads). */
export interface Probe {
  unit: number;
  answered: boolean;
  /** The configured device at this unit id, if any. */
  device: string | null;
  detail: string;
  ms: number;
}

async function scan(ctx: ControlContext, req: ControlRequest): Promise<unknown> {
  const lineName = str(req, "line");
  const from = num(req, "from");
  const to = optNum(req, "to") ?? from;
  const timeoutMs = optNum(req, "timeoutMs") ?? 100;
  const line: LineConfig | undefined = ctx.config.lines.find((l) => l.name === lineName);
  if (!line) throw new ControlError(ERROR_CODES.UNKNOWN_NAME, `unknown line "${lineName}"; the lines are ${ctx.config.lines.map((l) => l.name).join(", ")}`);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < UNIT_MIN || to > UNIT_MAX || from > to) {
    throw new ControlError(ERROR_CODES.OUT_OF_RANGE, `unit ids ${from}..${to}: a range within ${UNIT_MIN}..${UNIT_MAX}, low to high`);
  }
  if (timeoutMs < SCAN_TIMEOUT_MIN_MS || timeoutMs > SCAN_TIMEOUT_MAX_MS) {
    throw new ControlError(ERROR_CODES.OUT_OF_RANGE, `probe timeout ${timeoutMs} ms: between ${SCAN_TIMEOUT_MIN_MS} and ${SCAN_TIMEOUT_MAX_MS} ms`);
  }
  // Probes share the line with the poll plan and delay it: only while nobody relies on the
  // product being verified to the minute, i.e. in Maintenance mode.
  const mode = ctx.controller.state.mode;
  if (mode !== "Maintenance") {
    throw new ControlError(ERROR_CODES.COMMAND_REJECTED, `a scan takes line time from the poll plan, so it runs only in Maintenance mode (now ${mode}); run 'reclaim mode maintenance' first`);
  }
  const queue = ctx.engine.lineQueues().find((q) => q.line.name === lineName);
  if (!queue) throw new ControlError(ERROR_CODES.COMMAND_REJECTED, `line ${lineName} has no transport in this controller`);
  const user = userOf(req);
  const rec = { kind: "command", user, action: `devices scan ${lineName} units ${from}..${to}`, data: { line: lineName, from, to, timeoutMs }, wallTs: ctx.clock.wall(), monoTs: ctx.clock.now() };
  try {
    ctx.store?.appendAuditNow(rec);
  } catch {
    // The store raises its own alarm; the record waits in its queue.
    ctx.store?.recordAudit(rec);
  }
  const probes: Probe[] = [];
  for (let unit = from; unit <= to; unit++) {
    const device = ctx.config.devices.find((d) => d.line === lineName && d.unit === unit)?.name ?? null;
    const t0 = ctx.clock.now();
    try {
      // FC03 holding register 0: every Modbus server answers it, with data or an exception.
      await queue.request({ fc: 3, unit, address: 0, count: 1 }, timeoutMs, "read");
      probes.push({ unit, answered: true, device, detail: "answered FC03 HR 0", ms: ctx.clock.now() - t0 });
    } catch (err) {
      const ms = ctx.clock.now() - t0;
      if (!isModbusError(err)) throw err;
      // An exception or a garbled frame is still an answer: something is at this unit id.
      if (err.kind === "exception" || err.kind === "frame") probes.push({ unit, answered: true, device, detail: err.detail(), ms });
      else if (err.kind === "timeout") probes.push({ unit, answered: false, device, detail: err.detail(), ms });
      else return { line: lineName, probes, stopped: `line ${lineName} is down: ${err.detail()}` };
    }
  }
  return { line: lineName, probes, stopped: null };
}

export function deviceHandlers(ctx: ControlContext): Array<[string, ControlHandler]> {
  return [
    ["devices.list", () => list(ctx)],
    ["devices.plan", () => plan(ctx)],
    ["devices.scan", (req) => scan(ctx, req)],
  ];
}
