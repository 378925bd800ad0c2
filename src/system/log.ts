// Logging: pino JSON to stdout for journald, one child logger per part (STYLE.md 11);
// a short human format for the demo. Fatal paths use the synchronous destination so the
// last line is never lost.
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import { Writable } from "node:stream";

export type Logger = PinoLogger;

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** One line per record: "12:00:01 WARN  modbus analyzer-1 unit 1 FC04 IR 0..62: no answer in 300 ms". */
function humanStream(out: NodeJS.WritableStream): DestinationStream {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        const rec = JSON.parse(chunk.toString()) as Record<string, unknown>;
        const time = new Date(Number(rec.time)).toISOString().slice(11, 19);
        const level = (LEVEL_NAMES[Number(rec.level)] ?? "?").padEnd(5);
        const part = typeof rec.part === "string" ? `${rec.part} ` : "";
        const err = rec.err as { message?: string } | undefined;
        const msg = typeof rec.msg === "string" ? rec.msg : "";
        out.write(`${time} ${level} ${part}${msg}${err?.message ? `: ${err.message}` : ""}\n`);
      } catch {
        out.write(chunk);
      }
      done();
    },
  });
}

export function createLogger(opts: { level?: string; human?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env.RECLAIM_LOG_LEVEL ?? "info";
  const out = opts.destination ?? process.stdout;
  const stream = opts.human ? humanStream(out) : opts.destination ? (out as DestinationStream) : pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level,
      base: undefined,
      // Passwords and keys never reach the journal.
      redact: { paths: ["password", "*.password", "secret", "*.secret", "privateKey"], censor: "[redacted]" },
    },
    stream,
  );
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
