// One request to the running controller, with the socket taken from the options. The client
// (src/control/client.ts) turns "not running" and "permission denied" into their own codes.
import { callController } from "../control/client.js";
import { resolveSocket, type SocketOpts } from "./options.js";

export const DEFAULT_TIMEOUT_MS = 5000;

export async function call<T = unknown>(opts: SocketOpts, cmd: string, args: Record<string, unknown> = {}, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  return (await callController(resolveSocket(opts), cmd, args, timeoutMs)) as T;
}
