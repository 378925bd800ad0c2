// The parts of the skid object that explain its behaviour: Interlocks/<CCP>/ (in spec, value,
// limits, tripped, first-out), Devices/<name>/ (field device health) and Totals/. Each is
// fed from its own stream of the source; a part the source does not provide still has its
// nodes (stable NodeIds), showing BadWaitingForInitialData.
import { DataType, Range, type ExtensionObject, StatusCodes, Variant, type Namespace, type UAObject, type UAVariable } from "node-opcua";
import type { CcpConfig, Config } from "../config/schema.js";
import { addAnalog, setReading } from "./model.js";
import type { DeviceReading, InterlockReading, OpcuaSource, SkidStatus, TotalDef, TotalReading, Unsubscribable } from "./ports.js";

const NOT_YET = StatusCodes.BadWaitingForInitialData;

function waiting(...nodes: UAVariable[]): void {
  for (const n of nodes) n.setValueFromSource(new Variant({ dataType: DataType.Null }), NOT_YET);
}

function rangeOf(limit: { low?: number | undefined; high?: number | undefined }): ExtensionObject {
  // A one-sided limit is a range open on the other side (Part 8 Range allows infinite bounds).
  return new Range({ low: limit.low ?? -Infinity, high: limit.high ?? Infinity });
}

interface InterlockNodes {
  cfg: CcpConfig;
  inSpec: UAVariable;
  value: UAVariable;
  tripped: UAVariable;
  firstOut: UAVariable;
  status: UAVariable;
  reason: UAVariable;
}

function addInterlock(ns: Namespace, folder: UAObject, config: Config, c: CcpConfig): InterlockNodes {
  const obj = ns.addObject({ componentOf: folder, browseName: c.name, ...(c.description ? { description: c.description } : {}) });
  const tag = config.tags.find((t) => t.name === c.tag);
  const bool = (name: string, description: string): UAVariable =>
    ns.addVariable({ componentOf: obj, browseName: name, dataType: "Boolean", description, minimumSamplingInterval: 0 });
  const text = (name: string, description: string): UAVariable => ns.addVariable({ componentOf: obj, browseName: name, dataType: "String", description });
  const limit = (name: string, l: CcpConfig["alert"]): void => {
    ns.addVariable({ componentOf: obj, browseName: name, dataType: "Range", value: { dataType: DataType.ExtensionObject, value: rangeOf(l) } });
  };
  const nodes: InterlockNodes = {
    cfg: c,
    inSpec: bool("InSpec", "good and inside the critical limits"),
    value: addAnalog(ns, obj, { browseName: "Value", description: `${c.tag}, as the interlock reads it`, unit: tag?.unit ?? "", ...(tag?.range ? { range: tag.range } : {}) }),
    tripped: bool("Tripped", "past a critical limit for the delay, or the input is not good: the product is diverted"),
    firstOut: bool("FirstOut", "the first CCP to trip since the last divert reset"),
    status: text("Status", "in-spec, alert, pending or off-spec"),
    reason: text("Reason", "why the CCP is off-spec, in words"),
  };
  limit("AlertLimit", c.alert);
  limit("CriticalLimit", c.critical);
  ns.addVariable({ propertyOf: obj, browseName: "Tag", dataType: "String", value: { dataType: DataType.String, value: c.tag } });
  ns.addVariable({ propertyOf: obj, browseName: "Delay", dataType: "Duration", value: { dataType: DataType.Double, value: c.delay } });
  waiting(nodes.inSpec, nodes.tripped, nodes.status, nodes.reason);
  return nodes;
}

function setInterlock(n: InterlockNodes, r: InterlockReading): void {
  const ts = new Date(r.sourceTs > 0 ? r.sourceTs : Date.now());
  // The verdict is certain even when the input is bad (fail safe: off-spec), so it is Good.
  n.inSpec.setValueFromSource({ dataType: DataType.Boolean, value: r.status === "in-spec" || r.status === "alert" }, StatusCodes.Good, ts);
  n.tripped.setValueFromSource({ dataType: DataType.Boolean, value: r.status === "off-spec" }, StatusCodes.Good, ts);
  n.status.setValueFromSource({ dataType: DataType.String, value: r.status }, StatusCodes.Good, ts);
  n.reason.setValueFromSource({ dataType: DataType.String, value: r.reason ?? "" }, StatusCodes.Good, ts);
  setReading(n.value, "analog", { value: r.value, quality: r.quality, sourceTs: r.sourceTs });
}

