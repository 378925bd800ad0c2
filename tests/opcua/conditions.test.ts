// Alarms as OPC UA conditions that SCADA can work with: a limit alarm and an off-normal alarm
// raise events as the core's alarm state changes; Acknowledge, Confirm, AddComment and the
// shelving methods go through the intake (role checked, reasons mapped); ConditionRefresh
// replays what needs attention; and an acknowledgement survives a restart of the controller.
import path from "node:path";
import {
  AttributeIds,
  ClientMonitoredItem,
  ClientSubscription,
  DataType,
  MethodIds,
  ObjectIds,
  ObjectTypeIds,
  TimestampsToReturn,
  constructEventFilter,
  type Variant,
} from "node-opcua";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlarmDefinition } from "../../src/opcua/ports.js";
import { FakeAlarms } from "./fakes.js";
import { connect, startHarness, USERS, type Connected, type Harness } from "./harness.js";

const DEFS: AlarmDefinition[] = [
  { name: "AIT-403-HI", message: "Product turbidity high", severity: 700, kind: "limit", tag: "AIT-403", limits: { high: 0.2 }, maxShelveMs: 3_600_000 },
  { name: "LSL-101-LOW", message: "EQ tank low level", severity: 500, kind: "discrete", tag: "LSL-101" },
];
const FIELDS = ["EventId", "ConditionName", "SourceNode", "ActiveState.Id", "AckedState.Id", "ConfirmedState.Id", "Retain", "Severity", "Message", "Comment", "ShelvingState.CurrentState", "EventType"];

type Ev = Record<string, unknown>;

let h: Harness;
let alarms: FakeAlarms;
let op: Connected;
let sub: ClientSubscription;
const events: Ev[] = [];

async function start(dir?: string): Promise<void> {
  h = await startHarness({
    ...(dir ? { dir } : {}),
    deps: ({ intake, dir: d }) => {
      alarms = new FakeAlarms(DEFS, path.join(d, "alarms.json"));
      intake.handler = (req) => alarms.handle(req);
      return { alarms };
    },
  });
  op = await connect(h, { user: USERS.operator });
  sub = ClientSubscription.create(op.session, { requestedPublishingInterval: 50, requestedLifetimeCount: 100, requestedMaxKeepAliveCount: 10, publishingEnabled: true, maxNotificationsPerPublish: 100 });
  const item = ClientMonitoredItem.create(
    sub,
    { nodeId: ObjectIds.Server, attributeId: AttributeIds.EventNotifier },
    { queueSize: 100, samplingInterval: 0, filter: constructEventFilter(FIELDS) },
    TimestampsToReturn.Both,
  );
  item.on("changed", (fields: unknown) => {
    const vs = fields as Variant[];
    events.push(Object.fromEntries(FIELDS.map((f, i) => [f, vs[i]?.value as unknown])));
  });
  await new Promise((r) => setTimeout(r, 300));
}

async function stop(removeDir: boolean): Promise<void> {
  await sub?.terminate();
  await op?.close();
  await h?.stop(removeDir);
}

beforeAll(() => start());
afterAll(() => stop(true));

const cond = (c: Connected, name: string): string => `ns=${c.ns};s=Alarms.${name}`;

