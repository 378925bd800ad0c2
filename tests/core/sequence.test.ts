// Sequences, with the reference skid's UF backwash as the fixture (REFERENCE-SKID.md:
// every 30 min of filtration or on TMP > 0.8 bar; 60 s with P-101 off, XV-203 open,
// P-202 on; product diverted while it runs). Its conditions are real expressions,
// compiled and evaluated with src/core/expr as the scan will.
import { describe, expect, it } from "vitest";
import { type Compiled, compile, evaluate } from "../../src/core/expr/index.js";
import { GOOD, type TagValue, bad } from "../../src/core/quality.js";
import {
  type SequenceDef,
  type SequenceState,
  type SequenceStepResult,
  abortSequence,
  checkSequence,
  initialSequenceState,
  restoreSequenceState,
  sequenceConditions,
  sequenceStep,
  startSequence,
} from "../../src/core/sequence.js";

const MIN = 60_000;
const FEED = { "P-101": 0, "XV-203": true, "P-202": true };

const BACKWASH: SequenceDef = {
  name: "UF backwash",
  divert: true,
  trigger: {
    every: 30 * MIN,
    while: 'P-101 > 0 and state == "Execute"',
    when: "DPIT-201 > 0.8",
    minInterval: 5 * MIN,
    permit: 'state == "Execute"',
  },
  steps: [
    { name: "start backwash pump", outputs: FEED, until: "P-202-RUN", timeout: 5_000 },
    { name: "backwash", outputs: FEED, duration: 60_000 },
    { name: "stop backwash pump", outputs: { "P-101": 0, "XV-203": false, "P-202": false }, until: "not P-202-RUN", timeout: 5_000 },
  ],
};

const TAGS = ["P-101", "P-202-RUN", "DPIT-201", "state"];

/** The scan's part: compile each condition once, evaluate it every scan; only a good true counts. */
function conditionsOf(def: SequenceDef) {
  const compiled = new Map<string, Compiled>();
  for (const key of sequenceConditions(def)) {
    const c = compile(key, TAGS);
    if (Array.isArray(c)) throw new Error(c[0]?.message);
    compiled.set(key, c);
  }
  return (tags: Record<string, TagValue>, badTags: string[] = []) =>
    Object.fromEntries(
      [...compiled].map(([key, c]) => {
        const r = evaluate(c, (t) => (t in tags ? { value: tags[t] as TagValue, quality: badTags.includes(t) ? bad("no-comm") : GOOD } : undefined));
        return [key, r.value === true && r.quality.code === "good"];
      }),
    );
}

/** A plant stand-in: filtering tags, P-202 running feedback that follows its command. */
function run(def: SequenceDef = BACKWASH) {
  const conditions = conditionsOf(def);
  let state: SequenceState = initialSequenceState();
  const plant: Record<string, TagValue> = { "P-101": 80, "P-202-RUN": false, "DPIT-201": 0.3, state: "Execute" };
  let last: SequenceStepResult | undefined;
  const h = {
    plant,
    pumpFollows: true,
    scan(now: number): SequenceStepResult {
      last = sequenceStep(def, state, { now, conditions: conditions(plant) });
      state = last.state;
      if (h.pumpFollows) plant["P-202-RUN"] = last.outputs["P-202"] === true;
      return last;
    },
    /** Scans every `period` ms from `from` to `to` inclusive; returns the first scan that started a run. */
    scanUntil(from: number, to: number, period = 1000): number | undefined {
      let started: number | undefined;
      for (let t = from; t <= to; t += period) {
        const r = h.scan(t);
        if (started === undefined && r.events.some((e) => e.kind === "started")) started = t;
      }
      return started;
    },
    get state() {
      return state;
    },
    set state(s: SequenceState) {
      state = s;
    },
  };
  return h;
}

