// `npm test`'s share of the soak (issue 9, item 3): one simulated hour of the reference skid in
// production on virtual time with the store open (ten minutes of warm-up). The 24-hour run and
// the real-time event-loop check are in tests/reliability/soak.test.ts.
import { defineSoak } from "../reliability/helpers/soak-suite.js";

defineSoak({ simMs: 3_600_000, warmupMs: 10 * 60_000, sampleEveryMs: 10 * 60_000, timeoutMs: 120_000 });
