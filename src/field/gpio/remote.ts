// GPIO that belongs to another process, over a Unix stream socket with newline-delimited
// JSON: the simulator's plant in the reliability tests (hil-sim/src/gpio-server.ts), where
// the controller runs as a child process that can be killed. The GpioPin API is synchronous
// (it must work on the 'exit' path), so the backend keeps a local mirror of every line:
// writes go out at once and update the mirror, reads answer from it, and the server pushes
// every change of an input. Like sysfs, the server keeps an output's level when this process
// dies: dropping XY-501 then is the external watchdog relay's job, not this socket's.
//
// Wire protocol, one JSON object per line:
//   server → client  {"t":"hello","lines":[17,22,…],"levels":{"17":true}}   once, on connect
//                    {"t":"level","line":17,"high":false}                   an input changed
//   client → server  {"t":"open","line":22,"dir":"out","high":false}
//                    {"t":"write","line":22,"high":true}
//                    {"t":"close","line":22}
import net from "node:net";
import { describeThrown } from "../modbus/classify.js";
import { GpioLineMissing, type GpioBackend, type GpioDirection, type GpioPin } from "./gpio.js";

export type RemoteGpioServerMessage = { t: "hello"; lines: number[]; levels: Record<string, boolean> } | { t: "level"; line: number; high: boolean };

export type RemoteGpioClientMessage = { t: "open"; line: number; dir: GpioDirection; high: boolean } | { t: "write"; line: number; high: boolean } | { t: "close"; line: number };

export interface RemoteGpioOptions {
  /** How long to wait for the server's hello (ms). Default 2000. */
  connectTimeoutMs?: number;
  /** Reconnect back-off after a lost connection: first and longest delay (ms). Default 100 and 5000. */
  reconnectMs?: { first: number; max: number };
}

interface Line {
  direction: GpioDirection;
  high: boolean;
  open: boolean;
}

/** Splits a byte stream into JSON lines; a line that is not JSON is dropped (and counted). */
export class JsonLines {
  private buf = "";
  garbage = 0;

  push(chunk: Buffer | string, each: (msg: unknown) => void): void {
    this.buf += chunk.toString();
    let nl: number;
    while ((nl = this.buf.indexOf("\n")) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line === "") continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        this.garbage++;
        continue;
      }
      each(msg);
    }
    // A peer that never sends a newline must not grow this without bound.
    if (this.buf.length > 65_536) {
      this.buf = "";
      this.garbage++;
    }
  }
}

function isServerMessage(m: unknown): m is RemoteGpioServerMessage {
  if (typeof m !== "object" || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.t === "hello") return Array.isArray(o.lines) && typeof o.levels === "object" && o.levels !== null;
  return o.t === "level" && typeof o.line === "number" && typeof o.high === "boolean";
}

/** Connects and waits for the hello; rejects with why not. */
function connectOnce(path: string, timeoutMs: number): Promise<{ socket: net.Socket; hello: Extract<RemoteGpioServerMessage, { t: "hello" }>; lines: JsonLines }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    const lines = new JsonLines();
    const fail = (why: string): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`no hello from the GPIO server within ${timeoutMs} ms`), timeoutMs);
    socket.once("error", (err) => fail(describeThrown(err)));
    socket.once("close", () => fail("the GPIO server closed the connection before its hello"));
    const onData = (chunk: Buffer): void => {
      lines.push(chunk, (msg) => {
        if (!isServerMessage(msg) || msg.t !== "hello") return;
        clearTimeout(timer);
        socket.removeAllListeners("error");
        socket.removeAllListeners("close");
        socket.off("data", onData);
        resolve({ socket, hello: msg, lines });
      });
    };
    socket.on("data", onData);
  });
}

export class RemoteGpioBackend implements GpioBackend {
  readonly kind = "remote";
  private readonly lines = new Map<number, Line>();
  private available = new Set<number>();
  private socket: net.Socket | null = null;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private closed = false;
  /** Connections lost since create (tests, diagnostics). */
  disconnects = 0;

  private constructor(
    readonly path: string,
    private readonly unavailable: string | null,
    private readonly opts: Required<RemoteGpioOptions>,
  ) {
    this.backoffMs = opts.reconnectMs.first;
  }

