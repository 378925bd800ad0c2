// Security as a production skid runs it (allowInsecure and allowAnonymous off): only signed
// endpoints are offered, a None session and an anonymous one are refused, users log in with
// their password under every policy, failed logins are delayed, audited and locked out, and
// an unknown client certificate is refused until `reclaim certs trust` trusts it.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { ApplicationType, AttributeIds, CreateSessionRequest, MessageSecurityMode, OPCUAClient, type EndpointDescription, SecurityPolicy, UserTokenType, VariableIds } from "node-opcua";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCerts } from "../../src/cli/certs.js";
import { listCertificates } from "../../src/opcua/pki.js";
import { connect, ensureClientCertificate, startHarness, USERS, type Harness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ allowInsecure: false, allowAnonymous: false });
});

afterAll(async () => {
  await h?.stop();
});

async function discover(): Promise<EndpointDescription[]> {
  const c = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
  await c.connect(h.endpointUrl);
  try {
    return await c.getEndpoints();
  } finally {
    await c.disconnect();
  }
}

describe("endpoints", () => {
  it("offers Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss, signed or encrypted, and no None endpoint at all", async () => {
    const eps = await discover();
    const offered = eps.map((e) => `${MessageSecurityMode[e.securityMode]} ${(e.securityPolicyUri ?? "").split("#")[1]}`).sort();
    expect(offered).toEqual(
      [
        "Sign Aes128_Sha256_RsaOaep",
        "Sign Aes256_Sha256_RsaPss",
        "Sign Basic256Sha256",
        "SignAndEncrypt Aes128_Sha256_RsaOaep",
        "SignAndEncrypt Aes256_Sha256_RsaPss",
        "SignAndEncrypt Basic256Sha256",
      ].sort(),
    );
    // Users log in with a password; anonymous is off; X.509 user tokens are not offered.
    for (const e of eps) expect((e.userIdentityTokens ?? []).map((t) => t.tokenType)).toEqual([UserTokenType.UserName]);
  });

  it("refuses a session over SecurityPolicy None (the None channel serves discovery only)", async () => {
    // node-opcua's client would not even try (no None endpoint is advertised): ask the server directly.
    const c = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await c.connect(h.endpointUrl);
    try {
      const req = new CreateSessionRequest({
        clientDescription: { applicationUri: "urn:test:raw", applicationName: { text: "raw" }, applicationType: ApplicationType.Client },
        endpointUrl: h.endpointUrl,
        sessionName: "over None",
        requestedSessionTimeout: 10_000,
      });
      const refused = await new Promise<string>((resolve) => {
        (c as unknown as { performMessageTransaction(r: unknown, cb: (err: Error | null) => void): void }).performMessageTransaction(req, (err) => resolve(String(err)));
      });
      expect(refused).toMatch(/BadSecurityModeRejected/);
    } finally {
      await c.disconnect();
    }
  });

  it("refuses an anonymous session even over SignAndEncrypt", async () => {
    await expect(connect(h, { mode: "SignAndEncrypt" })).rejects.toThrow(/ANONYMOUS/);
  });
});

