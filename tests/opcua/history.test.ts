// HistoryRead as SCADA uses it to backfill after an outage: exactly what the store holds, in
// time order either way, paged with continuation points (per request and at the server's
// own limit), with bounding values when asked, and Minimum/Maximum/Average/Count per interval.
import {
  AggregateFunction,
  AttributeIds,
  HistoryReadRequest,
  ReadProcessedDetails,
  ReadRawModifiedDetails,
  TimestampsToReturn,
  VariableIds,
  type DataValue,
  type HistoryData,
  type HistoryReadResult,
} from "node-opcua";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Quality } from "../../src/core/quality.js";
import type { HistorySample } from "../../src/opcua/ports.js";
import { FakeHistory } from "./fakes.js";
import { connect, startHarness, USERS, type Connected, type Harness } from "./harness.js";

const T0 = Date.UTC(2025, 2, 1, 0, 0, 0);
const history = new FakeHistory();
let h: Harness;
let c: Connected;

// An hour of AIT-403 every 10 s, with a 2-minute outage (no-comm) and two samples sharing a timestamp.
const samples: Array<Omit<HistorySample, "id">> = [];
for (let i = 0; i < 360; i++) {
  const ts = T0 + i * 10_000;
  const quality: Quality = i >= 100 && i < 112 ? { code: "bad", reason: "no-comm" } : { code: "good" };
  samples.push({ ts, value: quality.code === "bad" ? null : 0.05 + (i % 7) / 100, quality });
}
samples.push({ ts: T0 + 50 * 10_000, value: 0.5, quality: { code: "uncertain", reason: "stale" } });
history.add("AIT-403", samples);

beforeAll(async () => {
  h = await startHarness({ deps: () => ({ history, maxHistoryValues: 100 }) });
  c = await connect(h, { user: USERS.observer });
});

afterAll(async () => {
  await c?.close();
  await h?.stop();
});

const nodeId = (): string => `ns=${c.ns};s=Tags.AIT-403`;

async function historyRead(details: ReadRawModifiedDetails | ReadProcessedDetails, continuationPoint?: Buffer, release = false): Promise<HistoryReadResult> {
  const res = await c.session.historyRead(
    new HistoryReadRequest({
      historyReadDetails: details,
      nodesToRead: [{ nodeId: nodeId(), ...(continuationPoint ? { continuationPoint } : {}) }],
      timestampsToReturn: TimestampsToReturn.Both,
      releaseContinuationPoints: release,
    }),
  );
  return res.results?.[0] as HistoryReadResult;
}

const values = (r: HistoryReadResult): DataValue[] => (r.historyData as HistoryData).dataValues ?? [];

/** All pages of a read, following continuation points. */
async function readAll(details: ReadRawModifiedDetails): Promise<{ pages: number; dvs: DataValue[] }> {
  let r = await historyRead(details);
  const dvs = [...values(r)];
  let pages = 1;
  while (r.continuationPoint && r.continuationPoint.length > 0) {
    r = await historyRead(details, r.continuationPoint);
    dvs.push(...values(r));
    pages++;
  }
  return { pages, dvs };
}

function asStored(dvs: DataValue[]): Array<[number, unknown, string]> {
  return dvs.map((d) => [d.sourceTimestamp?.getTime() ?? 0, d.value.value, d.statusCode.name]);
}

function expected(from: number, to: number): Array<[number, unknown, string]> {
  const names: Record<string, string> = { good: "Good", bad: "BadNoCommunication", uncertain: "UncertainLastUsableValue" };
  return history
    .all("AIT-403")
    .filter((s) => s.ts >= from && s.ts < to)
    .map((s) => [s.ts, s.value, names[s.quality.code] as string]);
}

const raw = (o: { start?: number; end?: number; n?: number; bounds?: boolean }): ReadRawModifiedDetails =>
  new ReadRawModifiedDetails({
    isReadModified: false,
    ...(o.start !== undefined ? { startTime: new Date(o.start) } : {}),
    ...(o.end !== undefined ? { endTime: new Date(o.end) } : {}),
    numValuesPerNode: o.n ?? 0,
    returnBounds: o.bounds ?? false,
  });

