// The skid as SCADA sees it: stable NodeIds, units and ranges, StatusCodes that follow the
// tags' quality with the field's timestamps, subscriptions, the interlock, device, totals
// and setpoint folders, and commands that go through the intake and say why they failed.
import {
  AttributeIds,
  BrowseDirection,
  ClientMonitoredItem,
  ClientSubscription,
  DataType,
  NodeClass,
  TimestampsToReturn,
  type ClientSession,
  type DataValue,
} from "node-opcua";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECLAIM_UNITS_NAMESPACE } from "../../src/opcua/units.js";
import { connect, startHarness, USERS, type Connected, type Harness } from "./harness.js";

let h: Harness;
let op: Connected;

beforeAll(async () => {
  h = await startHarness();
  op = await connect(h, { user: USERS.operator });
});

afterAll(async () => {
  await op?.close();
  await h?.stop();
});

const id = (c: Connected, path: string): string => `ns=${c.ns};s=${path}`;

async function read(session: ClientSession, nodeId: string, attributeId = AttributeIds.Value): Promise<DataValue> {
  return session.read({ nodeId, attributeId }, 0);
}

/** Every NodeId below the skid, depth first, with its browse path. */
async function tree(c: Connected, nodeId: string, prefix = ""): Promise<string[]> {
  const r = await c.session.browse({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: "HierarchicalReferences", includeSubtypes: true, resultMask: 63 });
  const out: string[] = [];
  for (const ref of r.references ?? []) {
    if (ref.nodeId.namespace !== c.ns) continue;
    const p = `${prefix}${ref.browseName.name}`;
    out.push(`${p} ${ref.nodeId.toString()}`);
    if (Number(ref.nodeClass) !== Number(NodeClass.Method)) out.push(...(await tree(c, ref.nodeId.toString(), `${p}/`)));
  }
  return out;
}

