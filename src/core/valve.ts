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

/**
 * Valve state after this scan's command; `commandReuse` is what the outputs will say. The
 * discrepancy time runs from the later of the command and the moment the confirming switch
 * was lost, so a switch that drops for a poll or two is not a discrepancy.
 */
export function valveStep(cfg: QualityConfig, prev: ValveState, tags: TagTable, commandReuse: boolean, now: number): ValveState {
  const changed = commandReuse !== prev.commandedReuse;
  const since = changed ? now : prev.commandedSince;
  let confirmed: boolean | null;
  if (commandReuse) confirmed = made(tags, cfg.reuseFeedback);
  else if (cfg.divertFeedback === undefined) confirmed = null;
  else {
    const t = tags[cfg.divertFeedback];
    // Only a good "not made" counts on the divert side (see above); anything else is no evidence.
    confirmed = t !== undefined && t.quality.code === "good" ? t.value === true : true;
  }
  const unconfirmedSince = confirmed === false ? (changed ? now : (prev.unconfirmedSince ?? now)) : null;
  let discrepancy: ValveState["discrepancy"] = "none";
  if (unconfirmedSince !== null && now - unconfirmedSince >= cfg.discrepancy) discrepancy = commandReuse ? "reuse" : "divert";
  // A divert-side discrepancy stays until the valve is confirmed in divert.
  if (prev.discrepancy === "divert" && !commandReuse && made(tags, cfg.divertFeedback) !== true) discrepancy = "divert";
  return { commandedReuse: commandReuse, commandedSince: since, unconfirmedSince, discrepancy };
}

/** Whether the valve is confirmed in reuse (commanded and the limit switch made): for the totals. */
export function confirmedInReuse(cfg: QualityConfig, v: ValveState, tags: TagTable): boolean {
  return v.commandedReuse && made(tags, cfg.reuseFeedback) !== false;
}
