// node-opcua's warnings and errors into our logger (one JSON line each, part "node-opcua")
// instead of coloured console output, and without the RSA PKCS#1 v1.5 notice.
//
// That notice ([NODE-OPCUA-W27], "use --security-revert=CVE-2023-46809") comes from a check
// node-opcua-secure-channel starts when it is imported: on Node 20 the padding is disabled,
// which only matters to SecurityPolicy Basic128Rsa15 and Basic256, both deprecated and never
// offered here (security.ts). The check reports asynchronously, after key generation; this
// module installs its filter when it is evaluated, which is synchronous with the import of
// node-opcua itself, so the filter is always in place first. That one import-time effect is
// deliberate; routeStackLogs() then sends the rest to the controller's logger.
import { format } from "node:util";
import { setErrorLogger, setWarningLogger } from "node-opcua";
import type { Logger } from "../system/log.js";

interface Context {
  filename: string;
  callerline: number;
}

let sink: Logger | null = null;

/** The PKCS#1 v1.5 notice: both of its lines. */
export function isPkcs1Notice(args: readonly unknown[]): boolean {
  const first = typeof args[0] === "string" ? args[0] : "";
  return first.includes("NODE-OPCUA-W27") || first.includes("CVE-2023-46809");
}

function emit(level: "warn" | "error", data: unknown, args: unknown[]): void {
  if (isPkcs1Notice(args)) return;
  // node-opcua passes its caller's file and line first.
  const ctx = (data ?? { filename: "?", callerline: 0 }) as Context;
  const msg = format(...args);
  if (sink) sink[level]({ src: `${ctx.filename}:${ctx.callerline}` }, msg);
  else process.stderr.write(`node-opcua ${level} ${ctx.filename}:${ctx.callerline}: ${msg}\n`);
}

setWarningLogger((ctx?: unknown, ...args: unknown[]) => emit("warn", ctx, args));
setErrorLogger((ctx?: unknown, ...args: unknown[]) => emit("error", ctx, args));

/** From now on node-opcua's warnings and errors go to this logger. */
export function routeStackLogs(log: Logger): void {
  sink = log.child({ part: "node-opcua" });
}
