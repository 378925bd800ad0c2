// Which samples go to history, per tag, from the config's `history` section: log on a change
// beyond the deadband, no more often than minInterval, at least every maxInterval, and always
// on a quality change. Pure: time comes from the samples and the caller (monotonic ms).
import type { TagSample, TagValue } from "../core/quality.js";

export interface HistoryPolicyConfig {
  /** Absolute deadband in engineering units. */
  deadband: number;
  /** Deadband as a percent of the tag's range span; the larger of the two deadbands applies. */
  deadbandPercent?: number;
  minInterval: number;
  maxInterval: number;
}

/** The part of a tag's config the policy reads (TagConfig fits). */
export interface TagPolicyInput {
  name: string;
  range?: readonly [number, number];
  history?: HistoryPolicyConfig;
}

/** Tags without a `history` section: every change, and a heartbeat each minute. */
export const DEFAULT_POLICY: HistoryPolicyConfig = Object.freeze({ deadband: 0, minInterval: 0, maxInterval: 60_000 });

interface Resolved {
  deadband: number;
  minInterval: number;
  maxInterval: number;
}

interface TagState {
  rule: Resolved;
  lastLogged?: TagSample;
  lastSeen?: TagSample;
  /** A change held back by minInterval, logged once minInterval has passed. */
  held?: TagSample;
}

export function resolvePolicy(tag: TagPolicyInput | undefined): Resolved {
  const h = tag?.history ?? DEFAULT_POLICY;
  let deadband = h.deadband;
  if (h.deadbandPercent !== undefined && tag?.range) {
    deadband = Math.max(deadband, (h.deadbandPercent / 100) * (tag.range[1] - tag.range[0]));
  }
  return { deadband, minInterval: h.minInterval, maxInterval: h.maxInterval };
}

/** Config the policy cannot honour as written, for the log at start-up. */
export function policyProblems(tags: readonly TagPolicyInput[]): string[] {
  return tags
    .filter((t) => t.history?.deadbandPercent !== undefined && !t.range)
    .map((t) => `tag ${t.name}: history.deadbandPercent needs a range; only the absolute deadband applies`);
}

function beyondDeadband(a: TagValue, b: TagValue, deadband: number): boolean {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return !Object.is(a, b);
    return Math.abs(a - b) > deadband;
  }
  return !Object.is(a, b);
}

function qualityChanged(a: TagSample, b: TagSample): boolean {
  return a.quality.code !== b.quality.code || a.quality.reason !== b.quality.reason;
}

export class HistoryPolicy {
  private readonly rules = new Map<string, Resolved>();
  private readonly states = new Map<string, TagState>();

  constructor(tags: readonly TagPolicyInput[] = []) {
    for (const t of tags) this.rules.set(t.name, resolvePolicy(t));
  }

  private state(tag: string): TagState {
    let st = this.states.get(tag);
    if (!st) {
      st = { rule: this.rules.get(tag) ?? resolvePolicy(undefined) };
      this.states.set(tag, st);
    }
    return st;
  }

  /** The sample if it is to be logged now; otherwise it is remembered (held or suppressed). */
  offer(s: TagSample): TagSample | undefined {
    const st = this.state(s.tag);
    st.lastSeen = s;
    const last = st.lastLogged;
    if (!last || qualityChanged(last, s) || s.mono - last.mono >= st.rule.maxInterval) return this.log(st, s);
    if (!beyondDeadband(last.value, s.value, st.rule.deadband)) {
      // Back inside the deadband: a held change no longer says what the value is.
      st.held = undefined;
      return undefined;
    }
    if (s.mono - last.mono >= st.rule.minInterval) return this.log(st, s);
    st.held = s;
    return undefined;
  }

  /**
   * Samples due at `mono` without a new sample arriving: held changes whose minInterval has
   * passed, and heartbeats (the last value, stamped now) for tags quiet for maxInterval.
   */
  due(mono: number, wall: number): TagSample[] {
    const out: TagSample[] = [];
    for (const st of this.states.values()) {
      const last = st.lastLogged;
      if (!last) continue;
      const since = mono - last.mono;
      if (st.held && since >= st.rule.minInterval) {
        out.push(this.log(st, st.held));
      } else if (since >= st.rule.maxInterval && st.lastSeen) {
        // The latest value seen still holds now; stamping it now keeps the heartbeat regular.
        out.push(this.log(st, { ...st.lastSeen, sourceTs: wall, mono }));
      }
    }
    return out;
  }

  private log(st: TagState, s: TagSample): TagSample {
    st.lastLogged = s;
    st.lastSeen = s;
    st.held = undefined;
    return s;
  }
}
