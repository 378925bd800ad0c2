// The quality mode (Reuse / Divert) over time, from the stored "quality-mode" events and the
// controller's starts (each start diverts until verified), and the forced outputs over time,
// from the audit trail: the two things a compliance report must account for interval by
// interval.
import type { AuditRow, StoreReader } from "../store/index.js";

export interface ModeInterval {
  start: number;
  /** Exclusive; the next change, or Infinity for the last. */
  end: number;
  mode: "Reuse" | "Divert";
  cause: string | null;
  firstOut: string | null;
}

interface Change {
  at: number;
  mode: "Reuse" | "Divert";
  cause: string | null;
  firstOut: string | null;
  order: number;
}

/** Every quality-mode change up to `to`, with a Divert "start-up" at each controller start. */
export function modeTimeline(reader: StoreReader, to: number): ModeInterval[] {
  const changes: Change[] = [];
  let order = 0;
  for (const b of reader.boots()) if (b.wallTs < to) changes.push({ at: b.wallTs, mode: "Divert", cause: "controller start", firstOut: null, order: order++ });
  let after: { wallTs: number; id: number } | undefined;
  do {
    const page = reader.events({ from: 0, to, types: ["quality-mode"], limit: 5000, ...(after ? { after } : {}) });
    for (const e of page.rows) {
      const d = e.data ?? {};
      const mode = d.mode === "Reuse" ? "Reuse" : "Divert";
      const fo = d.firstOut as { ccp?: string; reason?: string } | null | undefined;
      const cause = typeof d.cause === "string" ? d.cause : null;
      changes.push({ at: e.wallTs, mode, cause, firstOut: fo?.reason ? `${fo.ccp ?? ""}: ${fo.reason}` : null, order: order++ });
    }
    after = page.next;
  } while (after);
  // A start's own first event (Divert start-up) lands at the same moment: the start comes first.
  changes.sort((a, b) => a.at - b.at || a.order - b.order);
  const out: ModeInterval[] = [];
  for (const c of changes) {
    const last = out[out.length - 1];
    if (last && last.mode === c.mode && (c.cause === last.cause || c.cause === "start-up")) continue;
    if (last) last.end = c.at;
    out.push({ start: c.at, end: Infinity, mode: c.mode, cause: c.cause, firstOut: c.firstOut });
  }
  return out;
}

export interface ForcedInterval {
  tag: string;
  value: unknown;
  by: string;
  start: number;
  /** Infinity while still forced. */
  end: number;
  endedBy: string | null;
}

function commandOf(r: AuditRow): { command: string; accepted: boolean; args: Record<string, unknown>; newValue: unknown } | null {
  if (r.kind !== "command" || typeof r.data !== "object" || r.data === null) return null;
  const d = r.data as Record<string, unknown>;
  if (typeof d.command !== "string") return null;
  return { command: d.command, accepted: d.result === "accepted", args: (d.args ?? {}) as Record<string, unknown>, newValue: d.new };
}

/** Every forced output up to `to`: from force to unforce, leaving Maintenance, or a controller start. */
export function forcedTimeline(reader: StoreReader, to: number): ForcedInterval[] {
  const events: Array<{ at: number; row?: AuditRow; boot?: true }> = reader.boots().map((b) => ({ at: b.wallTs, boot: true as const }));
  let afterId: number | undefined;
  do {
    const page = reader.auditList({ to, limit: 5000, ...(afterId !== undefined ? { afterId } : {}) });
    for (const row of page.rows) events.push({ at: row.wallTs, row });
    afterId = page.next;
  } while (afterId !== undefined);
  events.sort((a, b) => a.at - b.at);
  const open = new Map<string, ForcedInterval>();
  const done: ForcedInterval[] = [];
  const close = (tag: string, at: number, why: string): void => {
    const f = open.get(tag);
    if (!f) return;
    done.push({ ...f, end: at, endedBy: why });
    open.delete(tag);
  };
  for (const e of events) {
    if (e.boot) {
      for (const tag of [...open.keys()]) close(tag, e.at, "controller restart");
      continue;
    }
    const c = e.row ? commandOf(e.row) : null;
    if (!c || !c.accepted || !e.row) continue;
    const tag = typeof c.args.tag === "string" ? c.args.tag : null;
    if (c.command.startsWith("force ") && tag) {
      close(tag, e.at, `forced again by ${e.row.user}`);
      open.set(tag, { tag, value: c.args.value, by: e.row.user, start: e.at, end: Infinity, endedBy: null });
    } else if (c.command.startsWith("unforce ") && tag) close(tag, e.at, `released by ${e.row.user}`);
    else if (c.command.startsWith("mode ") && c.newValue !== "Maintenance") {
      for (const t of [...open.keys()]) close(t, e.at, `${String(c.newValue)} mode by ${e.row.user}`);
    }
  }
  return [...done, ...open.values()].sort((a, b) => a.start - b.start);
}
