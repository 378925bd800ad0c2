// The OPC UA server for plant SCADA: the skid object under Objects, its tags with
// engineering units and ranges, State and QualityMode, fed from the core's update stream.
// NodeIds are stable: ns=<urn:reclaim:<skid>>;s=<browse path below the skid, dot-joined>.
import path from "node:path";
import {
  DataType,
  DataValue,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
  type Namespace,
  type StatusCode,
  type UAObject,
  type UAVariable,
} from "node-opcua";
import type { Subscription } from "rxjs";
import type { Config, TagConfig } from "../config/schema.js";
import type { Quality, TagValue } from "../core/quality.js";
import type { TagUpdate } from "../core/scan.js";
import type { Logger } from "../system/log.js";
import { euInformation } from "./units.js";

/** What the server reads from the controller; an interface so tests can feed it directly. */
export interface OpcuaSource {
  snapshot(): { state: string; qualityMode: string; tags: Record<string, { value: TagValue; quality: Quality; sourceTs: number }> };
  readonly updates$: { subscribe(fn: (u: TagUpdate[]) => void): Subscription };
  readonly status$: { subscribe(fn: (s: { state: string; qualityMode: string }) => void): Subscription };
}

export function namespaceUri(config: Config): string {
  return `urn:reclaim:${config.skid.id}`;
}

/** OPC UA StatusCode for a tag quality (Part 8, 6.3.2 / Part 4, 7.34). */
export function statusCodeOf(q: Quality): StatusCode {
  switch (q.code) {
    case "good":
      return StatusCodes.Good;
    case "uncertain":
      return q.reason === "stale" || q.reason === "last-usable" ? StatusCodes.UncertainLastUsableValue : StatusCodes.UncertainSensorNotAccurate;
    case "bad":
      switch (q.reason) {
        case "no-comm":
          return StatusCodes.BadNoCommunication;
        case "device-failure":
        case "hold":
          return StatusCodes.BadDeviceFailure;
        case "sensor-failure":
        case "flatline":
          return StatusCodes.BadSensorFailure;
        case "out-of-range":
          return StatusCodes.BadOutOfRange;
        case "not-yet-read":
          return StatusCodes.BadWaitingForInitialData;
        default:
          return StatusCodes.BadConfigurationError;
      }
  }
}

function tagDataValue(t: TagConfig, value: TagValue, q: Quality, sourceTs: number): DataValue {
  const statusCode = statusCodeOf(q);
  const good = q.code !== "bad" && value !== null;
  const variant =
    t.kind === "bool"
      ? new Variant({ dataType: DataType.Boolean, value: good ? value === true : null })
      : new Variant({ dataType: DataType.Double, value: good ? Number(value) : null });
  return new DataValue({ value: variant, statusCode, sourceTimestamp: sourceTs > 0 ? new Date(sourceTs) : null, serverTimestamp: new Date() });
}

export class ReclaimOpcuaServer {
  private server: OPCUAServer | null = null;
  private subs: Subscription[] = [];
  private readonly tagNodes = new Map<string, { node: UAVariable; cfg: TagConfig }>();

  constructor(
    private readonly config: Config,
    private readonly source: OpcuaSource,
    private readonly log: Logger,
    private readonly pkiDir = path.join(path.dirname(config.store.path), "pki"),
  ) {}

  get endpointUrl(): string {
    const ep = this.server?.getEndpointUrl();
    return ep ?? `opc.tcp://localhost:${this.config.opcua.port}`;
  }

  async start(): Promise<void> {
    const o = this.config.opcua;
    const serverCertificateManager = new OPCUACertificateManager({ rootFolder: path.join(this.pkiDir, "own"), automaticallyAcceptUnknownCertificate: false });
    const userCertificateManager = new OPCUACertificateManager({ rootFolder: path.join(this.pkiDir, "user"), automaticallyAcceptUnknownCertificate: false });
    const secure = [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt];
    const server = new OPCUAServer({
      port: o.port,
      ...(o.host ? { hostname: o.host } : {}),
      resourcePath: "",
      serverCertificateManager,
      userCertificateManager,
      securityModes: o.allowInsecure ? [MessageSecurityMode.None, ...secure] : secure,
      securityPolicies: o.allowInsecure
        ? [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss]
        : [SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss],
      allowAnonymous: o.allowAnonymous,
      disableDiscovery: true,
      buildInfo: { productName: "Reclaim", manufacturerName: "Reclaim", productUri: "urn:reclaim", softwareVersion: "0.1.0" },
      serverInfo: { applicationUri: `urn:reclaim:${this.config.skid.id}:server`, productUri: "urn:reclaim" },
    });
    await server.initialize();
    this.build(server.engine.addressSpace?.registerNamespace(namespaceUri(this.config)) as Namespace, server);
    await server.start();
    this.server = server;
    this.log.info({ endpoint: this.endpointUrl }, "OPC UA server listening");
  }

  private build(ns: Namespace, server: OPCUAServer): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error("OPC UA address space missing after initialize()");
    const id = this.config.skid.id;
    const skid: UAObject = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: id, nodeId: `s=${id}` });
    const tagsFolder = ns.addObject({ componentOf: skid, browseName: "Tags", nodeId: "s=Tags" });
    const snap = this.source.snapshot();
    for (const t of this.config.tags) {
      const nodeId = `s=Tags.${t.name}`;
      const node =
        t.kind === "bool"
          ? ns.addTwoStateDiscrete({ componentOf: tagsFolder, browseName: t.name, nodeId, description: t.description, trueState: "On", falseState: "Off" })
          : ns.addAnalogDataItem({
              componentOf: tagsFolder,
              browseName: t.name,
              nodeId,
              description: t.description,
              dataType: "Double",
              engineeringUnitsRange: t.range ? { low: t.range[0], high: t.range[1] } : { low: 0, high: 0 },
              ...(euInformation(t.unit) ? { engineeringUnits: euInformation(t.unit) } : {}),
            });
      const cur = snap.tags[t.name];
      if (cur) node.setValueFromSource(...this.sourceArgs(t, cur.value, cur.quality, cur.sourceTs));
      this.tagNodes.set(t.name, { node: node as unknown as UAVariable, cfg: t });
    }
    const stateNode = ns.addVariable({ componentOf: skid, browseName: "State", nodeId: "s=State", dataType: "String" });
    const modeNode = ns.addVariable({ componentOf: skid, browseName: "QualityMode", nodeId: "s=QualityMode", dataType: "String" });
    const setStatus = (s: { state: string; qualityMode: string }): void => {
      stateNode.setValueFromSource({ dataType: DataType.String, value: s.state });
      modeNode.setValueFromSource({ dataType: DataType.String, value: s.qualityMode });
    };
    setStatus(snap);
    this.subs.push(this.source.status$.subscribe(setStatus));
    this.subs.push(
      this.source.updates$.subscribe((updates) => {
        for (const u of updates) {
          const n = this.tagNodes.get(u.tag);
          if (n) n.node.setValueFromSource(...this.sourceArgs(n.cfg, u.value, u.quality, u.sourceTs));
        }
      }),
    );
  }

  private sourceArgs(t: TagConfig, value: TagValue, q: Quality, sourceTs: number): [Variant, StatusCode, Date] {
    const dv = tagDataValue(t, value, q, sourceTs);
    return [dv.value, dv.statusCode, dv.sourceTimestamp ?? new Date()];
  }

  async stop(): Promise<void> {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    const server = this.server;
    this.server = null;
    if (server) await server.shutdown(0);
  }
}
