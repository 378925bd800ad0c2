// The simulator's GPIO served over a Unix socket, for a controller in another process
// (gpio.backend: remote, src/field/gpio/remote.ts has the protocol). It fronts the in-memory
// GPIO that a GpioLink wires to the plant (XY-501, WD-001, XA-001 to plant.setGpio; HS-001
// from the plant), so a controller child process drives the same wires an in-process one
// does. Like sysfs, a line keeps its level when its client goes away: a killed controller
// leaves XY-501 where it was, and only the watchdog relay on WD-001 takes the permissive away.
import { existsSync, rmSync } from "node:fs";
import net from "node:net";
import type { Subscription } from "rxjs";
import type { Config } from "../../src/config/schema.js";
import type { FakeGpio } from "../../src/field/gpio/fake.js";
import type { GpioPin } from "../../src/field/gpio/gpio.js";
import { JsonLines, type RemoteGpioClientMessage, type RemoteGpioServerMessage } from "../../src/field/gpio/remote.js";

/** Every kernel GPIO line a config uses, by direction: what a server for it offers. */
export function gpioLinesOf(config: Config): { inputs: number[]; outputs: number[] } {
  const inputs: number[] = [];
  const outputs: number[] = [];
  for (const t of config.tags) {
    if (!t.gpio) continue;
    (t.gpio.direction === "in" ? inputs : outputs).push(config.gpio.lineBase + t.gpio.gpio);
  }
  return { inputs, outputs };
}

export interface GpioServerOptions {
  /** The in-memory GPIO the plant is wired to (GpioLink.backend). */
  backend: FakeGpio;
  /** The Unix socket to listen on (a stale file there is removed). */
  path: string;
  /** The lines a client may open; its inputs' levels are in the hello. */
  lines: { inputs: readonly number[]; outputs: readonly number[] };
}

function isClientMessage(m: unknown): m is RemoteGpioClientMessage {
  if (typeof m !== "object" || m === null) return false;
  const o = m as Record<string, unknown>;
  if (typeof o.line !== "number") return false;
  if (o.t === "open") return (o.dir === "in" || o.dir === "out") && typeof o.high === "boolean";
  if (o.t === "write") return typeof o.high === "boolean";
  return o.t === "close";
}

export class GpioServer {
  /** Clients connected since start, and messages that were not understood. */
  readonly stats = { connections: 0, garbage: 0 };
  private readonly sockets = new Set<net.Socket>();
  private sub: Subscription | undefined;

  private constructor(
    private readonly server: net.Server,
    private readonly opts: GpioServerOptions,
  ) {}

  static async listen(opts: GpioServerOptions): Promise<GpioServer> {
    if (existsSync(opts.path)) rmSync(opts.path);
    const server = net.createServer();
    const s = new GpioServer(server, opts);
    server.on("connection", (socket) => s.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.path, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // Every change the plant makes to an input goes to every client.
    s.sub = opts.backend.changes$.subscribe((c) => {
      if (c.by === "plant") s.broadcast({ t: "level", line: c.line, high: c.high });
    });
    return s;
  }

  get path(): string {
    return this.opts.path;
  }

  /** Clients connected now. */
  get clients(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    this.sub?.unsubscribe();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.opts.path, { force: true });
  }

  private accept(socket: net.Socket): void {
    this.stats.connections++;
    this.sockets.add(socket);
    const { backend, lines } = this.opts;
    const allowed = new Set([...lines.inputs, ...lines.outputs]);
    const pins = new Map<number, GpioPin>();
    const reader = new JsonLines();
    const levels: Record<string, boolean> = {};
    for (const l of lines.inputs) levels[String(l)] = backend.level(l) ?? false;
    this.send(socket, { t: "hello", lines: [...allowed].sort((a, b) => a - b), levels });
    socket.on("data", (chunk: Buffer) => {
      reader.push(chunk, (msg) => {
        if (!isClientMessage(msg) || !allowed.has(msg.line)) {
          this.stats.garbage++;
          return;
        }
        this.handle(msg, pins);
      });
      this.stats.garbage += reader.garbage;
      reader.garbage = 0;
    });
    socket.on("error", () => socket.destroy());
    // The client's lines stay at their levels (sysfs semantics); only the pins are let go.
    socket.on("close", () => {
      this.sockets.delete(socket);
      for (const p of pins.values()) p.close();
      pins.clear();
    });
  }

  private handle(msg: RemoteGpioClientMessage, pins: Map<number, GpioPin>): void {
    const { backend } = this.opts;
    const isOutput = this.opts.lines.outputs.includes(msg.line);
    try {
      switch (msg.t) {
        case "open":
          if ((msg.dir === "out") !== isOutput) {
            this.stats.garbage++;
            return;
          }
          pins.get(msg.line)?.close();
          pins.set(msg.line, backend.open(msg.line, msg.dir, msg.high));
          return;
        case "write":
          pins.get(msg.line)?.write(msg.high);
          return;
        case "close":
          pins.get(msg.line)?.close();
          pins.delete(msg.line);
          return;
      }
    } catch {
      // A client's mistake (a write to an input) must not take the plant's wiring down.
      this.stats.garbage++;
    }
  }

  private broadcast(msg: RemoteGpioServerMessage): void {
    for (const s of this.sockets) this.send(s, msg);
  }

  private send(socket: net.Socket, msg: RemoteGpioServerMessage): void {
    if (!socket.destroyed) socket.write(`${JSON.stringify(msg)}\n`);
  }
}