async function waitFor(pred: (e: Ev) => boolean): Promise<Ev> {
  for (let i = 0; i < 50; i++) {
    const e = [...events].reverse().find(pred);
    if (e) return e;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error("no such event");
}

async function call(c: Connected, objectId: string, methodId: number, inputArguments: Array<{ dataType: DataType; value: unknown }>): Promise<string> {
  return (await c.session.call({ objectId, methodId: `i=${methodId}`, inputArguments })).statusCode.name;
}

const acknowledge = (c: Connected, name: string, eventId: Buffer, comment: string) =>
  call(c, cond(c, name), MethodIds.AcknowledgeableConditionType_Acknowledge, [
    { dataType: DataType.ByteString, value: eventId },
    { dataType: DataType.LocalizedText, value: { text: comment } },
  ]);

describe("conditions", () => {
  it("are ExclusiveLimitAlarmType and OffNormalAlarmType, with the tag as SourceNode", async () => {
    const types = await op.session.read(DEFS.map((d) => ({ nodeId: cond(op, d.name), attributeId: AttributeIds.BrowseName })));
    expect(types.map((t) => (t.value.value as { name: string }).name)).toEqual(["AIT-403-HI", "LSL-101-LOW"]);
    const typeDef = await op.session.browse({ nodeId: cond(op, "AIT-403-HI"), referenceTypeId: "HasTypeDefinition", resultMask: 63 });
    expect(typeDef.references?.[0]?.browseName.name).toBe("ExclusiveLimitAlarmType");
    const typeDef2 = await op.session.browse({ nodeId: cond(op, "LSL-101-LOW"), referenceTypeId: "HasTypeDefinition", resultMask: 63 });
    expect(typeDef2.references?.[0]?.browseName.name).toBe("OffNormalAlarmType");
    // The limit alarm shows the limits it has, and only those.
    const high = await op.session.read({ nodeId: `${cond(op, "AIT-403-HI")}.HighLimit`, attributeId: AttributeIds.Value });
    expect(high.value.value).toBe(0.2);
    const low = await op.session.read({ nodeId: `${cond(op, "AIT-403-HI")}.LowLimit`, attributeId: AttributeIds.Value });
    expect(low.statusCode.name).toBe("BadNodeIdUnknown");
  });

  it("raise an event when the core's alarm becomes active", async () => {
    alarms.set("AIT-403-HI", { active: true, acked: false, confirmed: false, limitState: "High", value: 0.31 });
    const e = await waitFor((x) => x.ConditionName === "AIT-403-HI" && x["ActiveState.Id"] === true);
    expect(e).toMatchObject({ "AckedState.Id": false, Retain: true, Severity: 700 });
    expect(String((e.SourceNode as { toString(): string }).toString())).toBe(`ns=${op.ns};s=Tags.AIT-403`);
    expect((e.Message as { text: string }).text).toBe("Product turbidity high");
  });

  it("refuses an Observer's acknowledgement", async () => {
    const e = await waitFor((x) => x.ConditionName === "AIT-403-HI" && x["ActiveState.Id"] === true);
    const obs = await connect(h, { user: USERS.observer });
    try {
      expect(await acknowledge(obs, "AIT-403-HI", e.EventId as Buffer, "not mine")).toBe("BadUserAccessDenied");
    } finally {
      await obs.close();
    }
    expect(alarms.view("AIT-403-HI").acked).toBe(false);
  });

  it("acknowledges through the intake, with the comment and the user, and says when it already is", async () => {
    const e = await waitFor((x) => x.ConditionName === "AIT-403-HI" && x["ActiveState.Id"] === true);
    expect(await acknowledge(op, "AIT-403-HI", e.EventId as Buffer, "lab sample taken")).toBe("Good");
    const req = h.intake.requests.at(-1);
    expect(req).toMatchObject({ command: "alarm.acknowledge", user: USERS.operator.name, role: "operator", args: { alarm: "AIT-403-HI", comment: "lab sample taken" } });
    const acked = await waitFor((x) => x.ConditionName === "AIT-403-HI" && x["AckedState.Id"] === true);
    expect((acked.Comment as { text: string }).text).toBe("lab sample taken");
    expect(await acknowledge(op, "AIT-403-HI", acked.EventId as Buffer, "again")).toBe("BadConditionBranchAlreadyAcked");
    expect(await acknowledge(op, "AIT-403-HI", Buffer.from("not an event id"), "bogus")).toBe("BadEventIdUnknown");
  });

  it("confirms and takes comments", async () => {
    const e = await waitFor((x) => x.ConditionName === "AIT-403-HI" && x["AckedState.Id"] === true);
    const args = (text: string) => [
      { dataType: DataType.ByteString, value: e.EventId },
      { dataType: DataType.LocalizedText, value: { text } },
    ];
    expect(await call(op, cond(op, "AIT-403-HI"), MethodIds.ConditionType_AddComment, args("flushing line"))).toBe("Good");
    await waitFor((x) => (x.Comment as { text?: string } | undefined)?.text === "flushing line");
    expect(await call(op, cond(op, "AIT-403-HI"), MethodIds.AcknowledgeableConditionType_Confirm, args("done"))).toBe("Good");
    await waitFor((x) => x.ConditionName === "AIT-403-HI" && x["ConfirmedState.Id"] === true);
  });

  it("shelves for a time, one-shot, and unshelves, each through the intake", async () => {
    const shelving = `${cond(op, "LSL-101-LOW")}.ShelvingState`;
    alarms.set("LSL-101-LOW", { active: true, acked: false, confirmed: false });
    await waitFor((x) => x.ConditionName === "LSL-101-LOW" && x["ActiveState.Id"] === true);
    expect(await call(op, shelving, MethodIds.ShelvedStateMachineType_TimedShelve, [{ dataType: DataType.Double, value: 7_200_000 }])).toBe("Good");
    const timed = await waitFor((x) => x.ConditionName === "LSL-101-LOW" && (x["ShelvingState.CurrentState"] as { text?: string })?.text === "TimedShelved");
    expect(timed).toBeDefined();
    const left = await op.session.read({ nodeId: `${shelving}.UnshelveTime`, attributeId: AttributeIds.Value });
    expect(left.value.value as number).toBeGreaterThan(7_000_000);
    expect(await call(op, shelving, MethodIds.ShelvedStateMachineType_OneShotShelve, [])).toBe("BadConditionAlreadyShelved");
    expect(await call(op, shelving, MethodIds.ShelvedStateMachineType_Unshelve, [])).toBe("Good");
    await waitFor((x) => x.ConditionName === "LSL-101-LOW" && (x["ShelvingState.CurrentState"] as { text?: string })?.text === "Unshelved");
    expect(await call(op, shelving, MethodIds.ShelvedStateMachineType_Unshelve, [])).toBe("BadConditionNotShelved");
    expect(await call(op, shelving, MethodIds.ShelvedStateMachineType_OneShotShelve, [])).toBe("Good");
    await waitFor((x) => x.ConditionName === "LSL-101-LOW" && (x["ShelvingState.CurrentState"] as { text?: string })?.text === "OneShotShelved");
    // The limit alarm allows at most an hour.
    expect(await call(op, `${cond(op, "AIT-403-HI")}.ShelvingState`, MethodIds.ShelvedStateMachineType_TimedShelve, [{ dataType: DataType.Double, value: 7_200_000 }])).toBe("BadShelvingTimeOutOfRange");
  });

  it("replays the conditions that need attention on ConditionRefresh", async () => {
    events.length = 0;
    alarms.set("AIT-403-HI", { active: true, acked: false, confirmed: false, limitState: "High" });
    await waitFor((x) => x.ConditionName === "AIT-403-HI" && x["AckedState.Id"] === false);
    events.length = 0;
    const status = await call(op, `i=${ObjectTypeIds.ConditionType}`, MethodIds.ConditionType_ConditionRefresh, [{ dataType: DataType.UInt32, value: sub.subscriptionId }]);
    expect(status).toBe("Good");
    const typeOf = (x: Ev): unknown => (x.EventType as { value?: unknown } | undefined)?.value;
    await waitFor((x) => typeOf(x) === ObjectTypeIds.RefreshEndEventType);
    expect(typeOf(events[0] as Ev)).toBe(ObjectTypeIds.RefreshStartEventType);
    const replayed = events.filter((x) => x.ConditionName === "AIT-403-HI");
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).toMatchObject({ "ActiveState.Id": true, "AckedState.Id": false, Retain: true });
  });

  it("keeps an acknowledgement across a restart of the controller", async () => {
    const before = await op.session.read({ nodeId: `${cond(op, "LSL-101-LOW")}.AckedState.Id`, attributeId: AttributeIds.Value });
    expect(before.value.value).toBe(false);
    const e = await waitFor((x) => x.ConditionName === "LSL-101-LOW");
    expect(await acknowledge(op, "LSL-101-LOW", e.EventId as Buffer, "level switch checked")).toBe("Good");
    await waitFor((x) => x.ConditionName === "LSL-101-LOW" && x["AckedState.Id"] === true);
    const dir = h.dir;
    await stop(false);
    events.length = 0;
    await start(dir);
    const [acked, active, comment] = await op.session.read(
      ["AckedState.Id", "ActiveState.Id", "Comment"].map((p) => ({ nodeId: `${cond(op, "LSL-101-LOW")}.${p}`, attributeId: AttributeIds.Value })),
    );
    expect([acked?.value.value, active?.value.value, (comment?.value.value as { text: string }).text]).toEqual([true, true, "level switch checked"]);
  });
});
