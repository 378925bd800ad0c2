// One OPC UA server per test file on an ephemeral port, with its PKI and users file in a
// temp dir, and node-opcua clients that connect to it in any security mode as any user.
// Certificates are the slow part: the server's is made at its first start and the client's
// once per file, then reused by every client of the file.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
  type UserIdentityInfo,
} from "node-opcua";
import type { Config } from "../../src/config/schema.js";
import type { OpcuaAuditRecord } from "../../src/opcua/ports.js";
import { trustCertificate } from "../../src/opcua/pki.js";
import { ReclaimOpcuaServer, namespaceUri, type OpcuaDeps } from "../../src/opcua/server.js";
import { hashPassword, writeUsersFile, type UserRole, type UsersFile } from "../../src/opcua/users-file.js";
import { silentLogger } from "../../src/system/log.js";
import { referenceConfig } from "../helpers/config.js";
import { FakeIntake, FakeSource } from "./fakes.js";

/** Cheap scrypt for tests (the production cost is ln=15). */
export const TEST_COST = { ln: 10, r: 8, p: 1 };

export const USERS: Record<UserRole, { name: string; password: string }> = {
  observer: { name: "olga", password: "observer-pass-1" },
  operator: { name: "otto", password: "operator-pass-1" },
  engineer: { name: "erin", password: "engineer-pass-1" },
};

export interface HarnessOptions {
  allowInsecure?: boolean;
  allowAnonymous?: boolean;
  /** Reuse a directory (a restart of the same controller). */
  dir?: string;
  deps?: (h: { source: FakeSource; intake: FakeIntake; dir: string }) => Partial<OpcuaDeps>;
  /** Trust the test client's certificate before the server starts (default true). */
  trustClient?: boolean;
  /** Changes to the test config (more tags, other settings). */
  configure?: (c: Config) => Config;
}

export interface Harness {
  dir: string;
  config: Config;
  source: FakeSource;
  intake: FakeIntake;
  audit: OpcuaAuditRecord[];
  server: ReclaimOpcuaServer;
  pkiDir: string;
  clientPkiDir: string;
  endpointUrl: string;
  stop(removeDir?: boolean): Promise<void>;
}

export function testConfig(dir: string, o: HarnessOptions = {}): Config {
  const base = referenceConfig();
  return {
    ...base,
    opcua: { ...base.opcua, port: 0, host: "localhost", allowInsecure: o.allowInsecure ?? false, allowAnonymous: o.allowAnonymous ?? false },
    store: { ...base.store, path: path.join(dir, "reclaim.sqlite") },
    control: { socket: path.join(dir, "reclaim.sock") },
  };
}

async function writeTestUsers(file: string): Promise<void> {
  const data: UsersFile = { version: 1, users: {} };
  for (const [role, u] of Object.entries(USERS)) data.users[u.name] = { role: role as UserRole, password: await hashPassword(u.password, TEST_COST), changed: "" };
  writeUsersFile(file, data);
}

/** The test client's certificate, made once in the directory's client PKI. */
export async function ensureClientCertificate(clientPkiDir: string): Promise<string> {
  const cm = clientManager(clientPkiDir);
  await cm.initialize();
  const client = OPCUAClient.create({ applicationName: "reclaim-test", clientCertificateManager: cm });
  await client.createDefaultCertificate();
  const file = client.certificateFile;
  await client.disconnect();
  return file;
}

function clientManager(dir: string): OPCUACertificateManager {
  // The client trusts the server it is pointed at: the tests are about the server's trust.
  return new OPCUACertificateManager({ rootFolder: dir, automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true });
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const dir = o.dir ?? mkdtempSync(path.join(os.tmpdir(), "reclaim-opcua-"));
  const config = o.configure ? o.configure(testConfig(dir, o)) : testConfig(dir, o);
  const source = new FakeSource(config);
  const intake = new FakeIntake();
  const audit: OpcuaAuditRecord[] = [];
  const pkiDir = path.join(dir, "pki");
  const clientPkiDir = path.join(dir, "client-pki");
  await writeTestUsers(path.join(dir, "users.yaml"));
  if (o.trustClient ?? true) trustCertificate(pkiDir, await ensureClientCertificate(clientPkiDir));
  const server = new ReclaimOpcuaServer(config, source, silentLogger(), {
    intake,
    audit: (r) => audit.push(r),
    login: { baseDelay: 5, maxDelay: 20 },
    ...(o.deps?.({ source, intake, dir }) ?? {}),
  });
  await server.start();
  return {
    dir,
    config,
    source,
    intake,
    audit,
    server,
    pkiDir,
    clientPkiDir,
    endpointUrl: server.endpointUrl,
    async stop(removeDir = true) {
      await server.stop();
      if (removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ClientOptions {
  mode?: "None" | "Sign" | "SignAndEncrypt";
  policy?: SecurityPolicy;
  user?: { name: string; password: string };
}

export interface Connected {
  client: OPCUAClient;
  session: ClientSession;
  ns: number;
  close(): Promise<void>;
}

export function makeClient(h: Pick<Harness, "clientPkiDir">, o: ClientOptions = {}): OPCUAClient {
  const mode = o.mode ?? "SignAndEncrypt";
  return OPCUAClient.create({
    applicationName: "reclaim-test",
    endpointMustExist: false,
    securityMode: MessageSecurityMode[mode],
    securityPolicy: mode === "None" ? SecurityPolicy.None : (o.policy ?? SecurityPolicy.Basic256Sha256),
    clientCertificateManager: clientManager(h.clientPkiDir),
    connectionStrategy: { maxRetry: 0, initialDelay: 50, maxDelay: 100 },
    requestedSessionTimeout: 20_000,
  });
}

export async function connect(h: Pick<Harness, "clientPkiDir" | "endpointUrl" | "config">, o: ClientOptions = {}): Promise<Connected> {
  const client = makeClient(h, o);
  await client.connect(h.endpointUrl);
  try {
    const identity: UserIdentityInfo = o.user ? { type: UserTokenType.UserName, userName: o.user.name, password: o.user.password } : { type: UserTokenType.Anonymous };
    const session = await client.createSession(identity);
    const ns = ((await session.readNamespaceArray()) ?? []).indexOf(namespaceUri(h.config));
    return {
      client,
      session,
      ns,
      async close() {
        await session.close();
        await client.disconnect();
      },
    };
  } catch (err) {
    await client.disconnect();
    throw err;
  }
}
