// Historical Access (OPC 10000-11) on the tags, served from the store: HistoryRead raw, in
// time order either way, and processed Minimum/Maximum/Average/Count per interval, paged
// with continuation points so that a SCADA backfilling a week after a network outage never
// makes the controller load the week into memory. node-opcua's own historian keeps values
// in memory; it is installed only for the standard parts (HA Configuration, Historizing,
// AccessLevel) and its read is replaced by one that pages through the store.
import { randomBytes } from "node:crypto";
import {
  AggregateFunction,
  DataValue,
  HistoryData,
  HistoryReadResult,
  PermissionType,
  ReadProcessedDetails,
  ReadRawModifiedDetails,
  StatusCode,
  StatusCodes,
  Variant,
  DataType,
  coerceNodeId,
  NodeClass,
  type AddressSpace,
  type BaseNode,
  type ISessionContext,
  type UAObject,
  type UAVariable,
} from "node-opcua";
import type { Logger } from "../system/log.js";
import type { TagNode } from "./model.js";
import { isUnset, planRawRead, rawPage, type RawRead } from "./history-raw.js";
import type { HistorySource } from "./ports.js";
import type { ValueKind } from "./status.js";

const AGGREGATES = new Map<string, "min" | "max" | "avg" | "count">([
  [coerceNodeId(AggregateFunction.Minimum).toString(), "min"],
  [coerceNodeId(AggregateFunction.Maximum).toString(), "max"],
  [coerceNodeId(AggregateFunction.Average).toString(), "avg"],
  [coerceNodeId(AggregateFunction.Count).toString(), "count"],
]);
export const SUPPORTED_AGGREGATES = [AggregateFunction.Minimum, AggregateFunction.Maximum, AggregateFunction.Average, AggregateFunction.Count];

type Pending =
  | RawRead
  | { kind: "processed"; tag: string; fn: "min" | "max" | "avg" | "count"; from: number; to: number; interval: number; next: number; reverse: boolean };

export interface HistoryOptions {
  /** Most values in one response (also HistoryServerCapabilities.MaxReturnDataValues). */
  maxValues: number;
  /** Continuation points kept per session; the oldest is freed for a new one (Part 4 7.9). */
  maxContinuationPoints: number;
  log: Logger;
}

function result(statusCode: StatusCode, dataValues: DataValue[] = [], continuationPoint?: Buffer): HistoryReadResult {
  return new HistoryReadResult({ statusCode, historyData: new HistoryData({ dataValues }), ...(continuationPoint ? { continuationPoint } : {}) });
}

export class HistoryService {
  private readonly bySession = new WeakMap<object, Map<string, Pending>>();
  private readonly inProcess = new Map<string, Pending>();

  constructor(
    private readonly source: HistorySource,
    private readonly opts: HistoryOptions,
  ) {}

  /** Makes each tag variable historizing and serves its HistoryRead from the store. */
  install(addressSpace: AddressSpace, tags: ReadonlyMap<string, TagNode>): void {
    // Values are recorded by the store, not by node-opcua; this historian keeps nothing.
    const historian = { push: () => Promise.resolve(), extractDataValues: (...a: unknown[]) => (a[4] as (e: null, v: DataValue[]) => void)(null, []) };
    for (const [tag, n] of tags) {
      addressSpace.installHistoricalDataNode(n.node, { historian });
      this.describe(n);
      const read = (context: ISessionContext, details: unknown, _range: unknown, _enc: unknown, cont: { continuationPoint?: Buffer | null; releaseContinuationPoints?: boolean }, cb?: (err: Error | null, r?: HistoryReadResult) => void) => {
        const p = this.read(n.node, tag, n.kind, context, details, cont).catch((err: unknown) => {
          this.opts.log.error({ err, tag }, "HistoryRead failed");
          return result(StatusCodes.BadHistoryOperationInvalid);
        });
        if (!cb) return p;
        void p.then((r) => cb(null, r));
        return undefined;
      };
      Object.assign(n.node, { historyRead: read });
    }
  }

  /** The "HA Configuration" of a tag tells how the store logs it (tags[].history, store/history-policy.ts). */
  private describe(n: TagNode): void {
    const ha = n.node.findReferencesAsObject("HasHistoricalConfiguration", true)[0] as UAObject | undefined;
    const set = (node: BaseNode | null | undefined, dataType: DataType, value: number | boolean): void => {
      if (node && node.nodeClass === NodeClass.Variable) (node as UAVariable).setValueFromSource({ dataType, value });
    };
    set(ha?.getChildByName("Stepped"), DataType.Boolean, n.kind === "bool");
    // The store's policy defaults: every change, and at least once a minute.
    set(ha?.getChildByName("MaxTimeInterval"), DataType.Double, n.cfg.history?.maxInterval ?? 60_000);
    set(ha?.getChildByName("MinTimeInterval"), DataType.Double, n.cfg.history?.minInterval ?? 0);
    // The store's aggregates leave out Bad samples only, so Uncertain ones count (Part 13 4.2.1.2).
    const aggregate = ha?.getChildByName("AggregateConfiguration") as UAObject | null | undefined;
    set(aggregate?.getChildByName("TreatUncertainAsBad"), DataType.Boolean, false);
  }

  private points(context: ISessionContext): Map<string, Pending> {
    const session = context.session as object | undefined;
    if (!session) return this.inProcess;
    let m = this.bySession.get(session);
    if (!m) this.bySession.set(session, (m = new Map<string, Pending>()));
    return m;
  }

