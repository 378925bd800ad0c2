// The local control socket the `reclaim` CLI talks to: a Unix socket, mode 0660 so that only
// the service's user and group can use it. Requests are dispatched to handlers by command.
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import type { Logger } from "../system/log.js";
import { ControlError, type ControlHandler, type ControlRequest, type ControlResponse } from "./protocol.js";

const MAX_LINE = 1 << 20;

export class ControlServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly socketPath: string,
    private readonly handlers: ReadonlyMap<string, ControlHandler>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    mkdirSync(path.dirname(this.socketPath), { recursive: true });
    await this.removeStale();
    const server = net.createServer((s) => this.onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(this.socketPath, 0o660);
    this.server = server;
  }

  /** A socket file left by a crashed controller is removed; a live one means another instance runs. */
  private async removeStale(): Promise<void> {
    const alive = await new Promise<boolean>((resolve) => {
      const c = net.connect(this.socketPath);
      c.once("connect", () => {
        c.destroy();
        resolve(true);
      });
      c.once("error", () => resolve(false));
    });
    if (alive) throw new ReclaimError(ERROR_CODES.PORT_IN_USE, `another controller is already listening on ${this.socketPath}`);
    rmSync(this.socketPath, { force: true });
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    let buf = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE) {
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        void this.handle(line).then((res) => {
          if (!socket.destroyed) socket.write(`${JSON.stringify(res)}\n`);
        });
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.sockets.delete(socket));
  }

  private async handle(line: string): Promise<ControlResponse> {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
      if (typeof req !== "object" || req === null || typeof req.cmd !== "string") throw new Error("not a request object");
    } catch (err) {
      return { id: 0, ok: false, error: { code: "RECLAIM_E_BAD_REQUEST", message: `malformed request: ${(err as Error).message}` } };
    }
    const id = typeof req.id === "number" ? req.id : 0;
    const handler = this.handlers.get(req.cmd);
    if (!handler) return { id, ok: false, error: { code: "RECLAIM_E_UNKNOWN_COMMAND", message: `unknown command "${req.cmd}"` } };
    try {
      return { id, ok: true, result: await handler(req) };
    } catch (err) {
      if (err instanceof ControlError || err instanceof ReclaimError) return { id, ok: false, error: { code: err.code, message: err.message } };
      this.log.error({ err, cmd: req.cmd }, "control command failed");
      return { id, ok: false, error: { code: "RECLAIM_E_INTERNAL", message: (err as Error).message } };
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }
}