describe("HistoryRead raw", () => {
  it("advertises history: Historizing, AccessLevel HistoryRead, server capabilities and aggregates", async () => {
    const [historizing, access, capability, maxValues] = await c.session.read([
      { nodeId: nodeId(), attributeId: AttributeIds.Historizing },
      { nodeId: nodeId(), attributeId: AttributeIds.UserAccessLevel },
      { nodeId: VariableIds.HistoryServerCapabilities_AccessHistoryDataCapability, attributeId: AttributeIds.Value },
      { nodeId: VariableIds.HistoryServerCapabilities_MaxReturnDataValues, attributeId: AttributeIds.Value },
    ]);
    expect(historizing?.value.value).toBe(true);
    expect(Number(access?.value.value) & 0x04).toBe(0x04); // HistoryRead
    expect(capability?.value.value).toBe(true);
    expect(maxValues?.value.value).toBe(100);
    // HA Configuration says how the store logs the tag (AIT-403: history.maxInterval 60s).
    const ha = await c.session.browse({ nodeId: nodeId(), referenceTypeId: "HasHistoricalConfiguration", resultMask: 63 });
    const haId = ha.references?.[0]?.nodeId.toString() ?? "";
    const props = await c.session.browse({ nodeId: haId, referenceTypeId: "HasProperty", resultMask: 63 });
    const byName = new Map((props.references ?? []).map((r) => [r.browseName.name, r.nodeId.toString()]));
    const [maxInterval, stepped] = await c.session.read(["MaxTimeInterval", "Stepped"].map((n) => ({ nodeId: byName.get(n) ?? "", attributeId: AttributeIds.Value })));
    expect([maxInterval?.value.value, stepped?.value.value]).toEqual([60_000, false]);
  });

  it("returns exactly what the store holds, in time order, across the server's own pages", async () => {
    const from = T0 + 5 * 60_000;
    const to = T0 + 35 * 60_000;
    const { pages, dvs } = await readAll(raw({ start: from, end: to }));
    expect(asStored(dvs)).toEqual(expected(from, to));
    expect(dvs).toHaveLength(181);
    expect(pages).toBe(2); // 181 values, at most 100 per response
    // The outage is there, as it was stored: bad, no value.
    expect(dvs.filter((d) => d.statusCode.name === "BadNoCommunication").every((d) => d.value.value === null)).toBe(true);
  });

  it("pages by numValuesPerNode with continuation points", async () => {
    const { pages, dvs } = await readAll(raw({ start: T0, end: T0 + 60_000, n: 2 }));
    expect(asStored(dvs)).toEqual(expected(T0, T0 + 60_000));
    expect(pages).toBe(3);
  });

  it("reads backwards in time when the end is before the start", async () => {
    const { dvs } = await readAll(raw({ start: T0 + 60_000, end: T0 }));
    // Backwards: later first, the start (later) time included, the end excluded.
    expect(asStored(dvs)).toEqual(expected(T0 + 10_000, T0 + 60_001).reverse());
  });

  it("returns the bounding values when asked", async () => {
    const r = await historyRead(raw({ start: T0 + 15_000, end: T0 + 35_000, bounds: true }));
    expect(values(r).map((d) => d.sourceTimestamp?.getTime())).toEqual([T0 + 10_000, T0 + 20_000, T0 + 30_000, T0 + 40_000]);
    const none = await historyRead(raw({ start: T0 - 60_000, end: T0 - 30_000, bounds: true }));
    expect(values(none).map((d) => d.statusCode.name)).toEqual(["BadBoundNotFound", "Good"]);
  });

  it("answers GoodNoData for an empty interval, and releases continuation points", async () => {
    const empty = await historyRead(raw({ start: T0 - 60_000, end: T0 - 30_000 }));
    expect([empty.statusCode.name, values(empty)]).toEqual(["GoodNoData", []]);
    const first = await historyRead(raw({ start: T0, end: T0 + 600_000, n: 5 }));
    expect(first.continuationPoint?.length).toBeGreaterThan(0);
    const released = await historyRead(raw({ start: T0, end: T0 + 600_000, n: 5 }), first.continuationPoint, true);
    expect(released.statusCode.name).toBe("Good");
    const reused = await historyRead(raw({ start: T0, end: T0 + 600_000, n: 5 }), first.continuationPoint);
    expect(reused.statusCode.name).toBe("BadContinuationPointInvalid");
  });
});

describe("HistoryRead processed", () => {
  const processed = (fn: AggregateFunction, interval: number, start: number, end: number): ReadProcessedDetails =>
    new ReadProcessedDetails({
      startTime: new Date(start),
      endTime: new Date(end),
      processingInterval: interval,
      aggregateType: [fn],
      aggregateConfiguration: { useServerCapabilitiesDefaults: true },
    });

  it("computes Minimum, Maximum, Average and Count per interval; an interval without good data is BadNoData", async () => {
    const start = T0 + 15 * 60_000; // 10-minute intervals over the outage at 16:40–18:40
    const end = T0 + 45 * 60_000;
    for (const [fn, pick] of [
      [AggregateFunction.Minimum, (v: number[]) => Math.min(...v)],
      [AggregateFunction.Maximum, (v: number[]) => Math.max(...v)],
      [AggregateFunction.Average, (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length],
      [AggregateFunction.Count, (v: number[]) => v.length],
    ] as const) {
      const r = await historyRead(processed(fn, 600_000, start, end));
      const got = values(r).map((d): [number | undefined, unknown] => [d.sourceTimestamp?.getTime(), d.value.value]);
      const want = [0, 1, 2].map((k) => {
        const a = start + k * 600_000;
        const v = history.all("AIT-403").filter((s) => s.ts >= a && s.ts < a + 600_000 && s.quality.code !== "bad").map((s) => s.value as number);
        return [a, pick(v)];
      });
      expect(got).toEqual(want);
      expect(values(r).every((d) => (d.statusCode.value & 0x1f) === 1)).toBe(true); // HistorianCalculated
    }
    const gap = await historyRead(processed(AggregateFunction.Average, 60_000, T0 + 17 * 60_000, T0 + 18 * 60_000));
    expect(values(gap).map((d) => d.statusCode.name)).toEqual(["BadNoData"]);
  });

  it("refuses an aggregate it does not compute", async () => {
    const r = await historyRead(processed(AggregateFunction.Interpolative, 60_000, T0, T0 + 600_000));
    expect(r.statusCode.name).toBe("BadAggregateNotSupported");
  });
});
