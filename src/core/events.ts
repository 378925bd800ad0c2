// One line of plain words for each core event: for the log, the event store and the CLI.
import type { CoreEvent } from "./scan.js";

export function describeEvent(e: CoreEvent): string {
  switch (e.type) {
    case "quality-mode":
      return `quality mode ${e.mode}${e.cause ? ` (${e.cause})` : ""}${e.mode === "Divert" && e.firstOut ? `; first-out ${e.firstOut.ccp}: ${e.firstOut.reason}` : ""}`;
    case "ccp":
      return `${e.ccp} ${e.from} → ${e.to}${e.reason ? `: ${e.reason}` : ""}`;
    case "discrepancy":
      return e.message;
    case "state":
      return `state ${e.from} → ${e.to} (${e.cause})`;
    case "state-rejected":
      return `${e.command} (${e.cause}) not accepted: ${e.reason}`;
    case "protection":
      return `protection ${e.row} ${e.active ? "tripped" : "cleared"}: ${e.description}`;
    case "alarm":
      switch (e.kind) {
        case "alarm":
          return `alarm ${e.alarm} ${e.from} → ${e.to}${e.user ? ` by ${e.user}` : ""}${e.value !== undefined ? ` (value ${e.value})` : ""}${e.firstOut ? " [first-out]" : ""}`;
        case "flood":
          return `alarm flood ${e.active ? "began" : "ended"}: ${e.count} alarms in 10 min`;
        case "firstOutReset":
          return `first-out of ${e.group} reset by ${e.user}`;
      }
      return "alarm";
    case "sequence":
      switch (e.kind) {
        case "started":
          return `sequence ${e.sequence} started (${e.reason})`;
        case "step":
          return `sequence ${e.sequence} step ${e.index + 1} '${e.step}'`;
        case "completed":
          return `sequence ${e.sequence} completed in ${Math.round(e.duration / 1000)} s`;
        case "failed":
          return `sequence ${e.sequence} failed: ${e.failure.message}`;
        case "aborted":
          return `sequence ${e.sequence} aborted (${e.reason})`;
      }
  }
}
