// The config fuzz test as vitest tests, shared by the full suite and the fast subset:
// fast-check mutations of the reference config through parseConfig (accepted, or rejected
// with FileProblemsError and file:line:column for every problem; never another exception,
// never slow), a few hand-made hostile files, and rejected files sent to a running controller
// with `config.apply` over its control socket, which must leave it untouched.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callController, RemoteError } from "../../../src/control/client.js";
import { ERROR_CODES } from "../../../src/system/errors.js";
import { mutate, MUTATIONS, REFERENCE_TEXT, verdict, type Verdict } from "./config-fuzz.js";
import { TestSkid } from "./skid.js";

/** A parse that takes longer than this counts as a hang (the reference parses in a few ms). */
const SLOW_MS = 2000;

export interface FuzzSuiteOptions {
  runs: number;
  /** Rejected mutants sent to the running controller. */
  applyRuns: number;
  seed: number;
}

function timedVerdict(text: string, file: string): Verdict & { ms: number } {
  const t0 = performance.now();
  const v = verdict(text, file);
  return { ...v, ms: performance.now() - t0 };
}

export function defineFuzzSuite(o: FuzzSuiteOptions): void {
  describe("malformed config files", () => {
    it(`${o.runs} fast-check mutations of the reference config: accepted, or FileProblemsError with file:line for each problem, quickly`, () => {
      const tally = { accepted: 0, rejected: 0, known: 0 };
      fc.assert(
        fc.property(MUTATIONS, (mutations) => {
          const text = mutate(mutations);
          const v = timedVerdict(text, "fuzz.yaml");
          if (v.kind === "accepted") tally.accepted++;
          if (v.kind === "rejected") tally.rejected++;
          if (v.kind === "known") tally.known++;
          expect(v.kind, `${JSON.stringify(v)}\n--- mutations ${JSON.stringify(mutations)}`).not.toBe("wrong-error");
          expect(v.kind, JSON.stringify(v)).not.toBe("unlocated");
          expect(v.ms, `parseConfig took ${Math.round(v.ms)} ms`).toBeLessThan(SLOW_MS);
        }),
        { numRuns: o.runs, seed: o.seed, endOnFailure: true },
      );
      // A fuzzer whose mutations all pass would prove nothing.
      expect(tally.rejected, JSON.stringify(tally)).toBeGreaterThan(o.runs * 0.5);
      if (tally.known > 0) console.warn(`config fuzz: ${tally.known} of ${o.runs} mutants hit known bug K3 (an unresolved alias escapes parseConfig)`);
    }, 120_000);

    it("hostile files: deep nesting, huge values, many keys, binary, empty, only a BOM, tabs, a second document", () => {
      // The alias bomb and the 16,000-key file were known bugs K3 and K4 (fixed; regression tests in known-bugs.test.ts).
      const cases: Record<string, string> = {
        "deep flow nesting": `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
        "deep block nesting": Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n"),
        "huge scalar": `skid:\n  id: ${"x".repeat(5_000_000)}\n`,
        "2,000 unknown keys": Array.from({ length: 2000 }, (_, i) => `k${i}: ${i}`).join("\n"),
        binary: String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
        empty: "",
        "only a BOM": "\ufeff",
        "only comments": "# nothing here\n# at all\n",
        "a list at the top": "- 1\n- 2\n",
        "duplicate top-level key": `${REFERENCE_TEXT}\nskid: { id: X }\n`,
        "YAML 1.1 merge keys": `${REFERENCE_TEXT}\nextra: &e { a: 1 }\nmerged: { <<: *e }\n`,
        "tabs for indentation": REFERENCE_TEXT.replace(/\n {2}/g, "\n\t"),
        "a second document": `${REFERENCE_TEXT}\n---\nskid: { id: Y }\n`,
      };
      const wrong: string[] = [];
      for (const [name, text] of Object.entries(cases)) {
        const v = timedVerdict(text, "hostile.yaml");
        if (v.kind !== "rejected") wrong.push(`${name}: ${JSON.stringify(v).slice(0, 400)}`);
        else if (v.ms >= SLOW_MS) wrong.push(`${name}: parseConfig took ${Math.round(v.ms)} ms`);
      }
      expect(wrong).toEqual([]);
      // What editors on Windows save must still load.
      expect(timedVerdict(REFERENCE_TEXT.replace(/\n/g, "\r\n"), "crlf.yaml").kind, "the reference with CRLF line endings").toBe("accepted");
    }, 60_000);

    it(`${o.applyRuns} rejected files through 'config.apply' on the control socket leave the running controller untouched`, async () => {
      // Only texts parseConfig rejects: an accepted one would (rightly) be applied.
      const rejected = fc
        .sample(MUTATIONS, { numRuns: o.applyRuns * 4, seed: o.seed + 1 })
        .map((m) => mutate(m))
        .filter((t) => verdict(t, "x").kind === "rejected")
        .slice(0, o.applyRuns);
      expect(rejected.length).toBe(o.applyRuns);
      const restarts: string[] = [];
      const skid = await TestSkid.open({ mode: "virtual", store: true, control: true, configText: REFERENCE_TEXT, onRestart: (_c, reason) => restarts.push(reason) });
      try {
        const file = `${skid.dir}/reclaim.yaml`;
        const socket = skid.config.control.socket;
        const before = (await callController(socket, "config.current")) as { sha256: string | null; version: number | null };
        const running = skid.ctl.config;
        let unknown = false;
        for (const text of rejected) {
          const err = await callController(socket, "config.apply", { text, source: "fuzz.yaml" }).then(
            () => null,
            (e: unknown) => e,
          );
          if (err instanceof RemoteError && err.code === ERROR_CODES.CONTROL_UNKNOWN_COMMAND) {
            unknown = true;
            break;
          }
          expect(err, "a rejected file was applied").toBeInstanceOf(RemoteError);
          expect((err as RemoteError).code).toBe(ERROR_CODES.CONFIG_INVALID);
          expect((err as RemoteError).message).toMatch(/fuzz\.yaml:\d+:\d+/);
          // The controller keeps scanning between attempts.
          const scans = skid.ctl.controller.stats.scans;
          await skid.run(1000);
          expect(skid.ctl.controller.stats.scans).toBeGreaterThan(scans);
        }
        // Known bug K3: an unresolved alias is refused too (as an internal error, without file:line), and changes nothing.
        if (!unknown) {
          const k3 = await callController(socket, "config.apply", { text: REFERENCE_TEXT.replace("scanPeriod: 100ms", "scanPeriod: *nope"), source: "fuzz.yaml" }).then(
            () => null,
            (e: unknown) => e,
          );
          expect(k3, "a file with an unresolved alias was applied").toBeInstanceOf(RemoteError);
        }
        if (unknown) {
          console.warn("config.apply is not on this controller's control socket yet: only parseConfig was fuzzed");
          return;
        }
        const after = (await callController(socket, "config.current")) as { sha256: string | null; version: number | null };
        expect(after.sha256).toBe(before.sha256);
        expect(after.version).toBe(before.version);
        expect(restarts).toEqual([]);
        expect(skid.ctl.config).toBe(running);
        expect(readFileSync(file, "utf8")).toBe(REFERENCE_TEXT);
        expect(skid.state).toEqual({ state: "Execute", qualityMode: "Reuse" });
      } finally {
        await skid.close();
      }
    }, 120_000);
  });
}
