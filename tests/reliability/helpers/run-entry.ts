// `reclaim run` alone, for a controller child process while src/cli/main.ts cannot load (the
// CLI is being extended in the same checkout). The same runService through registerRun.
import { Command } from "commander";
import { registerRun } from "../../../src/cli/run.js";

const program = new Command("reclaim").exitOverride();
registerRun(program);
await program.parseAsync(process.argv);
