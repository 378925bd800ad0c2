// The skid in the address space: the skid object under Objects with Tags/ (AnalogItemType
// with units and ranges, TwoStateDiscreteType for booleans), State and StateCurrent (PackML
// name and number), Mode and QualityMode, all fed from the controller's streams. NodeIds
// follow the scheme fixed by the walking skeleton: ns=<urn:reclaim:<skid>>;s=<browse path
// below the skid object, dot-joined>, so they never change for an unchanged config.
import { DataType, type Namespace, type UAObject, type UAVariable } from "node-opcua";
import type { Config, TagConfig } from "../config/schema.js";
import { PACKML_STATE_NUMBER, type PackmlState } from "../core/packml.js";
import type { OpcuaSource, SkidStatus, TagReading, Unsubscribable } from "./ports.js";
import { sourceValue, type ValueKind } from "./status.js";
import { euInformation } from "./units.js";

export interface TagNode {
  node: UAVariable;
  cfg: TagConfig;
  kind: ValueKind;
}

/** Sets a variable from a reading: value (null when Bad), StatusCode, SourceTimestamp. */
export function setReading(node: UAVariable, kind: ValueKind, r: TagReading): void {
  node.setValueFromSource(...sourceValue(kind, r.value, r.quality, r.sourceTs));
}

/** An analog variable with engineering units and, when known, its range (OPC 10000-8 5.3.2). */
export function addAnalog(
  ns: Namespace,
  parent: UAObject,
  o: { browseName: string; description?: string; unit: string; range?: readonly [number, number]; nodeId?: string; writable?: boolean },
): UAVariable {
  const eu = euInformation(o.unit);
  const range = o.range ? { low: o.range[0], high: o.range[1] } : undefined;
  return ns.addAnalogDataItem({
    componentOf: parent,
    browseName: o.browseName,
    ...(o.nodeId ? { nodeId: o.nodeId } : {}),
    ...(o.description ? { description: o.description } : {}),
    dataType: "Double",
    // The configured range is the instrument's: outside it a value is bad. With no range
    // configured, EURange is infinite rather than an invented span.
    engineeringUnitsRange: range ?? { low: -Infinity, high: Infinity },
    ...(range ? { instrumentRange: range } : {}),
    ...(eu ? { engineeringUnits: eu } : {}),
    accessLevel: o.writable ? "CurrentRead | CurrentWrite" : "CurrentRead",
    minimumSamplingInterval: 0,
  });
}

function addTag(ns: Namespace, folder: UAObject, t: TagConfig): TagNode {
  if (t.kind === "bool") {
    const node = ns.addTwoStateDiscrete({
      componentOf: folder,
      browseName: t.name,
      ...(t.description ? { description: t.description } : {}),
      trueState: "On",
      falseState: "Off",
      minimumSamplingInterval: 0,
    }) as unknown as UAVariable;
    return { node, cfg: t, kind: "bool" };
  }
  const node = addAnalog(ns, folder, { browseName: t.name, description: t.description, unit: t.unit, ...(t.range ? { range: t.range } : {}) });
  return { node, cfg: t, kind: "analog" };
}

export interface SkidModel {
  skid: UAObject;
  tags: ReadonlyMap<string, TagNode>;
  subs: Unsubscribable[];
}

/** Builds the skid object, Tags/ and the status variables, and subscribes them to the source. */
export function buildSkidModel(ns: Namespace, objectsFolder: UAObject, config: Config, source: OpcuaSource): SkidModel {
  const id = config.skid.id;
  const skid = ns.addObject({
    organizedBy: objectsFolder,
    browseName: id,
    nodeId: `s=${id}`,
    ...(config.skid.name ? { description: config.skid.name } : {}),
    // The skid is where its alarms' events come from: SCADA subscribes to events here.
    eventNotifier: 1,
  });
  // Part 9 5.12: the Server object is the root of the event hierarchy; node-opcua already links
  // Server -HasNotifier-> skid, but a condition's source must be an event source of something,
  // so the skid is also the Server's event source (for conditions that belong to no one tag).
  const server = ns.addressSpace.rootFolder.objects.server;
  if (server && skid.getEventSourceOfs().length === 0) server.addReference({ referenceType: "HasEventSource", nodeId: skid.nodeId });
  const tagsFolder = ns.addObject({ componentOf: skid, browseName: "Tags", nodeId: "s=Tags" });
  const tags = new Map<string, TagNode>();
  for (const t of config.tags) tags.set(t.name, addTag(ns, tagsFolder, t));

  const stateNode = ns.addVariable({ componentOf: skid, browseName: "State", nodeId: "s=State", dataType: "String", description: "PackML state (ISA-TR88.00.02)" });
  const stateCurrent = ns.addVariable({
    componentOf: skid,
    browseName: "StateCurrent",
    nodeId: "s=StateCurrent",
    dataType: "Int32",
    description: "PackML state number (PackTags Status.StateCurrent)",
  });
  const modeNode = ns.addVariable({ componentOf: skid, browseName: "Mode", nodeId: "s=Mode", dataType: "String", description: "PackML unit mode" });
  const qualityMode = ns.addVariable({ componentOf: skid, browseName: "QualityMode", nodeId: "s=QualityMode", dataType: "String", description: "Reuse or Divert" });

  const setStatus = (s: SkidStatus): void => {
    stateNode.setValueFromSource({ dataType: DataType.String, value: s.state });
    const n = PACKML_STATE_NUMBER[s.state as PackmlState] as number | undefined;
    stateCurrent.setValueFromSource({ dataType: DataType.Int32, value: n ?? 0 });
    modeNode.setValueFromSource({ dataType: DataType.String, value: s.mode ?? "Production" });
    qualityMode.setValueFromSource({ dataType: DataType.String, value: s.qualityMode });
  };

  const snap = source.snapshot();
  for (const [name, n] of tags) {
    const r = snap.tags[name];
    setReading(n.node, n.kind, r ?? { value: null, quality: { code: "bad", reason: "not-yet-read" }, sourceTs: 0 });
  }
  setStatus(snap);
  const subs: Unsubscribable[] = [
    source.status$.subscribe(setStatus),
    source.updates$.subscribe((updates) => {
      for (const u of updates) {
        const n = tags.get(u.tag);
        if (n) setReading(n.node, n.kind, u);
      }
    }),
  ];
  return { skid, tags, subs };
}
