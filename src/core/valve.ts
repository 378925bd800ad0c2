// Divert valve discrepancy (REFERENCE-SKID.md): commanded to reuse but not confirmed in reuse
// within the discrepancy time → trip the divert and alarm; commanded to divert but not
// confirmed in divert → abort production, since off-spec water may be reaching reuse.
// On the reuse side a limit switch whose input is not good counts as not made (divert is
// cheap); on the divert side only a good "not made" aborts: a lost I/O coupler is the
// protection matrix's to handle, not a reason to abort a skid that is already diverting.
import type { QualityConfig } from "../config/schema.js";
import type { TagTable } from "./tags.js";
import type { ValveState } from "./state.js";

function made(tags: TagTable, name: string | undefined): boolean | null {
  if (name === undefined) return null;
  const t = tags[name];
  return t !== undefined && t.quality.code === "good" && t.value === true;
}

/** Valve state after this scan's command; `commandReuse` is what the outputs will say. */
export function valveStep(cfg: QualityConfig, prev: ValveState, tags: TagTable, commandReuse: boolean, now: number): ValveState {
  const changed = commandReuse !== prev.commandedReuse;
  const since = changed ? now : prev.commandedSince;
  const late = now - since >= cfg.discrepancy;
  let discrepancy: ValveState["discrepancy"] = "none";
  if (commandReuse) {
    const ok = made(tags, cfg.reuseFeedback);
    if (ok === false && late) discrepancy = "reuse";
  } else if (cfg.divertFeedback !== undefined) {
    const t = tags[cfg.divertFeedback];
    const goodNotMade = t !== undefined && t.quality.code === "good" && t.value !== true;
    if (goodNotMade && late) discrepancy = "divert";
    // It stays until the valve is confirmed in divert.
    if (prev.discrepancy === "divert" && made(tags, cfg.divertFeedback) !== true) discrepancy = "divert";
  }
  return { commandedReuse: commandReuse, commandedSince: since, discrepancy };
}

/** Whether the valve is confirmed in reuse (commanded and the limit switch made): for the totals. */
export function confirmedInReuse(cfg: QualityConfig, v: ValveState, tags: TagTable): boolean {
  return v.commandedReuse && made(tags, cfg.reuseFeedback) !== false;
}
