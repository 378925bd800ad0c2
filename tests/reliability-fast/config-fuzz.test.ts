// `npm test`'s share of the config fuzz test (issue 9, item 4): 50 fast-check mutations,
// the hostile files, and 5 rejected files through `config.apply` on a running controller.
// 300 mutations and 20 applies: tests/reliability/config-fuzz.test.ts.
import { defineFuzzSuite } from "../reliability/helpers/fuzz-suite.js";

defineFuzzSuite({ runs: 50, applyRuns: 5, seed: Number(process.env.RELIABILITY_SEED ?? 20260109) });
