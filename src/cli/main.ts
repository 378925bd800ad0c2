// The `reclaim` entry point (bin/reclaim.js loads this): runs the program on the process's
// argv and streams. The program itself is in program.ts, which the tests import.
import { EXIT } from "../system/exit-codes.js";
import { main } from "./program.js";

// `reclaim history export … | head`: the reader has all it wanted; that is not a failure.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(EXIT.OK);
  throw err;
});

const code = await main(process.argv);
// Commands that keep running (run, demo) set process.exitCode themselves when they stop.
if (code !== EXIT.OK || process.exitCode === undefined) process.exitCode = code;
