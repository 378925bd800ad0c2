// OPC UA server load: 1,000 monitored items sampled at 100 ms across 5 secured sessions
// (notifications a second, the server's CPU and resident memory), and 1,000 connect /
// disconnect cycles (heap growth after GC). The server runs in a child process fed by a fake
// source that changes every tag each 100 ms, so its figures are its own, not the clients'.
// Run alone: node --import tsx tests/bench/opcua.bench.ts
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AttributeIds, ClientMonitoredItemGroup, ClientSubscription, TimestampsToReturn } from "node-opcua";
import type { TagConfig } from "../../src/config/schema.js";
import { connect, startHarness, USERS } from "../opcua/harness.js";
import { isMain, percentile, round } from "./stats.js";
import type { Bench, BenchFigure } from "./types.js";

const ITEMS = 1000;
const SESSIONS = 5;
const PERIOD_MS = 100;
const LOAD_SECONDS = 10;
const CYCLES = Number(process.env.OPCUA_BENCH_CYCLES ?? 1000);

type ToChild = { cmd: "usage" } | { cmd: "gc" } | { cmd: "stop" };
type FromChild =
  | { kind: "ready"; endpointUrl: string; clientPkiDir: string; dir: string; ns: number }
  | { kind: "usage"; cpuUserUs: number; cpuSystemUs: number; rss: number; heapUsed: number; heapTotal: number; at: number };

/** The server side: a harness whose config has ITEMS extra analog tags, all changing every PERIOD_MS. */
async function serve(): Promise<void> {
  const extra: TagConfig[] = Array.from({ length: ITEMS }, (_, i) => ({ name: `SYN-${String(i).padStart(4, "0")}`, description: "synthetic", unit: "bar", range: [0, 10], kind: "analog" }));
  const h = await startHarness({ configure: (c) => ({ ...c, tags: [...c.tags, ...extra] }) });
  let k = 0;
  const timer = setInterval(() => {
    k++;
    const now = Date.now();
    h.source.updates$.next(extra.map((t, i) => ({ tag: t.name, value: ((i + k) % 100) / 10, quality: { code: "good" as const }, sourceTs: now })));
  }, PERIOD_MS);
  const send = (m: FromChild): void => void process.send?.(m);
  process.on("message", (m: ToChild) => {
    if (m.cmd === "usage" || m.cmd === "gc") {
      if (m.cmd === "gc") (globalThis as { gc?: () => void }).gc?.();
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      send({ kind: "usage", cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, at: performance.now() });
    } else {
      clearInterval(timer);
      void h.stop().then(() => process.exit(0));
    }
  });
  send({ kind: "ready", endpointUrl: h.endpointUrl, clientPkiDir: h.clientPkiDir, dir: h.dir, ns: 2 });
}

function ask(child: ChildProcess, cmd: ToChild): Promise<Extract<FromChild, { kind: "usage" }>> {
  return new Promise((resolve) => {
    child.once("message", (m: FromChild) => resolve(m as Extract<FromChild, { kind: "usage" }>));
    child.send(cmd);
  });
}