describe("users", () => {
  it.each([
    ["SignAndEncrypt", SecurityPolicy.Basic256Sha256],
    ["SignAndEncrypt", SecurityPolicy.Aes128_Sha256_RsaOaep],
    ["SignAndEncrypt", SecurityPolicy.Aes256_Sha256_RsaPss],
    ["Sign", SecurityPolicy.Basic256Sha256],
  ] as const)("a user logs in over %s %s and reads the skid", async (mode, policy) => {
    const c = await connect(h, { mode, policy, user: USERS.observer });
    try {
      const dv = await c.session.read({ nodeId: `ns=${c.ns};s=Tags.AIT-403`, attributeId: AttributeIds.Value });
      expect(dv.statusCode.name).toBe("Good");
      expect(dv.value.value).toBe(0.05);
    } finally {
      await c.close();
    }
  });

  it("reports ServerStatus and BuildInfo", async () => {
    const c = await connect(h, { user: USERS.observer });
    try {
      const [state, product, version, manufacturer] = await c.session.read([
        { nodeId: VariableIds.Server_ServerStatus_State, attributeId: AttributeIds.Value },
        { nodeId: VariableIds.Server_ServerStatus_BuildInfo_ProductName, attributeId: AttributeIds.Value },
        { nodeId: VariableIds.Server_ServerStatus_BuildInfo_SoftwareVersion, attributeId: AttributeIds.Value },
        { nodeId: VariableIds.Server_ServerStatus_BuildInfo_ManufacturerName, attributeId: AttributeIds.Value },
      ]);
      expect(state?.value.value).toBe(0); // Running
      expect(product?.value.value).toBe("Reclaim");
      expect(version?.value.value).toMatch(/^\d+\.\d+\.\d+/);
      expect(manufacturer?.value.value).toBe("Reclaim");
    } finally {
      await c.close();
    }
  });

  it("delays, audits and finally locks out repeated failed logins, even with the right password", async () => {
    const name = USERS.engineer.name;
    for (let i = 0; i < 5; i++) await expect(connect(h, { user: { name, password: `wrong-${i}` } })).rejects.toThrow();
    const failed = h.audit.filter((r) => r.user === name && r.action === "login-failed");
    expect(failed).toHaveLength(5);
    expect(failed[4]?.data).toMatchObject({ failures: 5, reason: "wrong password" });
    expect(failed[0]?.data.address).toMatch(/127\.0\.0\.1|::1/);
    await expect(connect(h, { user: USERS.engineer })).rejects.toThrow();
    expect(h.audit.some((r) => r.user === name && r.action === "login-locked-out")).toBe(true);
    // Another user from the same address is not locked out by it.
    const c = await connect(h, { user: USERS.operator });
    await c.close();
    expect(h.audit.some((r) => r.user === USERS.operator.name && r.action === "login")).toBe(true);
  });
});

describe("client certificates", () => {
  it("created the server's own PKI offline at first start, under the data directory", async () => {
    const own = listCertificates(h.pkiDir, ["own"]);
    expect(own).toHaveLength(1);
    expect(own[0]?.applicationUri).toBe(`urn:reclaim:${h.config.skid.id}:server`);
    expect(statSync(path.join(h.pkiDir, "own/private/private_key.pem")).mode & 0o077).toBe(0);
    const out: string[] = [];
    const program = new Command().exitOverride();
    registerCerts(program, { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream);
    await program.parseAsync(["node", "reclaim", "certs", "list", "--json", "--pki", h.pkiDir]);
    const listed = JSON.parse(out.join("")) as Array<{ store: string }>;
    expect(listed.map((c) => c.store).sort()).toEqual(["own", "trusted"]);
  });

  it("refuses an unknown client certificate, and accepts it after `reclaim certs trust <thumbprint>`", async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), "reclaim-other-client-"));
    try {
      const stranger = { ...h, clientPkiDir: other };
      await ensureClientCertificate(other);
      await expect(connect(stranger, { user: USERS.operator })).rejects.toThrow();
      const rejected = listCertificates(h.pkiDir, ["rejected"]);
      expect(rejected).toHaveLength(1);
      const thumb = (rejected[0]?.thumbprint ?? "").slice(0, 12);

      const out: string[] = [];
      const program = new Command().exitOverride();
      registerCerts(program, { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream);
      await program.parseAsync(["node", "reclaim", "certs", "trust", thumb, "--pki", h.pkiDir]);
      expect(out.join("")).toMatch(/^trusted .*reclaim-test/);
      expect(listCertificates(h.pkiDir, ["rejected"])).toHaveLength(0);

      // The running server's watcher picks up the trust list change; no restart.
      let session: Awaited<ReturnType<typeof connect>> | undefined;
      for (let i = 0; i < 40 && !session; i++) {
        session = await connect(stranger, { user: USERS.operator }).catch(async () => {
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        });
      }
      expect(session).toBeDefined();
      await session?.close();

      // `reclaim certs reject` takes the trust back: the next connection is refused.
      await program.parseAsync(["node", "reclaim", "certs", "reject", thumb, "--pki", h.pkiDir]);
      expect(out.join("")).toMatch(/rejected .*reclaim-test/);
      let refused = false;
      for (let i = 0; i < 40 && !refused; i++) {
        refused = await connect(stranger, { user: USERS.operator }).then(
          async (c) => {
            await c.close();
            await new Promise((r) => setTimeout(r, 100));
            return false;
          },
          () => true,
        );
      }
      expect(refused).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
