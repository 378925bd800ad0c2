// HistoryRead raw (OPC 10000-11 6.4.3.2) over the store, one page at a time: the time
// domain from start, end and numValuesPerNode, forwards or backwards, and the bounding values
// when asked for them. Each page says where the next one starts, so nothing but the page is
// ever in memory.
import { DataType, DataValue, StatusCodes, Variant, type ReadRawModifiedDetails, type StatusCode } from "node-opcua";
import type { HistoryCursor, HistorySample, HistorySource } from "./ports.js";
import { statusCodeOf, variantOf, type ValueKind } from "./status.js";

/** OPC UA's "no time given" is DateTime.MinValue, 1601-01-01. */
const MIN_DATE = Date.UTC(1601, 0, 1);
export const FAR_PAST = -8.64e15;
export const FAR_FUTURE = 8.64e15;

export function isUnset(d: Date | null | undefined): boolean {
  return !d || d.getTime() <= MIN_DATE;
}

export interface RawRead {
  kind: "raw";
  tag: string;
  valueKind: ValueKind;
  /** Later data first (end before start, or only an end). */
  reverse: boolean;
  /** Forwards: from <= ts < to. Backwards: from < ts <= to. Epoch ms. */
  from: number;
  to: number;
  perPage: number;
  cursor: HistoryCursor;
  rawDone: boolean;
  /** Bounding values still to send: the time they bound, or null. */
  startBound: number | null;
  endBound: number | null;
}

/** The read a ReadRawModifiedDetails asks for, or why it cannot be served. */
export function planRawRead(tag: string, valueKind: ValueKind, d: ReadRawModifiedDetails, maxValues: number, canReverse: boolean): RawRead | StatusCode {
  if (d.isReadModified) return StatusCodes.BadHistoryOperationUnsupported; // nothing is ever modified
  const n = d.numValuesPerNode;
  const hasStart = !isUnset(d.startTime);
  const hasEnd = !isUnset(d.endTime);
  const start = d.startTime?.getTime() ?? 0;
  const end = d.endTime?.getTime() ?? 0;
  // At least two of start, end and numValuesPerNode (6.4.3.2).
  if ((!hasStart && !hasEnd) || ((!hasStart || !hasEnd) && n === 0)) return StatusCodes.BadInvalidTimestampArgument;
  const reverse = !hasStart || (hasEnd && end < start);
  if (reverse && !canReverse) return StatusCodes.BadHistoryOperationUnsupported;
  const perPage = n > 0 ? Math.min(n, maxValues) : maxValues;
  const bounds = d.returnBounds;
  if (reverse) {
    const to = hasStart ? start : end;
    const from = hasStart && hasEnd ? end : FAR_PAST;
    return {
      kind: "raw", tag, valueKind, reverse, from, to, perPage,
      cursor: { ts: to, id: Number.MAX_SAFE_INTEGER },
      rawDone: false,
      startBound: bounds && hasStart ? to : null,
      endBound: bounds && hasStart && hasEnd ? from : null,
    };
  }
  // Start equal to end asks for the value at that instant (time then flows forward).
  const to = hasEnd ? (end === start ? end + 1 : end) : FAR_FUTURE;
  return {
    kind: "raw", tag, valueKind, reverse, from: start, to, perPage,
    cursor: { ts: start, id: -1 },
    rawDone: false,
    startBound: bounds ? start : null,
    endBound: bounds && hasEnd ? end : null,
  };
}

function dataValue(kind: ValueKind, s: HistorySample): DataValue {
  const ts = new Date(s.ts);
  return new DataValue({ value: variantOf(kind, s.value, s.quality), statusCode: statusCodeOf(s.quality), sourceTimestamp: ts, serverTimestamp: ts });
}

function notFound(t: number): DataValue {
  const ts = new Date(t);
  return new DataValue({ value: new Variant({ dataType: DataType.Null }), statusCode: StatusCodes.BadBoundNotFound, sourceTimestamp: ts, serverTimestamp: ts });
}

async function first(src: HistorySource, tag: string, from: number, to: number): Promise<HistorySample | undefined> {
  return (await src.historyRaw(tag, from, to, { limit: 1 })).rows[0];
}

async function last(src: HistorySource, tag: string, from: number, to: number): Promise<HistorySample | undefined> {
  return src.historyRawReverse ? (await src.historyRawReverse(tag, from, to, { limit: 1 })).rows[0] : undefined;
}

/**
 * The bound at the start of the domain: undefined when a raw value sits exactly there (it is
 * its own bound), else the nearest value outside the domain, or BadBoundNotFound.
 */
async function startBound(src: HistorySource, r: RawRead, t: number): Promise<DataValue | undefined> {
  if (await first(src, r.tag, t, t + 1)) return undefined;
  const s = r.reverse ? await first(src, r.tag, t + 1, FAR_FUTURE) : await last(src, r.tag, FAR_PAST, t - 1);
  return s ? dataValue(r.valueKind, s) : notFound(t);
}

/** The bound at the end: the value at the end time (outside the raw domain) or the nearest beyond it. */
async function endBound(src: HistorySource, r: RawRead, t: number): Promise<DataValue> {
  const s = r.reverse ? await last(src, r.tag, FAR_PAST, t) : await first(src, r.tag, t, FAR_FUTURE);
  return s ? dataValue(r.valueKind, s) : notFound(t);
}

/** One page of at most perPage values (bounds included), and the read's state for the next one. */
export async function rawPage(src: HistorySource, r: RawRead): Promise<{ values: DataValue[]; next: RawRead | null }> {
  const values: DataValue[] = [];
  let state = { ...r };
  let budget = r.perPage;
  if (state.startBound !== null) {
    const b = await startBound(src, state, state.startBound);
    if (b) {
      values.push(b);
      budget--;
    }
    state.startBound = null;
  }
  if (!state.rawDone && budget > 0) {
    // One row more than fits tells whether more follow, so the last page is never an empty one.
    const limit = budget + 1;
    const page = state.reverse
      ? await (src.historyRawReverse as NonNullable<HistorySource["historyRawReverse"]>)(state.tag, state.from, state.to, { limit, before: state.cursor })
      : await src.historyRaw(state.tag, state.from, state.to, { limit, after: state.cursor });
    const rows = page.rows.slice(0, budget);
    for (const s of rows) values.push(dataValue(state.valueKind, s));
    budget -= rows.length;
    const lastRow = rows[rows.length - 1];
    state = page.rows.length > rows.length && lastRow ? { ...state, cursor: { ts: lastRow.ts, id: lastRow.id } } : { ...state, rawDone: true };
  }
  if (state.rawDone && state.endBound !== null && budget > 0) {
    values.push(await endBound(src, state, state.endBound));
    state.endBound = null;
  }
  return { values, next: state.rawDone && state.endBound === null ? null : state };
}
