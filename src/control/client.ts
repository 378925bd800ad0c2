// The CLI's side of the control socket: one request, one answer, with a deadline, and the
// failures a technician can meet turned into plain messages with stable codes.
import net from "node:net";
import os from "node:os";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import type { ControlResponse } from "./protocol.js";

export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? `uid:${process.getuid?.() ?? "?"}`;
  }
}

export async function callController(socketPath: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let buf = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new ReclaimError(ERROR_CODES.CONTROLLER_NOT_RUNNING, `the controller did not answer on ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding("utf8");
    sock.once("connect", () => sock.write(`${JSON.stringify({ id: 1, cmd, args, user: currentUser() })}\n`));
    sock.on("data", (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      const res = JSON.parse(buf.slice(0, nl)) as ControlResponse;
      if (res.ok) resolve(res.result);
      else reject(new RemoteError(res.error.code, res.error.message));
    });
    sock.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === "EACCES" || err.code === "EPERM") {
        reject(new ReclaimError(ERROR_CODES.CONTROL_PERMISSION, `permission denied on ${socketPath}: run as the service's group (reclaim) or with sudo`));
      } else if (err.code === "ENOENT" || err.code === "ECONNREFUSED") {
        reject(new ReclaimError(ERROR_CODES.CONTROLLER_NOT_RUNNING, `the controller is not running (no control socket at ${socketPath}); start it with 'systemctl start reclaim' or 'reclaim run --config FILE'`));
      } else reject(new ReclaimError(ERROR_CODES.CONTROLLER_NOT_RUNNING, `cannot reach the controller at ${socketPath}: ${err.message}`));
    });
  });
}
