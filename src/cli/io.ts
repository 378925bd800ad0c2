// Where a command writes: the process's streams when a person runs `reclaim`, captured
// buffers when the tests call main() in-process. Every command writes through this.

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Writes text, ending it with exactly one newline. */
export function say(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** One JSON document on one line: what scripts read with --json. */
export function sayJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A note for the person (not the script): stderr, so --json output stays one document. */
export function note(io: CliIo, text: string): void {
  io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}