interface DeviceNodes {
  online: UAVariable;
  responseMs: UAVariable;
  errorCount: UAVariable;
  lastError: UAVariable;
}

function setDevice(n: DeviceNodes, d: DeviceReading): void {
  n.online.setValueFromSource({ dataType: DataType.Boolean, value: d.online });
  if (d.responseMs === null) n.responseMs.setValueFromSource(new Variant({ dataType: DataType.Null }), StatusCodes.BadNoCommunication);
  else n.responseMs.setValueFromSource({ dataType: DataType.Double, value: d.responseMs });
  n.errorCount.setValueFromSource({ dataType: DataType.UInt32, value: d.errorCount });
  n.lastError.setValueFromSource({ dataType: DataType.String, value: d.lastError ?? "" });
}

/** Interlocks/, Devices/ and Totals/ under the skid; returns their subscriptions. */
export function buildDiagnostics(ns: Namespace, skid: UAObject, config: Config, source: OpcuaSource): Unsubscribable[] {
  const snap = source.snapshot();
  const subs: Unsubscribable[] = [];

  const ilFolder = ns.addObject({ componentOf: skid, browseName: "Interlocks", nodeId: "s=Interlocks" });
  const interlocks = new Map(config.quality.ccps.map((c) => [c.name, addInterlock(ns, ilFolder, config, c)] as const));
  for (const [name, r] of Object.entries(snap.interlocks ?? {})) {
    const n = interlocks.get(name);
    if (n) setInterlock(n, r);
  }
  const setFirstOut = (s: SkidStatus): void => {
    for (const [name, n] of interlocks) n.firstOut.setValueFromSource({ dataType: DataType.Boolean, value: s.firstOut === name });
  };
  setFirstOut(snap);
  subs.push(source.status$.subscribe(setFirstOut));
  if (source.interlocks$) {
    subs.push(
      source.interlocks$.subscribe((changed) => {
        for (const [name, r] of Object.entries(changed)) {
          const n = interlocks.get(name);
          if (n) setInterlock(n, r);
        }
      }),
    );
  }

  const devFolder = ns.addObject({ componentOf: skid, browseName: "Devices", nodeId: "s=Devices" });
  const devices = new Map<string, DeviceNodes>();
  for (const d of config.devices) {
    const obj = ns.addObject({ componentOf: devFolder, browseName: d.name, ...(d.description ? { description: d.description } : {}) });
    const n: DeviceNodes = {
      online: ns.addVariable({ componentOf: obj, browseName: "Online", dataType: "Boolean", minimumSamplingInterval: 0 }),
      responseMs: addAnalog(ns, obj, { browseName: "ResponseMs", description: "smoothed response time", unit: "ms" }),
      errorCount: ns.addVariable({ componentOf: obj, browseName: "ErrorCount", dataType: "UInt32" }),
      lastError: ns.addVariable({ componentOf: obj, browseName: "LastError", dataType: "String" }),
    };
    waiting(n.online, n.responseMs, n.errorCount, n.lastError);
    const r = snap.devices?.[d.name];
    if (r) setDevice(n, r);
    devices.set(d.name, n);
  }
  if (source.devices$) {
    subs.push(
      source.devices$.subscribe((d) => {
        const n = devices.get(d.device);
        if (n) setDevice(n, d);
      }),
    );
  }

  const totFolder = ns.addObject({ componentOf: skid, browseName: "Totals", nodeId: "s=Totals" });
  const totals = new Map<string, UAVariable>();
  for (const t of source.totals ?? ([] as TotalDef[])) {
    const node = addAnalog(ns, totFolder, { browseName: t.name, unit: t.unit, ...(t.description ? { description: t.description } : {}) });
    waiting(node);
    totals.set(t.name, node);
  }
  const setTotals = (values: Record<string, TotalReading>): void => {
    for (const [name, r] of Object.entries(values)) {
      const node = totals.get(name);
      if (node) setReading(node, "analog", { value: r.value, quality: r.quality ?? { code: "good" }, sourceTs: r.ts });
    }
  };
  setTotals(snap.totals ?? {});
  if (source.totals$) subs.push(source.totals$.subscribe(setTotals));
  return subs;
}