describe("address space", () => {
  it("names every node by its browse path below the skid (ns=urn:reclaim:<skid>, s=<path joined by dots>)", async () => {
    expect(op.ns).toBe(2);
    const nodes = await tree(op, id(op, h.config.skid.id));
    for (const n of nodes) {
      const [p, nodeId] = n.split(" ");
      expect(nodeId).toBe(`ns=2;s=${(p ?? "").replace(/\//g, ".")}`);
    }
    expect(nodes).toEqual(expect.arrayContaining(["Tags/AIT-403 ns=2;s=Tags.AIT-403", "Interlocks/CCP-1/InSpec ns=2;s=Interlocks.CCP-1.InSpec", "Devices/rio-1/Online ns=2;s=Devices.rio-1.Online"]));
  });

  it("gives analog tags their UNECE unit and range, and custom units a namespace of their own", async () => {
    const eu = (await read(op.session, id(op, "Tags.AIT-302.EngineeringUnits"))).value.value as { unitId: number; displayName: { text: string }; namespaceUri: string };
    expect(eu).toMatchObject({ unitId: 0x473432, displayName: { text: "µS/cm" }, namespaceUri: "http://www.opcfoundation.org/UA/units/un/cefact" });
    const ntu = (await read(op.session, id(op, "Tags.AIT-403.EngineeringUnits"))).value.value as typeof eu;
    expect(ntu).toMatchObject({ unitId: 1, displayName: { text: "NTU" }, namespaceUri: RECLAIM_UNITS_NAMESPACE });
    const range = (await read(op.session, id(op, "Tags.AIT-403.EURange"))).value.value as { low: number; high: number };
    expect([range.low, range.high]).toEqual([0, 10]);
    const typeDef = await op.session.browse({ nodeId: id(op, "Tags.P-202"), referenceTypeId: "HasTypeDefinition", resultMask: 63 });
    expect(typeDef.references?.[0]?.browseName.name).toBe("TwoStateDiscreteType");
    expect((await read(op.session, id(op, "Tags.P-202"))).value.dataType).toBe(DataType.Boolean);
  });

  it("shows State and StateCurrent (PackML name and number), Mode and QualityMode", async () => {
    h.source.setStatus({ state: "Held", qualityMode: "Divert" });
    const [state, num, mode, qm] = await op.session.read(["State", "StateCurrent", "Mode", "QualityMode"].map((p) => ({ nodeId: id(op, p), attributeId: AttributeIds.Value })));
    expect([state?.value.value, num?.value.value, mode?.value.value, qm?.value.value]).toEqual(["Held", 11, "Production", "Divert"]);
    h.source.setStatus({ state: "Execute", qualityMode: "Reuse" });
  });

  it("follows the tag's quality: BadNoCommunication with a null value, SourceTimestamp = time read from the field", async () => {
    const readAt = Date.UTC(2025, 5, 1, 12, 0, 0);
    h.source.setTag("AIT-401", 0.93, { code: "bad", reason: "no-comm", detail: "analyzer-1 offline" }, readAt);
    const dv = await op.session.read({ nodeId: id(op, "Tags.AIT-401"), attributeId: AttributeIds.Value }, 0);
    expect(dv.statusCode.name).toBe("BadNoCommunication");
    expect(dv.value.value).toBeNull();
    expect(dv.sourceTimestamp?.getTime()).toBe(readAt);
    h.source.setTag("AIT-401", 1.1, { code: "uncertain", reason: "stale" }, readAt + 1000);
    const dv2 = await read(op.session, id(op, "Tags.AIT-401"));
    expect([dv2.statusCode.name, dv2.value.value]).toEqual(["UncertainLastUsableValue", 1.1]);
    h.source.setTag("AIT-401", 1.0, { code: "bad", reason: "hold" }, readAt + 2000);
    expect((await read(op.session, id(op, "Tags.AIT-401"))).statusCode.name).toBe("BadOutOfService");
  });

  it("notifies a subscription of each change", async () => {
    const sub = ClientSubscription.create(op.session, { requestedPublishingInterval: 50, maxNotificationsPerPublish: 100, publishingEnabled: true, requestedLifetimeCount: 100, requestedMaxKeepAliveCount: 10 });
    const seen: unknown[] = [];
    const item = ClientMonitoredItem.create(sub, { nodeId: id(op, "Tags.LIT-101"), attributeId: AttributeIds.Value }, { samplingInterval: 0, queueSize: 10, discardOldest: true }, TimestampsToReturn.Both);
    item.on("changed", (dv: DataValue) => seen.push(dv.value.value));
    await new Promise((r) => setTimeout(r, 200));
    for (const v of [40, 41, 42]) {
      h.source.setTag("LIT-101", v, { code: "good" }, Date.now());
      await new Promise((r) => setTimeout(r, 80));
    }
    await new Promise((r) => setTimeout(r, 200));
    await sub.terminate();
    expect(seen.slice(-3)).toEqual([40, 41, 42]);
  });

  it("explains the interlocks: InSpec, Value, limits, Tripped and FirstOut", async () => {
    h.source.interlocks$.next({ "CCP-1": { status: "off-spec", value: 0.62, quality: { code: "good" }, sourceTs: Date.UTC(2025, 0, 2), reason: "AIT-403 0.62 > 0.5 for 10 s" } });
    h.source.setStatus({ firstOut: "CCP-1", qualityMode: "Divert" });
    const paths = ["InSpec", "Value", "Tripped", "FirstOut", "CriticalLimit", "AlertLimit", "Reason"].map((p) => `Interlocks.CCP-1.${p}`);
    const [inSpec, value, tripped, firstOut, critical, alert, reason] = await op.session.read(paths.map((p) => ({ nodeId: id(op, p), attributeId: AttributeIds.Value })));
    expect([inSpec?.value.value, value?.value.value, tripped?.value.value, firstOut?.value.value]).toEqual([false, 0.62, true, true]);
    expect((critical?.value.value as { high: number }).high).toBe(0.5);
    expect((alert?.value.value as { low: number }).low).toBe(-Infinity);
    expect(reason?.value.value).toMatch(/0\.62 > 0\.5/);
    const ccp2 = await read(op.session, id(op, "Interlocks.CCP-2.FirstOut"));
    expect(ccp2.value.value).toBe(false);
  });

  it("shows device health, totals and setpoints", async () => {
    h.source.devices$.next({ device: "rio-1", online: false, responseMs: null, errorCount: 7, lastError: "no answer in 200 ms" });
    const [online, errors, last, resp, a1] = await op.session.read(
      ["Devices.rio-1.Online", "Devices.rio-1.ErrorCount", "Devices.rio-1.LastError", "Devices.rio-1.ResponseMs", "Devices.analyzer-1.ResponseMs"].map((p) => ({ nodeId: id(op, p), attributeId: AttributeIds.Value })),
    );
    expect([online?.value.value, errors?.value.value, last?.value.value, resp?.statusCode.name, a1?.value.value]).toEqual([false, 7, "no answer in 200 ms", "BadNoCommunication", 12.5]);
    expect((await read(op.session, id(op, "Totals.ProductVolume"))).value.value).toBe(1234.5);
    expect((await read(op.session, id(op, "Setpoints.ProductFlow"))).value.value).toBe(25);
  });
});