describe("UF backwash trigger", () => {
  it("starts after 30 min of filtration time", () => {
    const h = run();
    expect(h.scanUntil(0, 30 * MIN)).toBe(30 * MIN);
    expect(h.state.status).toBe("running");
  });

  it("accumulates filtration time only while filtering", () => {
    const h = run();
    expect(h.scanUntil(0, 20 * MIN)).toBeUndefined();
    h.plant["P-101"] = 0; // feed pump stopped: not filtering
    expect(h.scanUntil(20 * MIN + 1000, 35 * MIN)).toBeUndefined();
    expect(h.state.accumulated).toBe(20 * MIN);
    h.plant["P-101"] = 80;
    h.plant.state = "Held"; // not in Execute: not filtering, and not permitted
    expect(h.scanUntil(35 * MIN + 1000, 40 * MIN)).toBeUndefined();
    h.plant.state = "Execute";
    // 10 more minutes of filtration. A scan adds the time since the previous scan when
    // the condition holds at this scan, so the 1 s up to 40:01 already counts.
    expect(h.scanUntil(40 * MIN + 1000, 60 * MIN)).toBe(50 * MIN);
  });

  it("starts early on TMP > 0.8 bar, but not within 5 min of filtration after the last run", () => {
    const h = run();
    h.plant["DPIT-201"] = 0.9;
    expect(h.scanUntil(0, 5 * MIN)).toBe(5 * MIN);
    const r = h.scan(5 * MIN);
    expect(r.state.status).toBe("running");
  });

  it("says why it started", () => {
    const h = run();
    h.plant["DPIT-201"] = 0.9;
    h.scanUntil(0, 5 * MIN - 1000);
    expect(h.scan(5 * MIN).events[0]).toEqual({ kind: "started", sequence: "UF backwash", at: 5 * MIN, reason: "early: 'DPIT-201 > 0.8'" });
    const g = run();
    g.scanUntil(0, 30 * MIN - 1000);
    expect(g.scan(30 * MIN).events[0]).toMatchObject({ reason: "30min of 'P-101 > 0 and state == \"Execute\"'" });
  });

  it("does not start early when TMP is bad quality", () => {
    const conditions = conditionsOf(BACKWASH);
    let s = initialSequenceState();
    for (let t = 0; t <= 10 * MIN; t += 1000) {
      const c = conditions({ "P-101": 80, "P-202-RUN": false, "DPIT-201": 2, state: "Execute" }, ["DPIT-201"]);
      s = sequenceStep(BACKWASH, s, { now: t, conditions: c }).state;
    }
    expect(s.status).toBe("idle");
  });
});

describe("UF backwash run", () => {
  it("holds the intents of each step, diverts, and completes after the 60 s backwash", () => {
    const h = run();
    h.scanUntil(0, 30 * MIN - 1000);
    let r = h.scan(30 * MIN);
    expect(r.outputs).toEqual(FEED);
    expect(r.divert).toBe(true);
    r = h.scan(30 * MIN + 100); // P-202-RUN made → backwash
    expect(r.events).toEqual([{ kind: "step", sequence: "UF backwash", step: "backwash", index: 1, at: 30 * MIN + 100 }]);
    expect(h.scan(30 * MIN + 60_099).state.step).toBe(1);
    r = h.scan(30 * MIN + 60_100);
    expect(r.events).toMatchObject([{ kind: "step", step: "stop backwash pump" }]);
    expect(r.outputs).toEqual({ "P-101": 0, "XV-203": false, "P-202": false });
    expect(r.divert).toBe(true);
    r = h.scan(30 * MIN + 60_200);
    expect(r.events).toEqual([{ kind: "completed", sequence: "UF backwash", at: 30 * MIN + 60_200, duration: 60_200 }]);
    expect(r.outputs).toEqual({});
    expect(r.divert).toBe(false);
    expect(r.state).toMatchObject({ status: "idle", accumulated: 0, runs: 1 });
  });

  it("does not count the backwash itself as filtration time", () => {
    const h = run();
    h.scanUntil(0, 30 * MIN);
    h.scanUntil(30 * MIN + 1000, 32 * MIN);
    expect(h.state.status).toBe("idle");
    expect(h.state.accumulated).toBeLessThan(2 * MIN);
  });
});