  /**
   * Connects to the GPIO server. Never throws: when the server cannot be reached, every open()
   * says why (GPIO_MISSING at start-up), as the onoff backend does for a missing sysfs tree.
   */
  static async create(path: string, options: RemoteGpioOptions = {}): Promise<RemoteGpioBackend> {
    const opts: Required<RemoteGpioOptions> = { connectTimeoutMs: options.connectTimeoutMs ?? 2000, reconnectMs: options.reconnectMs ?? { first: 100, max: 5000 } };
    try {
      const c = await connectOnce(path, opts.connectTimeoutMs);
      const backend = new RemoteGpioBackend(path, null, opts);
      backend.attach(c.socket, c.hello, c.lines);
      return backend;
    } catch (err) {
      return new RemoteGpioBackend(path, `cannot reach the GPIO server at ${path}: ${describeThrown(err)}`, opts);
    }
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  open(line: number, direction: GpioDirection, initialHigh: boolean): GpioPin {
    if (this.unavailable !== null) throw new GpioLineMissing(line, this.path, this.unavailable);
    if (this.closed) throw new GpioLineMissing(line, this.path, "the remote GPIO backend is closed");
    if (!this.available.has(line)) throw new GpioLineMissing(line, this.path, `the GPIO server has no line ${line} (it has ${[...this.available].join(", ") || "none"})`);
    const prev = this.lines.get(line);
    // An input keeps the level the server announced; an output starts at its safe level.
    const l: Line = { direction, high: direction === "in" ? (prev?.high ?? false) : initialHigh, open: true };
    this.lines.set(line, l);
    this.send({ t: "open", line, dir: direction, high: l.high });
    return {
      line,
      direction,
      read: () => {
        // An input nobody can see is not "low": the field layer turns this into a Bad sample.
        if (direction === "in" && this.socket === null) throw new Error(`remote GPIO ${line}: not connected to ${this.path}`);
        return l.high;
      },
      write: (high) => {
        if (direction !== "out") throw new Error(`GPIO ${line} is an input`);
        if (this.socket === null) throw new Error(`remote GPIO ${line}: not connected to ${this.path}`);
        l.high = high;
        this.send({ t: "write", line, high });
      },
      close: () => {
        if (!l.open) return;
        l.open = false;
        this.send({ t: "close", line });
        // The connection lives while a line is open: GpioField.stop() closes every line, and
        // an in-process restart then opens a fresh connection instead of leaking this one.
        if ([...this.lines.values()].every((x) => !x.open)) this.close();
      },
    };
  }

  /** Ends the connection (after what was written has gone out) and stops reconnecting. */
  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.end();
    this.socket = null;
  }

  private attach(socket: net.Socket, hello: Extract<RemoteGpioServerMessage, { t: "hello" }>, lines: JsonLines): void {
    this.socket = socket;
    this.backoffMs = this.opts.reconnectMs.first;
    // The socket must not keep a stopped controller's process alive.
    socket.unref();
    this.available = new Set(hello.lines.filter((l) => Number.isInteger(l)));
    for (const [k, high] of Object.entries(hello.levels)) if (typeof high === "boolean") this.setLevel(Number(k), high);
    // After a reconnect the server may have restarted: tell it again what is open, at the levels we hold.
    for (const [line, l] of this.lines) if (l.open) this.send({ t: "open", line, dir: l.direction, high: l.high });
    socket.on("data", (chunk: Buffer) =>
      lines.push(chunk, (msg) => {
        if (!isServerMessage(msg)) return;
        if (msg.t === "level") this.setLevel(msg.line, msg.high);
      }),
    );
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.disconnects++;
      this.scheduleReconnect();
    });
  }

  private setLevel(line: number, high: boolean): void {
    const l = this.lines.get(line);
    if (l?.direction === "out") return;
    if (l) l.high = high;
    else this.lines.set(line, { direction: "in", high, open: false });
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.opts.reconnectMs.max, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      connectOnce(this.path, this.opts.connectTimeoutMs).then(
        (c) => {
          if (this.closed) c.socket.destroy();
          else this.attach(c.socket, c.hello, c.lines);
        },
        () => this.scheduleReconnect(),
      );
    }, delay);
    this.reconnectTimer.unref();
  }

  private send(msg: RemoteGpioClientMessage): void {
    // Synchronous enough for the 'exit' path: a Unix socket with an empty write queue is written at once.
    this.socket?.write(`${JSON.stringify(msg)}\n`);
  }
}
