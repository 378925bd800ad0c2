// `reclaim status`: the running controller's snapshot, as JSON or as a short summary.
import type { Command } from "commander";
import { callController } from "../control/client.js";
import type { StatusSnapshot } from "../runtime/status.js";
import { socketOption, resolveSocket } from "./options.js";

export function registerStatus(program: Command): void {
  socketOption(
    program
      .command("status")
      .description("show the running controller's state, quality mode, CCPs, tags and devices")
      .option("--json", "print one JSON object (for scripts)"),
  ).action(async (opts: { json?: boolean; socket?: string; config?: string }) => {
    const s = (await callController(resolveSocket(opts), "status")) as StatusSnapshot;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    process.stdout.write(formatStatus(s));
  });
}

export function formatStatus(s: StatusSnapshot): string {
  const lines = [`skid ${s.skid}   state ${s.state}   quality ${s.qualityMode}${s.divert.cause ? `   (divert: ${s.divert.cause})` : ""}`];
  if (s.divert.firstOut) lines.push(`first-out: ${s.divert.firstOut}`);
  if (s.divert.verificationRemainingS !== null) lines.push(`verification: ${Math.ceil(s.divert.verificationRemainingS)} s to go`);
  lines.push("", "CCP      status    tag       value");
  for (const [name, c] of Object.entries(s.ccps)) {
    lines.push(`${name.padEnd(8)} ${c.status.padEnd(9)} ${c.tag.padEnd(9)} ${c.value ?? "—"}${c.reason ? `   ${c.reason}` : ""}`);
  }
  lines.push("", "device       status     response  errors  last error");
  for (const [name, d] of Object.entries(s.devices)) {
    lines.push(`${name.padEnd(12)} ${d.status.padEnd(10)} ${String(d.responseMs ?? "—").padStart(6)} ms ${String(d.errorCount).padStart(7)}  ${d.lastError ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}
