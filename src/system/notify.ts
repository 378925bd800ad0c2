// sd_notify(3) for a Type=notify systemd service: READY=1, WATCHDOG=1, STOPPING=1 and STATUS=
// as datagrams on $NOTIFY_SOCKET. Node cannot send AF_UNIX datagrams itself, so the sending
// goes through the optional native package unix-dgram; where it is missing (or the process
// was not started by systemd) the notifier is disabled, says so once, and does nothing.
import { createRequire } from "node:module";
import type { Logger } from "./log.js";

export interface Notifier {
  /** True when messages really go to systemd. */
  readonly enabled: boolean;
  /** systemd's WatchdogSec= in ms when it watches this process, else null. Pet at half of it. */
  readonly watchdogIntervalMs: number | null;
  /** READY=1: start-up is complete (config loaded, store open, first poll cycle done). */
  ready(status?: string): void;
  /** WATCHDOG=1: only ever from the WatchdogFeeder, which checks that the scan advances. */
  watchdog(): void;
  /** STOPPING=1: an orderly stop has begun. */
  stopping(status?: string): void;
  /** STATUS=: one line that `systemctl status reclaim` shows. */
  status(text: string): void;
}

/** Sends one datagram to a Unix socket path; throws on failure. */
export type DatagramSend = (message: Buffer, path: string) => void;
export type SenderOrWhyNot = DatagramSend | { unavailable: string };

export interface NotifierOptions {
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default: process.pid (WATCHDOG_PID names the process the watchdog is meant for). */
  pid?: number;
  /** Default: unix-dgram, loaded on demand; `unavailable` says why it cannot be had. */
  loadSender?: () => SenderOrWhyNot | Promise<SenderOrWhyNot>;
}

/** The npm package that sends the datagrams (an optional dependency: see deploy/README.md). */
export const NOTIFY_PACKAGE = "unix-dgram";

interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
}
interface UnixDgramModule {
  createSocket(type: "unix_dgram"): UnixDgramSocket;
}

/** Loads unix-dgram; a missing package or a native build for another Node.js is not an error. */
export function loadUnixDgram(): SenderOrWhyNot {
  let mod: UnixDgramModule;
  try {
    // require, not import(): unix-dgram is CommonJS, and a package that is absent must not
    // be a compile-time dependency of this file.
    mod = createRequire(import.meta.url)(NOTIFY_PACKAGE) as UnixDgramModule;
  } catch (err) {
    return { unavailable: `${NOTIFY_PACKAGE} cannot be loaded: ${(err as Error).message.split("\n")[0] ?? ""}` };
  }
  if (typeof mod.createSocket !== "function") return { unavailable: `${NOTIFY_PACKAGE} has no createSocket()` };
  return (message, path) => {
    // One socket per message, as libsystemd's sd_notify does: nothing stays open to keep the
    // event loop alive, and a socket re-created by systemd (daemon-reexec) is simply found.
    const sock = mod.createSocket("unix_dgram");
    let failure: Error | undefined;
    try {
      // unix-dgram's sendto is synchronous; the callback runs before send() returns.
      sock.send(message, 0, message.length, path, (err) => {
        failure = err;
      });
    } finally {
      sock.close();
    }
    if (failure) throw failure;
  };
}

/** The watchdog interval systemd gave this process (sd_watchdog_enabled(3)), in ms, or null. */
export function watchdogIntervalFromEnv(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || !/^[0-9]+$/.test(usec)) return null;
  const forPid = env.WATCHDOG_PID;
  // The watchdog belongs to another process (we were forked by the main process).
  if (forPid !== undefined && forPid !== "" && forPid !== String(pid)) return null;
  const ms = Number(usec) / 1000;
  return ms > 0 && Number.isFinite(ms) ? ms : null;
}

/** A STATUS= value: one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").trim();
}

const DISABLED = (): Notifier => ({
  enabled: false,
  watchdogIntervalMs: null,
  ready: () => undefined,
  watchdog: () => undefined,
  stopping: () => undefined,
  status: () => undefined,
});

/**
 * The notifier for this process. Never throws: every reason to run without notifications
 * (not under systemd, the package missing, an abstract socket) is logged once.
 */
export async function createNotifier(log: Logger, opts: NotifierOptions = {}): Promise<Notifier> {
  const env = opts.env ?? process.env;
  const pid = opts.pid ?? process.pid;
  const path = env.NOTIFY_SOCKET;
  if (path === undefined || path === "") {
    log.debug("sd_notify off: NOTIFY_SOCKET is not set (not started by systemd as Type=notify)");
    return DISABLED();
  }
  if (!path.startsWith("/")) {
    // "@name" is an abstract socket (user managers, containers); unix-dgram copies the path
    // with strncpy and cannot address one. The system manager uses /run/systemd/notify.
    log.error({ notifySocket: path }, `sd_notify off: NOTIFY_SOCKET ${path} is not a filesystem path; systemd will not see READY=1`);
    return DISABLED();
  }
  const sender = await (opts.loadSender ?? loadUnixDgram)();
  if (typeof sender !== "function") {
    // Type=notify without READY=1 means systemd stops the service after TimeoutStartSec:
    // this is an error, not a note.
    log.error(
      { notifySocket: path },
      `sd_notify off: ${sender.unavailable}; systemd will not see READY=1 or WATCHDOG=1 (install ${NOTIFY_PACKAGE}, see deploy/README.md)`,
    );
    return DISABLED();
  }

  const watchdogIntervalMs = watchdogIntervalFromEnv(env, pid);
  let failing = false;
  let readySent = false;
  let stoppingSent = false;
  const send = (message: string): void => {
    try {
      sender(Buffer.from(message, "utf8"), path);
      if (failing) log.info("sd_notify: messages reach systemd again");
      failing = false;
    } catch (err) {
      // Logged once per outage, not every WatchdogSec/2 for months.
      if (!failing) log.warn({ err, notifySocket: path }, `sd_notify: cannot send to ${path}: ${(err as Error).message}`);
      failing = true;
    }
  };
  const withStatus = (head: string, status?: string): string => (status === undefined ? head : `${head}\nSTATUS=${oneLine(status)}`);

  log.info({ notifySocket: path, watchdogIntervalMs }, `sd_notify on (${path}${watchdogIntervalMs === null ? "" : `, watchdog ${watchdogIntervalMs} ms`})`);
  return {
    enabled: true,
    watchdogIntervalMs,
    ready(status) {
      if (readySent) return;
      readySent = true;
      send(withStatus("READY=1", status));
    },
    watchdog() {
      if (!stoppingSent) send("WATCHDOG=1");
    },
    stopping(status) {
      if (stoppingSent) return;
      stoppingSent = true;
      send(withStatus("STOPPING=1", status));
    },
    status(text) {
      send(`STATUS=${oneLine(text)}`);
    },
  };
}
