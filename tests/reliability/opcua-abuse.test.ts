// Issue 9, item 5: the OPC UA server under abuse from the plant network, all at once: wrong
// passwords hammered at one user and sprayed across many, writes and method calls without the
// role, and raw garbage on the TCP port. The sessions that were already open keep working,
// refusals are rate-limited and audited, nothing refused reaches the command intake, and the
// server keeps answering. (The single-case tests are the OPC UA engineer's, in tests/opcua/;
// this uses their harness: one server on an ephemeral port with a users file and PKI.)
import net from "node:net";
import { AttributeIds, DataType } from "node-opcua";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, startHarness, USERS, type Connected, type Harness } from "../opcua/harness.js";

let h: Harness;
let op: Connected;
let obs: Connected;
const BASE_DELAY = 40;

beforeAll(async () => {
  h = await startHarness({ deps: () => ({ login: { baseDelay: BASE_DELAY, maxDelay: 8 * BASE_DELAY } }) });
  // Sessions opened before the abuse: SCADA that was already connected.
  op = await connect(h, { user: USERS.operator });
  obs = await connect(h, { user: USERS.observer });
}, 120_000);

afterAll(async () => {
  await op?.close().catch(() => undefined);
  await obs?.close().catch(() => undefined);
  await h?.stop();
});

const id = (c: Connected, path: string): string => `ns=${c.ns};s=${path}`;

function port(): number {
  return Number(new URL(h.endpointUrl.replace("opc.tcp:", "http:")).port);
}

/** Writes bytes on a fresh connection; resolves with what came back once the server answers or hangs up. */
function garbage(bytes: Buffer, waitMs = 500): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port(), "localhost", () => s.write(bytes));
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("error", () => undefined);
    const done = (): void => {
      s.destroy();
      resolve(Buffer.concat(chunks));
    };
    s.on("close", done);
    setTimeout(done, waitMs);
  });
}

function randomBytes(seed: number, n: number): Buffer {
  let x = seed >>> 0 || 1;
  return Buffer.from(Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
}

async function login(name: string, password: string): Promise<{ ok: boolean; ms: number }> {
  const t0 = Date.now();
  try {
    const c = await connect(h, { user: { name, password } });
    await c.close();
    return { ok: true, ms: Date.now() - t0 };
  } catch {
    return { ok: false, ms: Date.now() - t0 };
  }
}

async function stillServes(): Promise<void> {
  const [mode] = await op.session.read([{ nodeId: id(op, "QualityMode"), attributeId: AttributeIds.Value }]);
  expect(mode?.statusCode.name).toBe("Good");
}

describe("OPC UA under abuse", () => {
  it("wrong passwords: each failure answered later than the last, then the user is locked out even with the right password", async () => {
    const name = USERS.engineer.name;
    const tries = [];
    for (let i = 0; i < 5; i++) tries.push(await login(name, `wrong-${i}`));
    expect(tries.every((t) => !t.ok)).toBe(true);
    // Delays of 40, 80, 160, 320 ms (and the lockout) come on top of the handshake.
    const extra = (tries[3]?.ms ?? 0) - (tries[0]?.ms ?? 0);
    expect(extra, `answer times ${tries.map((t) => t.ms).join(", ")} ms`).toBeGreaterThanOrEqual(BASE_DELAY * 4);
    expect((await login(name, USERS.engineer.password)).ok, "the right password got through a lockout").toBe(false);
    expect(h.audit.filter((r) => r.user === name && r.action === "login-failed").length).toBeGreaterThanOrEqual(5);
    expect(h.audit.some((r) => r.user === name && r.action === "login-locked-out")).toBe(true);
    await stillServes();
  }, 120_000);

  it("a password spray with raw garbage on the port at the same time: all refused, the address locked, open sessions unharmed", async () => {
    const spray = Array.from({ length: 24 }, (_, i) => login(`mallory-${i}`, "Winter2026!"));
    const frames = Array.from({ length: 40 }, (_, i) => {
      const kind = i % 4;
      if (kind === 0) return randomBytes(i + 1, 64 + i * 37);
      if (kind === 1) return Buffer.concat([Buffer.from("HELF"), Buffer.from([0xff, 0xff, 0xff, 0x7f]), randomBytes(i, 24)]);
      if (kind === 2) return Buffer.concat([Buffer.from("MSGF"), Buffer.from([24, 0, 0, 0]), randomBytes(i, 16)]);
      return Buffer.from("OPNF\u0000\u0000");
    });
    const answers = await Promise.all(frames.map((f) => garbage(f)));
    const results = await Promise.all(spray);
    for (const a of answers) if (a.length > 0) expect(a.subarray(0, 3).toString("ascii")).toMatch(/ERR|ACK/);
    expect(results.filter((r) => r.ok)).toEqual([]);
    // The address is locked now: a valid user from it is refused too, promptly rather than hanging.
    const locked = await login(USERS.operator.name, USERS.operator.password);
    expect(locked.ok).toBe(false);
    expect(locked.ms).toBeLessThan(15_000);
    expect(h.audit.filter((r) => r.action === "login-failed").length).toBeGreaterThanOrEqual(20);
    // SCADA's session from before goes on reading and commanding.
    await stillServes();
    h.intake.requests.length = 0;
    const start = await op.session.call({ objectId: id(op, h.config.skid.id), methodId: id(op, "ResetDivert"), inputArguments: [] });
    expect(start.statusCode.name).toBe("Good");
    expect(h.intake.requests).toHaveLength(1);
  }, 180_000);

  it("writes and method calls without the role, 50 at once: every one refused, none reaches the intake", async () => {
    h.intake.requests.length = 0;
    const writes = Array.from({ length: 25 }, (_, i) =>
      obs.session.write({ nodeId: id(obs, "Setpoints.ProductFlow"), attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value: 20 + (i % 5) } } }),
    );
    const calls = Array.from({ length: 25 }, (_, i) =>
      obs.session.call({ objectId: id(obs, h.config.skid.id), methodId: id(obs, ["Stop", "Abort", "Hold", "ResetDivert", "Start"][i % 5] as string), inputArguments: [] }),
    );
    const w = await Promise.all(writes);
    const c = await Promise.all(calls);
    expect(new Set(w.map((s) => s.name))).toEqual(new Set(["BadUserAccessDenied"]));
    expect(new Set(c.map((r) => r.statusCode.name))).toEqual(new Set(["BadUserAccessDenied"]));
    expect(h.intake.requests).toHaveLength(0);
    await stillServes();
  }, 60_000);

  it("after all of it the port still accepts connections and answers a proper HEL with ACK", async () => {
    const url = Buffer.from(h.endpointUrl);
    const hel = Buffer.alloc(32 + url.length);
    hel.write("HELF", 0, "ascii");
    hel.writeUInt32LE(hel.length, 4);
    hel.writeUInt32LE(0, 8);
    hel.writeUInt32LE(65536, 12);
    hel.writeUInt32LE(65536, 16);
    hel.writeUInt32LE(0, 20);
    hel.writeUInt32LE(0, 24);
    hel.writeInt32LE(url.length, 28);
    url.copy(hel, 32);
    const answer = await garbage(hel, 2000);
    expect(answer.subarray(0, 4).toString("ascii")).toBe("ACKF");
    await stillServes();
  }, 30_000);
});