describe("step timeout", () => {
  it("fails exactly at the timeout, naming the step and what it waited for", () => {
    const h = run();
    h.pumpFollows = false; // P-202 never reports running
    h.scanUntil(0, 30 * MIN);
    expect(h.scan(30 * MIN + 4_999).failed).toBeUndefined();
    const r = h.scan(30 * MIN + 5_000);
    expect(r.failed).toEqual({
      sequence: "UF backwash",
      step: "start backwash pump",
      waitedFor: "P-202-RUN",
      after: 5_000,
      at: 30 * MIN + 5_000,
      message: "UF backwash: step 'start backwash pump' timed out after 5s waiting for 'P-202-RUN'",
    });
    expect(r.events).toMatchObject([{ kind: "failed" }]);
    expect(r.outputs).toEqual({});
    expect(r.divert).toBe(false);
  });

  it("stays failed (no retrigger) until aborted", () => {
    const h = run();
    h.pumpFollows = false;
    h.scanUntil(0, 30 * MIN + 5_000);
    expect(h.scanUntil(30 * MIN + 6_000, 90 * MIN)).toBeUndefined();
    expect(h.state.status).toBe("failed");
    expect(startSequence(BACKWASH, h.state, 90 * MIN)).toEqual({
      ok: false,
      reason: "UF backwash failed (UF backwash: step 'start backwash pump' timed out after 5s waiting for 'P-202-RUN'); abort it before starting again",
    });
    const a = abortSequence(BACKWASH, h.state, 90 * MIN, "operator reset");
    expect(a.events).toEqual([{ kind: "aborted", sequence: "UF backwash", at: 90 * MIN, reason: "operator reset" }]);
    expect(a.state.status).toBe("idle");
  });

  it("names the duration when a step waits for nothing else", () => {
    const def: SequenceDef = { name: "flush", steps: [{ name: "drain", outputs: {}, duration: 10_000, timeout: 10_000 }] };
    let s = startSequence(def, initialSequenceState(), 0);
    if (!s.ok) throw new Error(s.reason);
    // duration == timeout: the step is done at the same instant, and done wins.
    expect(sequenceStep(def, s.state, { now: 10_000, conditions: {} }).failed).toBeUndefined();
    const late: SequenceDef = { name: "flush", steps: [{ name: "drain", outputs: {}, until: "never", duration: 1000, timeout: 2000 }] };
    s = startSequence(late, initialSequenceState(), 0);
    if (!s.ok) throw new Error(s.reason);
    expect(sequenceStep(late, s.state, { now: 2000, conditions: {} }).failed?.message).toBe("flush: step 'drain' timed out after 2s waiting for 'never'");
  });
});

describe("commands and persistence", () => {
  it("starts by command, refuses a second start, and aborts releasing its intents", () => {
    const started = startSequence(BACKWASH, initialSequenceState(), 1000, "operator");
    if (!started.ok) throw new Error(started.reason);
    expect(started.events[0]).toEqual({ kind: "started", sequence: "UF backwash", at: 1000, reason: "operator" });
    expect(startSequence(BACKWASH, started.state, 1100)).toEqual({ ok: false, reason: "UF backwash is already running (step 'start backwash pump')" });
    const aborted = abortSequence(BACKWASH, started.state, 1200);
    expect(sequenceStep(BACKWASH, aborted.state, { now: 1300, conditions: {} }).outputs).toEqual({});
    expect(abortSequence(BACKWASH, aborted.state, 1400).events).toEqual([]);
  });

  it("keeps the accumulated filtration time across a restart, dropping an interrupted run", () => {
    const h = run();
    h.scanUntil(0, 20 * MIN);
    const persisted = JSON.parse(JSON.stringify(h.state)) as SequenceState;
    const restored = restoreSequenceState(persisted);
    expect(restored).toMatchObject({ status: "idle", accumulated: 20 * MIN, lastScan: null });
    // New process, new monotonic base (5 ms): 10 more minutes of filtration start the run.
    h.state = restored;
    expect(h.scanUntil(5, 10 * MIN + 5)).toBe(10 * MIN + 5);
  });
});

describe("checkSequence and sequenceConditions", () => {
  it("lists every condition once", () => {
    expect(sequenceConditions(BACKWASH)).toEqual(['P-101 > 0 and state == "Execute"', "DPIT-201 > 0.8", 'state == "Execute"', "P-202-RUN", "not P-202-RUN"]);
  });

  it("accepts the fixture and reports broken definitions", () => {
    expect(checkSequence(BACKWASH)).toEqual([]);
    const broken: SequenceDef = {
      name: "bad",
      trigger: { minInterval: 1 },
      steps: [
        { name: "a", outputs: {} },
        { name: "a", outputs: {}, duration: 5000, timeout: 5000 },
      ],
    };
    expect(checkSequence(broken)).toEqual([
      "bad: step 'a' has neither 'until' nor 'duration', so it would never end on its own",
      "bad: step 'a' is defined twice",
      "bad: step 'a': timeout 5s is not longer than its duration 5s",
      "bad: a trigger needs 'every' or 'when'",
    ]);
  });
});
