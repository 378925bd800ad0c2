// Issue 9, item 4: fuzzed and malformed config files are rejected, located, and never touch
// the running config: 300 fast-check mutations of config/reference-skid.yaml through
// parseConfig, hand-made hostile files, and 20 rejected files sent to a running controller's
// `config.apply`. What each asserts: helpers/fuzz-suite.ts.
import { defineFuzzSuite } from "./helpers/fuzz-suite.js";

defineFuzzSuite({ runs: 300, applyRuns: 20, seed: Number(process.env.RELIABILITY_SEED ?? 20260109) });
