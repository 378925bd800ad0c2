// A tag's quality as an OPC UA StatusCode (OPC 10000-4 7.39, OPC 10000-8 6.3), and the
// DataValue a variable shows: the value is null whenever the status is Bad, and the
// SourceTimestamp is the time the value was read from the field.
import { DataType, StatusCodes, Variant, type StatusCode } from "node-opcua";
import type { Quality, QualityReason, TagValue } from "../core/quality.js";

function badCode(reason: QualityReason | undefined): StatusCode {
  switch (reason) {
    case "no-comm":
    case "stale":
    case "last-usable":
      return StatusCodes.BadNoCommunication;
    case "device-failure":
    case "warning":
      return StatusCodes.BadDeviceFailure;
    case "sensor-failure":
    case "flatline":
      return StatusCodes.BadSensorFailure;
    case "hold":
    case "forced":
      // An analyzer in calibration is not broken, it is out of service (Part 4 Table 181).
      return StatusCodes.BadOutOfService;
    case "out-of-range":
      return StatusCodes.BadOutOfRange;
    case "not-yet-read":
      return StatusCodes.BadWaitingForInitialData;
    case "config":
    case undefined:
      return StatusCodes.BadConfigurationError;
  }
}

function uncertainCode(reason: QualityReason | undefined): StatusCode {
  switch (reason) {
    case "stale":
    case "last-usable":
    case "no-comm":
      return StatusCodes.UncertainLastUsableValue;
    case "warning":
    case "sensor-failure":
    case "flatline":
    case "hold":
      return StatusCodes.UncertainSensorNotAccurate;
    case "out-of-range":
      return StatusCodes.UncertainEngineeringUnitsExceeded;
    case "forced":
      return StatusCodes.UncertainSubstituteValue;
    case "not-yet-read":
      return StatusCodes.UncertainInitialValue;
    case "device-failure":
    case "config":
    case undefined:
      return StatusCodes.Uncertain;
  }
}

/** OPC UA StatusCode for a tag quality. */
export function statusCodeOf(q: Quality): StatusCode {
  switch (q.code) {
    case "good":
      return q.reason === "forced" ? StatusCodes.GoodLocalOverride : StatusCodes.Good;
    case "uncertain":
      return uncertainCode(q.reason);
    case "bad":
      return badCode(q.reason);
  }
}

export type ValueKind = "analog" | "bool" | "string";

/** The variant of a value of this kind; Null when the status is Bad or there is no value. */
export function variantOf(kind: ValueKind, value: TagValue, q: Quality): Variant {
  if (q.code === "bad" || value === null) return new Variant({ dataType: DataType.Null });
  switch (kind) {
    case "bool":
      return new Variant({ dataType: DataType.Boolean, value: value === true || value === 1 });
    case "string":
      return new Variant({ dataType: DataType.String, value: String(value) });
    case "analog": {
      const n = typeof value === "number" ? value : Number(value);
      return Number.isFinite(n) ? new Variant({ dataType: DataType.Double, value: n }) : new Variant({ dataType: DataType.Null });
    }
  }
}

/** Arguments for UAVariable.setValueFromSource: variant, status, source timestamp. */
export function sourceValue(kind: ValueKind, value: TagValue, q: Quality, sourceTs: number, now: () => number = Date.now): [Variant, StatusCode, Date] {
  // Never read: the status is what was determined, and it was determined now.
  return [variantOf(kind, value, q), statusCodeOf(q), new Date(sourceTs > 0 ? sourceTs : now())];
}
