// The server keeps serving through what the plant network throws at it: garbage and
// truncated frames on the TCP port, ten SCADA sessions at once, and clients that connect
// and drop without closing. (The 1,000-cycle heap check is in tests/bench/opcua.bench.ts.)
import net from "node:net";
import { AttributeIds } from "node-opcua";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, startHarness, USERS, type Harness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

function port(): number {
  return Number(new URL(h.endpointUrl.replace("opc.tcp:", "http:")).port);
}

/** Sends bytes, waits for the server to answer or hang up, and returns what came back. */
function poke(bytes: Buffer, waitMs = 300): Promise<Buffer> {
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

function hello(overrides: Partial<Record<"version" | "receive" | "send" | "maxMessage" | "maxChunks", number>> = {}, url = h.endpointUrl): Buffer {
  const u = Buffer.from(url);
  const b = Buffer.alloc(32 + u.length);
  b.write("HELF", 0, "ascii");
  b.writeUInt32LE(b.length, 4);
  b.writeUInt32LE(overrides.version ?? 0, 8);
  b.writeUInt32LE(overrides.receive ?? 65536, 12);
  b.writeUInt32LE(overrides.send ?? 65536, 16);
  b.writeUInt32LE(overrides.maxMessage ?? 0, 20);
  b.writeUInt32LE(overrides.maxChunks ?? 0, 24);
  b.writeInt32LE(u.length, 28);
  u.copy(b, 32);
  return b;
}

async function stillServes(): Promise<void> {
  const c = await connect(h, { user: USERS.observer });
  try {
    const dv = await c.session.read({ nodeId: `ns=${c.ns};s=QualityMode`, attributeId: AttributeIds.Value });
    expect(dv.value.value).toBe("Reuse");
  } finally {
    await c.close();
  }
}

describe("malformed requests", () => {
  it("answers garbage, truncated and oversized frames with an error or a hang-up, and keeps serving", async () => {
    const truncatedHello = hello().subarray(0, 20);
    const lyingLength = hello();
    lyingLength.writeUInt32LE(0x7fffffff, 4);
    const tinyBuffers = hello({ receive: 1, send: 1 });
    const badUrl = hello({}, "x".repeat(5000));
    const msgBeforeHello = Buffer.concat([Buffer.from("MSGF"), Buffer.from([16, 0, 0, 0]), Buffer.alloc(8, 0xff)]);
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    for (const frame of [Buffer.from("GET / HTTP/1.1\r\n\r\n"), truncatedHello, lyingLength, tinyBuffers, badUrl, msgBeforeHello, random]) {
      const answer = await poke(frame);
      // Either nothing (hang-up) or an OPC UA ERR message, never a crash.
      if (answer.length > 0) expect(answer.subarray(0, 3).toString("ascii")).toMatch(/ERR|ACK/);
    }
    // A valid HEL followed by a garbled OpenSecureChannel.
    await poke(Buffer.concat([hello(), Buffer.from("OPNF"), Buffer.from([40, 0, 0, 0]), Buffer.alloc(32, 0x41)]));
    await stillServes();
  });
});

describe("many clients", () => {
  it("serves ten sessions at once", async () => {
    const sessions = await Promise.all(Array.from({ length: 10 }, () => connect(h, { user: USERS.observer })));
    try {
      const reads = await Promise.all(sessions.map((c) => c.session.read({ nodeId: `ns=${c.ns};s=Tags.AIT-403`, attributeId: AttributeIds.Value })));
      expect(reads.every((dv) => dv.statusCode.name === "Good")).toBe(true);
    } finally {
      await Promise.all(sessions.map((c) => c.close()));
    }
  });

  it("survives clients that vanish without closing their session or channel", async () => {
    // A TCP proxy whose sockets are cut under live sessions, the way a SCADA server that loses power drops them.
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(port(), "localhost");
      inbound.pipe(outbound).pipe(inbound);
      for (const s of [inbound, outbound]) s.on("error", () => undefined);
      sockets.push(inbound, outbound);
    });
    await new Promise<void>((r) => proxy.listen(0, "localhost", r));
    const via = { ...h, endpointUrl: `opc.tcp://localhost:${(proxy.address() as net.AddressInfo).port}` };
    try {
      for (let i = 0; i < 5; i++) {
        const c = await connect(via, { user: USERS.observer });
        for (const s of sockets.splice(0)) s.destroy();
        await c.client.disconnect().catch(() => undefined);
      }
    } finally {
      proxy.close();
    }
    await stillServes();
  });
});