describe("commands", () => {
  const write = (c: Connected, path: string, value: number) =>
    c.session.write({ nodeId: id(c, path), attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value } } });
  const call = async (c: Connected, method: string) =>
    (await c.session.call({ objectId: id(c, h.config.skid.id), methodId: id(c, method), inputArguments: [] })).statusCode.name;

  it("calls a PackML method as an Operator through the intake", async () => {
    h.intake.requests.length = 0;
    expect(await call(op, "Start")).toBe("Good");
    expect(await call(op, "ResetDivert")).toBe("Good");
    expect(h.intake.requests.map((r) => ({ source: r.source, user: r.user, role: r.role, command: r.command }))).toEqual([
      { source: "opcua", user: USERS.operator.name, role: "operator", command: "Start" },
      { source: "opcua", user: USERS.operator.name, role: "operator", command: "ResetDivert" },
    ]);
  });

  it("says why the intake refused: state, role, range, unknown", async () => {
    const answers = { state: "BadInvalidState", role: "BadUserAccessDenied", range: "BadOutOfRange", unknown: "BadNotSupported" } as const;
    for (const [code, status] of Object.entries(answers)) {
      h.intake.handler = () => ({ ok: false, code: code as keyof typeof answers, message: `refused: ${code}` });
      expect(await call(op, "Hold")).toBe(status);
    }
    h.intake.handler = () => ({ ok: true });
  });

  it("refuses an Observer's write and method call without asking the intake", async () => {
    const obs = await connect(h, { user: USERS.observer });
    try {
      h.intake.requests.length = 0;
      expect((await write(obs, "Setpoints.ProductFlow", 20)).name).toBe("BadUserAccessDenied");
      expect(await call(obs, "Stop")).toBe("BadUserAccessDenied");
      expect(h.intake.requests).toHaveLength(0);
    } finally {
      await obs.close();
    }
  });

  it("checks setpoint writes: type, range, the setpoint's role, then the intake", async () => {
    h.intake.requests.length = 0;
    expect((await write(op, "Setpoints.ProductFlow", 31)).name).toBe("BadOutOfRange");
    expect((await op.session.write({ nodeId: id(op, "Setpoints.ProductFlow"), attributeId: AttributeIds.Value, value: { value: { dataType: DataType.String, value: "20" } } })).name).toBe("BadTypeMismatch");
    expect((await write(op, "Setpoints.VerificationTime", 600)).name).toBe("BadUserAccessDenied");
    expect((await write(op, "Setpoints.ProductFlow", 20)).name).toBe("Good");
    expect(h.intake.requests.map((r) => [r.command, r.args])).toEqual([["setpoint", { name: "ProductFlow", value: 20 }]]);
    expect((await read(op.session, id(op, "Setpoints.ProductFlow"))).value.value).toBe(20);
    const eng = await connect(h, { user: USERS.engineer });
    try {
      expect((await write(eng, "Setpoints.VerificationTime", 600)).name).toBe("Good");
    } finally {
      await eng.close();
    }
  });
});

describe("stability", () => {
  it("keeps every NodeId and the namespace index across a restart with the same config", async () => {
    const before = await tree(op, id(op, h.config.skid.id));
    await op.close();
    await h.stop(false);
    h = await startHarness({ dir: h.dir });
    op = await connect(h, { user: USERS.operator });
    expect(op.ns).toBe(2);
    expect(await tree(op, id(op, h.config.skid.id))).toEqual(before);
  });
});