async function subscriptionLoad(child: ChildProcess, ready: Extract<FromChild, { kind: "ready" }>): Promise<BenchFigure[]> {
  const target = { endpointUrl: ready.endpointUrl, clientPkiDir: ready.clientPkiDir, config: { skid: { id: "RS-30" } } } as Parameters<typeof connect>[0];
  const idle = await ask(child, { cmd: "gc" });
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => connect(target, { user: USERS.observer })));
  let notifications = 0;
  const subs: ClientSubscription[] = [];
  const perSession = ITEMS / SESSIONS;
  sessions.forEach((c, s) => {
    const sub = ClientSubscription.create(c.session, { requestedPublishingInterval: PERIOD_MS, requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20, maxNotificationsPerPublish: 0, publishingEnabled: true });
    const items = Array.from({ length: perSession }, (_, i) => ({ nodeId: `ns=${c.ns};s=Tags.SYN-${String(s * perSession + i).padStart(4, "0")}`, attributeId: AttributeIds.Value }));
    const group = ClientMonitoredItemGroup.create(sub, items, { samplingInterval: PERIOD_MS, queueSize: 1, discardOldest: true }, TimestampsToReturn.Both);
    group.on("changed", () => notifications++);
    subs.push(sub);
  });
  await new Promise((r) => setTimeout(r, 2000)); // subscriptions settle
  const a = await ask(child, { cmd: "usage" });
  const n0 = notifications;
  await new Promise((r) => setTimeout(r, LOAD_SECONDS * 1000));
  const b = await ask(child, { cmd: "usage" });
  const n1 = notifications;
  const live = await ask(child, { cmd: "gc" });
  await Promise.all(subs.map((s) => s.terminate()));
  await Promise.all(sessions.map((c) => c.close()));
  const seconds = (b.at - a.at) / 1000;
  const cpu = ((b.cpuUserUs + b.cpuSystemUs - a.cpuUserUs - a.cpuSystemUs) / 1e6 / seconds) * 100;
  const expected = (ITEMS * 1000) / PERIOD_MS;
  const rate = (n1 - n0) / seconds;
  return [
    { name: `${ITEMS} items @${PERIOD_MS} ms, ${SESSIONS} sessions: notifications/s`, value: round(rate, 0), unit: "/s", goal: `>= ${expected * 0.95} (every change)`, met: rate >= expected * 0.95 },
    { name: `${ITEMS} items @${PERIOD_MS} ms: server CPU (one core = 100 %)`, value: round(cpu, 1), unit: "%" },
    { name: `server resident memory, idle (${ITEMS + 60} tags, no session)`, value: round(idle.rss / 1e6, 1), unit: "MB" },
    { name: `${ITEMS} items @${PERIOD_MS} ms: server resident memory`, value: round(b.rss / 1e6, 1), unit: "MB", goal: "< 250 (whole controller)", met: b.rss < 250e6 },
    { name: `${ITEMS} items @${PERIOD_MS} ms: server V8 heap live after GC`, value: round(live.heapUsed / 1e6, 1), unit: `MB (heap ${round(b.heapTotal / 1e6, 0)} MB before GC)` },
  ];
}

async function connectCycles(child: ChildProcess, ready: Extract<FromChild, { kind: "ready" }>): Promise<BenchFigure[]> {
  const target = { endpointUrl: ready.endpointUrl, clientPkiDir: ready.clientPkiDir, config: { skid: { id: "RS-30" } } } as Parameters<typeof connect>[0];
  const cycle = async (): Promise<number> => {
    const t0 = performance.now();
    const c = await connect(target, { user: USERS.observer });
    await c.session.read({ nodeId: "i=2259", attributeId: AttributeIds.Value });
    await c.close();
    return performance.now() - t0;
  };
  for (let i = 0; i < 50; i++) await cycle(); // warm-up: caches, JIT
  const before = await ask(child, { cmd: "gc" });
  const times: number[] = [];
  for (let i = 0; i < CYCLES; i++) times.push(await cycle());
  await new Promise((r) => setTimeout(r, 500));
  const after = await ask(child, { cmd: "gc" });
  const growth = ((after.heapUsed - before.heapUsed) / before.heapUsed) * 100;
  times.sort((x, y) => x - y);
  return [
    { name: `${CYCLES} secured connect/session/disconnect cycles: heap growth after GC`, value: round(growth, 1), unit: "%", goal: "< 10", met: growth < 10 },
    { name: "secured connect + session + read + close (median)", value: round(percentile(times, 50), 1), unit: "ms" },
    { name: "secured connect + session + read + close (p99)", value: round(percentile(times, 99), 1), unit: "ms" },
  ];
}

export const bench: Bench = {
  area: "opcua",
  async run() {
    const child = fork(fileURLToPath(import.meta.url), ["--server"], { execArgv: ["--import", "tsx", "--expose-gc", ...(process.env.OPCUA_BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean)], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const ready = await new Promise<Extract<FromChild, { kind: "ready" }>>((resolve) => child.once("message", (m: FromChild) => resolve(m as Extract<FromChild, { kind: "ready" }>)));
    try {
      return [...(await subscriptionLoad(child, ready)), ...(await connectCycles(child, ready))];
    } finally {
      child.send({ cmd: "stop" } satisfies ToChild);
      await new Promise((r) => child.once("exit", r));
    }
  },
};

if (process.argv.includes("--server")) {
  await serve();
} else if (isMain(import.meta.url)) {
  for (const f of await bench.run()) {
    const goal = f.goal === undefined ? "" : `   goal ${f.goal}: ${f.met ? "met" : "NOT met"}`;
    console.log(`${f.name.padEnd(72)} ${String(f.value).padStart(10)} ${f.unit}${goal}`);
  }
}
