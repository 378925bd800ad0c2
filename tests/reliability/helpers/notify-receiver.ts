// A stand-in for systemd's notification socket: a Unix datagram socket (unix-dgram, the
// optional dependency the notifier itself sends with) bound in a temp dir, collecting every
// sd_notify message a controller child sends to $NOTIFY_SOCKET.
import { createRequire } from "node:module";

interface DgramSocket {
  on(event: "message", fn: (buf: Buffer) => void): void;
  on(event: "error", fn: (err: Error) => void): void;
  bind(path: string): void;
  close(): void;
}

/** Why datagrams cannot be received here, or null when they can. */
export function notifyUnavailable(): string | null {
  try {
    createRequire(import.meta.url)("unix-dgram");
    return null;
  } catch (err) {
    return `unix-dgram cannot be loaded: ${(err as Error).message.split("\n")[0] ?? ""}`;
  }
}

export class NotifyReceiver {
  readonly messages: string[] = [];
  private readonly sock: DgramSocket;

  constructor(readonly path: string) {
    const mod = createRequire(import.meta.url)("unix-dgram") as { createSocket(type: "unix_dgram"): DgramSocket };
    this.sock = mod.createSocket("unix_dgram");
    this.sock.on("message", (buf) => this.messages.push(buf.toString("utf8")));
    this.sock.on("error", () => undefined);
    this.sock.bind(path);
  }

  /** How many messages start with `head` (e.g. "READY=1"). */
  count(head: string): number {
    return this.messages.filter((m) => m.split("\n").includes(head)).length;
  }

  /** Resolves when `pred` holds; rejects after `ms` of real time. */
  async waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; sd_notify messages so far: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.sock.close();
  }
}
