// The OPC UA server for plant SCADA: builds the skid's address space from the config and
// the controller's streams, serves commands through the command intake, history from the
// store and the alarms as conditions, behind the security of security.ts. NodeIds are
// stable: ns=<index of urn:reclaim:<skid>>;s=<browse path below the skid, dot-joined>.
import { readFileSync } from "node:fs";
import { NamespaceOptions, OPCUAServer, addAggregateFunctionSupport, coerceNodeId, type Namespace } from "node-opcua";
import type { Config } from "../config/schema.js";
import type { Logger } from "../system/log.js";
import { READ_ONLY_PERMISSIONS } from "./access.js";
import { addCommandMethods, addSetpoints, type CommandContext } from "./commands.js";
import { ConditionsService } from "./conditions.js";
import { HistoryService, SUPPORTED_AGGREGATES } from "./history.js";
import type { LoginLimiterOptions } from "./login-limiter.js";
import { LoginLimiter } from "./login-limiter.js";
import { buildDiagnostics } from "./model-diagnostics.js";
import { buildSkidModel } from "./model.js";
import { pkiDirOf, usersFileOf } from "./pki.js";
import type { AlarmSource, CommandIntake, HistorySource, OpcuaAudit, OpcuaSource, Unsubscribable } from "./ports.js";
import { certificateManagers, planEndpoints, tailorUserTokens } from "./security.js";
import { routeStackLogs } from "./stack-log.js";
import { ReclaimUserManager } from "./user-manager.js";

export type { OpcuaSource } from "./ports.js";
export { statusCodeOf } from "./status.js";

export function namespaceUri(config: Config): string {
  return `urn:reclaim:${config.skid.id}`;
}

export interface OpcuaDeps {
  /** The core's command intake; without it every command is answered BadNotImplemented. */
  intake?: CommandIntake;
  /** The store's history; without it no tag is historizing. */
  history?: HistorySource;
  /** The alarms; without them there are no conditions. */
  alarms?: AlarmSource;
  /** Audit sink for logins (the store's audit chain). */
  audit?: OpcuaAudit;
  /** PKI folder (default <data dir>/pki) and users file (default opcua.usersFile or <data dir>/users.yaml). */
  pkiDir?: string;
  usersFile?: string;
  /** Monotonic clock for the login rate limit (default performance.now). */
  now?: () => number;
  login?: Partial<LoginLimiterOptions>;
  commandTimeoutMs?: number;
  /** Most values per HistoryRead response. */
  maxHistoryValues?: number;
}

function softwareVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export class ReclaimOpcuaServer {
  private server: OPCUAServer | null = null;
  private subs: Unsubscribable[] = [];
  private conditions: ConditionsService | null = null;
  private userManager: ReclaimUserManager | null = null;

  constructor(
    private readonly config: Config,
    private readonly source: OpcuaSource,
    private readonly log: Logger,
    private readonly deps: OpcuaDeps = {},
  ) {}

  get endpointUrl(): string {
    return this.server?.getEndpointUrl() ?? `opc.tcp://localhost:${this.config.opcua.port}`;
  }

  /** The running node-opcua server (tests, diagnostics). */
  get raw(): OPCUAServer | null {
    return this.server;
  }

  async start(): Promise<void> {
    routeStackLogs(this.log);
    // Children of a node get "<parent>.<browse name>" as NodeId, the same dot-joined scheme
    // as the nodes this server names itself (node-opcua's default separator is "-").
    NamespaceOptions.nodeIdNameSeparator = ".";
    const o = this.config.opcua;
    const plan = planEndpoints(o);
    for (const w of plan.warnings) this.log.warn(w);
    const managers = certificateManagers(this.deps.pkiDir ?? pkiDirOf(this.config));
    const userManager = new ReclaimUserManager({
      usersFile: this.deps.usersFile ?? usersFileOf(this.config),
      log: this.log,
      ...(this.deps.audit ? { audit: this.deps.audit } : {}),
      ...(this.deps.now ? { now: this.deps.now } : {}),
      limiter: new LoginLimiter(this.deps.login ?? {}),
    });
    this.userManager = userManager;
    const maxHistoryValues = this.deps.maxHistoryValues ?? 10_000;
    const server = new OPCUAServer({
      port: o.port,
      ...(o.host ? { hostname: o.host } : {}),
      resourcePath: "",
      serverCertificateManager: managers.server,
      userCertificateManager: managers.user,
      securityModes: plan.securityModes,
      securityPolicies: plan.securityPolicies,
      allowAnonymous: o.allowAnonymous,
      userManager,
      maxConnectionsPerEndpoint: o.maxSessions + 10,
      serverCapabilities: {
        maxSessions: o.maxSessions,
        maxHistoryContinuationPoints: 10,
        maxBrowseContinuationPoints: 10,
        operationLimits: { maxNodesPerHistoryReadData: 100, maxNodesPerMethodCall: 20, maxNodesPerWrite: 100 },
      },
      buildInfo: {
        productName: "Reclaim",
        manufacturerName: "Reclaim",
        productUri: "urn:reclaim",
        softwareVersion: softwareVersion(),
        buildNumber: softwareVersion(),
        buildDate: new Date(),
      },
      serverInfo: { applicationUri: `urn:reclaim:${this.config.skid.id}:server`, productUri: "urn:reclaim", applicationName: { text: `Reclaim ${this.config.skid.id}`, locale: "en" } },
    });
    try {
      await server.initialize();
      // Endpoints exist once initialized.
      tailorUserTokens(server, plan, o.allowAnonymous);
      // The engine exists once initialized; its capabilities are read when a client reads them.
      const caps = server.engine.historyServerCapabilities;
      caps.accessHistoryDataCapability = this.deps.history !== undefined;
      caps.maxReturnDataValues = maxHistoryValues;
      this.build(server, maxHistoryValues);
      await server.start();
    } catch (err) {
      // A server that never started is not shut down by node-opcua: release what it holds
      // (watchers, timers), and keep the error as it is (EADDRINUSE maps to an exit code).
      for (const sub of this.subs.splice(0)) sub.unsubscribe();
      await server.shutdown(0).catch(() => undefined);
      await Promise.all([managers.server.dispose(), managers.user.dispose()]).catch(() => undefined);
      throw err;
    }
    this.server = server;
    this.log.info({ endpoint: this.endpointUrl, none: plan.offerNone, anonymous: o.allowAnonymous }, "OPC UA server listening");
  }

  private build(server: OPCUAServer, maxHistoryValues: number): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error("OPC UA address space missing after initialize()");
    // The skid's namespace is registered first and alone, so its index is the same at every start.
    const ns: Namespace = addressSpace.registerNamespace(namespaceUri(this.config));
    ns.setDefaultRolePermissions(READ_ONLY_PERMISSIONS);
    const model = buildSkidModel(ns, addressSpace.rootFolder.objects, this.config, this.source);
    this.subs.push(...model.subs);
    this.subs.push(...buildDiagnostics(ns, model.skid, this.config, this.source));
    const userManager = this.userManager as ReclaimUserManager;
    const ctx: CommandContext = {
      intake: this.deps.intake,
      roleOf: (u) => userManager.roleOf(u),
      log: this.log,
      timeoutMs: this.deps.commandTimeoutMs ?? 5_000,
    };
    addCommandMethods(ns, model.skid, ctx);
    this.subs.push(...addSetpoints(ns, model.skid, this.source, ctx));
    if (this.deps.history) {
      new HistoryService(this.deps.history, { maxValues: maxHistoryValues, maxContinuationPoints: 10, log: this.log }).install(addressSpace, model.tags);
      for (const f of SUPPORTED_AGGREGATES) addAggregateFunctionSupport(addressSpace, coerceNodeId(f));
    }
    if (this.deps.alarms) {
      this.conditions = new ConditionsService(ns, model.skid, model.tags, this.deps.alarms, ctx);
      this.subs.push(...this.conditions.start());
    }
  }

  async stop(): Promise<void> {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    this.conditions?.stop();
    this.conditions = null;
    const server = this.server;
    this.server = null;
    if (server) await server.shutdown(0);
  }
}
