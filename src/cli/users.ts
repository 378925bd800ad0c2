// `reclaim users add|passwd|remove|list`: the OPC UA users file (user name, role, scrypt
// hash). A password is never an argument (it would sit in the shell history and in ps):
// it is asked twice without echo on a terminal, or read from stdin with --password-stdin.
// The running server re-reads the file on the next login; no restart.
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { usersFileOf } from "../opcua/pki.js";
import {
  USERNAME_RE,
  USER_ROLES,
  hashPassword,
  passwordProblem,
  readUsersFile,
  writeUsersFile,
  type ScryptCost,
  type UserRole,
} from "../opcua/users-file.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { DEFAULT_CONFIG } from "./options.js";

export interface UsersIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** scrypt cost (tests lower it). */
  cost?: ScryptCost;
}

const defaultIo = (): UsersIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

interface FileOpts {
  config: string;
  file?: string;
}

function usersFile(opts: FileOpts): string {
  return opts.file ?? usersFileOf(loadConfig(opts.config).config);
}

function refuse(message: string): ReclaimError {
  return new ReclaimError(ERROR_CODES.COMMAND_REJECTED, message);
}

async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stdin) text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return text;
}

/**
 * Lines from a terminal without echo, one per prompt; Ctrl-C aborts. One reader for all of
 * them, so that input typed (or pasted) ahead of the second prompt is not lost.
 */
function promptHidden(io: UsersIo, prompts: readonly string[]): Promise<string[]> {
  const { stdin } = io;
  const lines: string[] = [];
  let value = "";
  io.stderr.write(prompts[0] ?? "");
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      stdin.removeListener("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      if (err) reject(err);
      else resolve(lines);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === "\u0003") return done(refuse("cancelled"));
        if (ch === "\r" || ch === "\n") {
          lines.push(value);
          value = "";
          io.stderr.write("\n");
          if (lines.length === prompts.length) return done();
          io.stderr.write(prompts[lines.length] ?? "");
        } else if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}

async function newPassword(io: UsersIo, user: string, fromStdin: boolean): Promise<string> {
  let password: string;
  if (fromStdin) {
    password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  } else if (io.stdin.isTTY) {
    const [first, again] = await promptHidden(io, [`New password for ${user}: `, "Again: "]);
    if (again !== first) throw refuse("the two passwords differ; nothing changed");
    password = first ?? "";
  } else {
    throw refuse("no terminal to ask for the password: pipe it in with --password-stdin");
  }
  const problem = passwordProblem(user, password);
  if (problem) throw refuse(problem);
  return password;
}

function checkName(name: string): void {
  if (!USERNAME_RE.test(name) || name.toLowerCase() === "anonymous") {
    throw refuse(`user name '${name}' is not allowed: letters, digits, '_', '.', '@', '-' (and not 'anonymous')`);
  }
}

function withFile(cmd: Command): Command {
  return cmd
    .option("--config <file>", "config file (the users file is opcua.usersFile, or users.yaml next to the store)", DEFAULT_CONFIG)
    .option("--file <path>", "users file, instead of the config's");
}

export function registerUsers(program: Command, io: UsersIo = defaultIo()): void {
  const users = program.command("users").description("OPC UA users: name, role (observer, operator, engineer), password");

  withFile(users.command("list").description("the users and their roles (never the hashes)"))
    .option("--json", "print one JSON array")
    .action((opts: FileOpts & { json?: boolean }) => {
      const data = readUsersFile(usersFile(opts));
      const rows = Object.entries(data.users).map(([name, u]) => ({ name, role: u.role, changed: u.changed }));
      if (opts.json) io.stdout.write(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) io.stdout.write("no users\n");
      else for (const r of rows) io.stdout.write(`${r.name.padEnd(20)} ${r.role.padEnd(9)} ${r.changed}\n`);
    });

  withFile(users.command("add <name>").description("add a user with a role; the password is asked, or read with --password-stdin"))
    .requiredOption("--role <role>", `one of ${USER_ROLES.join(", ")}`)
    .option("--password-stdin", "read the password from stdin (for scripts)")
    .action(async (name: string, opts: FileOpts & { role: string; passwordStdin?: boolean }) => {
      checkName(name);
      if (!USER_ROLES.includes(opts.role as UserRole)) throw refuse(`role must be one of ${USER_ROLES.join(", ")}, not '${opts.role}'`);
      const file = usersFile(opts);
      const data = readUsersFile(file);
      if (Object.hasOwn(data.users, name)) throw refuse(`user ${name} exists; use 'reclaim users passwd ${name}' to change the password`);
      const password = await newPassword(io, name, opts.passwordStdin === true);
      data.users[name] = { role: opts.role as UserRole, password: await hashPassword(password, io.cost), changed: new Date().toISOString() };
      writeUsersFile(file, data);
      io.stdout.write(`added ${name} (${opts.role}) to ${file}\n`);
    });

  withFile(users.command("passwd <name>").description("set a user's password"))
    .option("--password-stdin", "read the password from stdin (for scripts)")
    .action(async (name: string, opts: FileOpts & { passwordStdin?: boolean }) => {
      const file = usersFile(opts);
      const data = readUsersFile(file);
      const entry = Object.hasOwn(data.users, name) ? data.users[name] : undefined;
      if (!entry) throw refuse(`no user ${name} in ${file}`);
      const password = await newPassword(io, name, opts.passwordStdin === true);
      data.users[name] = { ...entry, password: await hashPassword(password, io.cost), changed: new Date().toISOString() };
      writeUsersFile(file, data);
      io.stdout.write(`password of ${name} changed\n`);
    });

  withFile(users.command("remove <name>").description("remove a user: their next login is refused, and open sessions lose their role"))
    .action((name: string, opts: FileOpts) => {
      const file = usersFile(opts);
      const data = readUsersFile(file);
      if (!Object.hasOwn(data.users, name)) throw refuse(`no user ${name} in ${file}`);
      delete data.users[name];
      writeUsersFile(file, data);
      io.stdout.write(`removed ${name}\n`);
    });
}