  private park(context: ISessionContext, p: Pending): Buffer {
    const m = this.points(context);
    while (m.size >= this.opts.maxContinuationPoints) m.delete(m.keys().next().value as string);
    const cp = randomBytes(16);
    m.set(cp.toString("hex"), p);
    return cp;
  }

  async read(
    node: UAVariable,
    tag: string,
    valueKind: ValueKind,
    context: ISessionContext,
    details: unknown,
    cont: { continuationPoint?: Buffer | null; releaseContinuationPoints?: boolean },
  ): Promise<HistoryReadResult> {
    if (!context.checkPermission(node, PermissionType.ReadHistory)) return result(StatusCodes.BadUserAccessDenied);
    const points = this.points(context);
    if (cont.continuationPoint && cont.continuationPoint.length > 0) {
      const key = cont.continuationPoint.toString("hex");
      const pending = points.get(key);
      points.delete(key);
      if (!pending || pending.tag !== tag) return result(StatusCodes.BadContinuationPointInvalid);
      if (cont.releaseContinuationPoints) return result(StatusCodes.Good);
      return this.serve(context, pending);
    }
    if (cont.releaseContinuationPoints) return result(StatusCodes.Good);
    if (details instanceof ReadRawModifiedDetails) return this.startRaw(context, tag, valueKind, details);
    if (details instanceof ReadProcessedDetails) return this.startProcessed(context, tag, details);
    return result(StatusCodes.BadHistoryOperationUnsupported);
  }

  private startRaw(context: ISessionContext, tag: string, valueKind: ValueKind, d: ReadRawModifiedDetails): Promise<HistoryReadResult> | HistoryReadResult {
    const plan = planRawRead(tag, valueKind, d, this.opts.maxValues, this.source.historyRawReverse !== undefined);
    return plan instanceof StatusCode ? result(plan) : this.serve(context, plan);
  }

  private startProcessed(context: ISessionContext, tag: string, d: ReadProcessedDetails): Promise<HistoryReadResult> | HistoryReadResult {
    const fnId = d.aggregateType?.[0];
    const fn = fnId ? AGGREGATES.get(fnId.toString()) : undefined;
    if (!fn) return result(StatusCodes.BadAggregateNotSupported);
    if (isUnset(d.startTime) || isUnset(d.endTime)) return result(StatusCodes.BadInvalidTimestampArgument);
    const a = (d.startTime as Date).getTime();
    const b = (d.endTime as Date).getTime();
    const [from, to] = a <= b ? [a, b] : [b, a];
    if (from === to) return result(StatusCodes.GoodNoData);
    // ProcessingInterval 0: one interval over the whole range (Part 11 6.4.4).
    const interval = d.processingInterval > 0 ? d.processingInterval : to - from;
    return this.serve(context, { kind: "processed", tag, fn, from, to, interval, next: a <= b ? from : to, reverse: a > b });
  }

  private async serve(context: ISessionContext, p: Pending): Promise<HistoryReadResult> {
    return p.kind === "raw" ? this.serveRaw(context, p) : this.serveProcessed(context, p);
  }

  private async serveRaw(context: ISessionContext, p: RawRead): Promise<HistoryReadResult> {
    const { values, next } = await rawPage(this.source, p);
    if (next) return result(StatusCodes.Good, values, this.park(context, next));
    return result(values.length > 0 ? StatusCodes.Good : StatusCodes.GoodNoData, values);
  }

  private async serveProcessed(context: ISessionContext, p: Extract<Pending, { kind: "processed" }>): Promise<HistoryReadResult> {
    // One page covers at most maxValues intervals.
    const span = p.interval * this.opts.maxValues;
    const [pageFrom, pageTo] = p.reverse ? [Math.max(p.from, p.next - span), p.next] : [p.next, Math.min(p.to, p.next + span)];
    // Intervals are aligned on the request's start (Part 13 5.3), also when paging backwards.
    const alignedFrom = p.reverse ? p.from + Math.floor((pageFrom - p.from) / p.interval) * p.interval : pageFrom;
    const buckets = await this.source.historyAggregate(p.tag, alignedFrom, pageTo, p.interval);
    const byStart = new Map(buckets.map((b) => [b.start, b]));
    const values: DataValue[] = [];
    const calculated = StatusCode.makeStatusCode(StatusCodes.Good, "HistorianCalculated");
    for (let t = alignedFrom; t < pageTo; t += p.interval) {
      const b = byStart.get(t);
      const ts = new Date(t);
      if (!b) {
        values.push(new DataValue({ value: new Variant({ dataType: DataType.Null }), statusCode: StatusCodes.BadNoData, sourceTimestamp: ts, serverTimestamp: ts }));
        continue;
      }
      const value = p.fn === "count" ? new Variant({ dataType: DataType.Int32, value: b.count }) : new Variant({ dataType: DataType.Double, value: b[p.fn] });
      values.push(new DataValue({ value, statusCode: calculated, sourceTimestamp: ts, serverTimestamp: ts }));
    }
    if (p.reverse) values.reverse();
    const done = p.reverse ? alignedFrom <= p.from : pageTo >= p.to;
    if (done) return result(values.length > 0 ? StatusCodes.Good : StatusCodes.GoodNoData, values);
    const cp = this.park(context, { ...p, next: p.reverse ? alignedFrom : pageTo });
    return result(StatusCodes.Good, values, cp);
  }
}
