// The controller's alarms as OPC UA conditions (OPC 10000-9): ExclusiveLimitAlarmType for
// analog limits, OffNormalAlarmType for discrete ones, under Alarms/ with SourceNode the tag.
// The core is the one source of truth (ISA-18.2 state, shelving, persistence): the
// conditions mirror the AlarmSource, and their methods (Acknowledge, Confirm, AddComment,
// TimedShelve, OneShotShelve, Unshelve) only submit commands to the intake. The change then
// comes back from the source and is raised as a condition event. node-opcua's own alarm
// logic (limit evaluation, shelving timers) is switched off for that reason.
import {
  DataType,
  LocalizedText,
  NodeId,
  StatusCodes,
  Variant,
  type ISessionContext,
  type MethodResult,
  type Namespace,
  type StatusCode,
  type UAMethod,
  type UAObject,
  type UAVariable,
} from "node-opcua";
import { callPermissions, callerOf } from "./access.js";
import { submitCommand, type CommandContext } from "./commands.js";
import type { TagNode } from "./model.js";
import type { AlarmDefinition, AlarmSource, AlarmView, OpcuaCommand, Unsubscribable } from "./ports.js";

/** The parts of node-opcua's condition objects this module touches. */
interface Branch {
  getEventId(): Buffer;
  renewEventId(): void;
  setActiveState(v: boolean): StatusCode;
  setAckedState(v: boolean): StatusCode;
  setConfirmedStateIfExists(v: boolean): void;
  setSuppressedState(v: boolean): void;
  setRetain(v: boolean): void;
  setSeverity(v: number): void;
  setMessage(v: LocalizedText | string): void;
  setComment(v: LocalizedText | string): void;
  setClientUserId(v: string): void;
  setTime(v: Date): void;
}
interface StateMachine extends UAObject {
  setState(name: string | null): void;
  timedShelve?: UAMethod;
  oneShotShelve?: UAMethod;
  unshelve?: UAMethod;
  unshelveTime?: UAVariable;
}
interface Condition extends UAObject {
  currentBranch(): Branch;
  raiseConditionEvent(branch: Branch, renewEventId: boolean): void;
  onInputDataValueChange: (v: unknown) => void;
  acknowledge: UAMethod;
  confirm?: UAMethod;
  addComment: UAMethod;
  enable: UAMethod;
  disable: UAMethod;
  limitState?: StateMachine;
  shelvingState?: StateMachine;
  suppressedState?: UAVariable;
  suppressedOrShelved?: UAVariable;
  inputNode: UAVariable;
}

interface Entry {
  def: AlarmDefinition;
  cond: Condition;
  view: AlarmView | null;
  /** Recent EventIds: an acknowledgement of an event raised just before a newer one is still accepted. */
  eventIds: string[];
}

const OPTIONALS = ["ConfirmedState", "Confirm", "ShelvingState", "SuppressedState", "MaxTimeShelved"];
const RECENT_EVENT_IDS = 20;

export class ConditionsService {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ns: Namespace,
    private readonly skid: UAObject,
    private readonly tags: ReadonlyMap<string, TagNode>,
    private readonly source: AlarmSource,
    private readonly ctx: CommandContext,
  ) {}

  start(): Unsubscribable[] {
    // Binds ConditionRefresh and the type-level condition methods.
    this.ns.addressSpace.installAlarmsAndConditionsService();
    const folder = this.ns.addObject({ componentOf: this.skid, browseName: "Alarms", nodeId: "s=Alarms", eventNotifier: 1 });
    // Events of the skid reach the Server object, where SCADA usually subscribes to them.
    const server = this.ns.addressSpace.rootFolder.objects.server;
    server.addReference({ referenceType: "HasNotifier", nodeId: this.skid.nodeId });
    for (const def of this.source.definitions()) this.entries.set(def.name, { def, cond: this.instantiate(folder, def), view: null, eventIds: [] });
    for (const v of this.source.snapshot()) this.apply(v, false);
    return [this.source.changes$.subscribe((v) => this.apply(v, true))];
  }

  stop(): void {
    this.entries.clear();
  }

  private instantiate(folder: UAObject, def: AlarmDefinition): Condition {
    const tag = def.tag ? this.tags.get(def.tag) : undefined;
    // Part 9 5.12: Server -HasNotifier-> skid -HasEventSource-> tag, the condition's source.
    if (tag && tag.node.getEventSourceOfs().length === 0) this.skid.addReference({ referenceType: "HasEventSource", nodeId: tag.node.nodeId });
    const common = {
      browseName: def.name,
      nodeId: `s=Alarms.${def.name}`,
      componentOf: folder,
      // node-opcua takes SourceNode from the HasCondition reference, so both name the tag.
      conditionSource: tag?.node ?? this.skid,
      conditionOf: tag?.node ?? this.skid,
      conditionName: def.name,
      optionals: [...OPTIONALS],
      ...(def.maxShelveMs ? { maxTimeShelved: def.maxShelveMs } : {}),
    };
    let cond: Condition;
    const l = def.limits ?? {};
    // Only the limits the alarm has: each present key adds its Limit and State (Part 9 5.8.11).
    const limits = Object.fromEntries(
      Object.entries({ highHighLimit: l.highHigh, highLimit: l.high, lowLimit: l.low, lowLowLimit: l.lowLow }).filter(([, v]) => v !== undefined),
    );
    if (def.kind === "limit" && tag && tag.kind === "analog" && Object.keys(limits).length > 0) {
      const options = { ...common, inputNode: tag.node, ...limits } as unknown as Parameters<Namespace["instantiateExclusiveLimitAlarm"]>[1];
      cond = this.ns.instantiateExclusiveLimitAlarm("ExclusiveLimitAlarmType", options) as unknown as Condition;
    } else {
      cond = this.ns.instantiateOffNormalAlarm({ ...common, inputNode: NodeId.nullNodeId, normalState: null }) as unknown as Condition;
      if (tag) cond.inputNode.setValueFromSource({ dataType: DataType.NodeId, value: tag.node.nodeId });
    }
    // The core evaluates the alarm (delays, deadband, suppression); node-opcua must not.
    cond.onInputDataValueChange = () => undefined;
    this.bindMethods(cond, def);
    return cond;
  }

  private bindMethods(cond: Condition, def: AlarmDefinition): void {
    const run = async (context: ISessionContext, command: OpcuaCommand, args: Record<string, unknown>, alreadyCode: StatusCode): Promise<MethodResult> => {
      const o = await submitCommand(this.ctx, callerOf(context, this.ctx.roleOf), "operator", command, { alarm: def.name, ...args });
      // The intake's "state" refusal has a precise name in Part 9 for each method.
      const statusCode = o.statusCode === StatusCodes.BadInvalidState ? alreadyCode : o.statusCode;
      return { statusCode, ...(o.statusText ? { statusText: o.statusText } : {}) };
    };
    const eventMethod = (command: OpcuaCommand, alreadyCode: StatusCode) => async (args: Variant[], context: ISessionContext): Promise<MethodResult> => {
      const eventId = args[0]?.value as Buffer | null | undefined;
      const comment = LocalizedText.coerce(args[1]?.value as LocalizedText | string | null)?.text ?? "";
      const entry = this.entries.get(def.name);
      if (eventId && eventId.length > 0 && !entry?.eventIds.includes(eventId.toString("hex"))) return { statusCode: StatusCodes.BadEventIdUnknown };
      return run(context, command, comment ? { comment } : {}, alreadyCode);
    };
    // The instance methods live in the skid's namespace, read-only by default: operators call them.
    for (const m of [cond.acknowledge, cond.confirm, cond.addComment, cond.enable, cond.disable, cond.shelvingState?.timedShelve, cond.shelvingState?.oneShotShelve, cond.shelvingState?.unshelve]) {
      m?.setRolePermissions(callPermissions("operator"));
    }
    cond.acknowledge.bindMethod(eventMethod("alarm.acknowledge", StatusCodes.BadConditionBranchAlreadyAcked));
    cond.confirm?.bindMethod(eventMethod("alarm.confirm", StatusCodes.BadConditionBranchAlreadyConfirmed));
    cond.addComment.bindMethod(eventMethod("alarm.comment", StatusCodes.BadInvalidState));
    // node-opcua tells a promise-returning method by its two declared parameters.
    const refuse = (_args: Variant[], _context: ISessionContext): Promise<MethodResult> => Promise.resolve({ statusCode: StatusCodes.BadNotSupported, statusText: "take the alarm out of service in the controller" });
    cond.enable.bindMethod(refuse);
    cond.disable.bindMethod(refuse);
    const ss = cond.shelvingState;
    if (!ss) return;
    ss.timedShelve?.bindMethod(async (args: Variant[], context: ISessionContext): Promise<MethodResult> => {
      const durationMs = Number(args[0]?.value);
      if (!(durationMs > 0) || (def.maxShelveMs !== undefined && durationMs > def.maxShelveMs)) return { statusCode: StatusCodes.BadShelvingTimeOutOfRange };
      return run(context, "alarm.shelve", { durationMs }, StatusCodes.BadConditionAlreadyShelved);
    });
    ss.oneShotShelve?.bindMethod(async (_args: Variant[], context: ISessionContext) => run(context, "alarm.shelve", { oneShot: true }, StatusCodes.BadConditionAlreadyShelved));
    ss.unshelve?.bindMethod(async (_args: Variant[], context: ISessionContext) => run(context, "alarm.unshelve", {}, StatusCodes.BadConditionNotShelved));
    // UnshelveTime counts down to the end of a timed shelve, from the core's own deadline.
    ss.unshelveTime?.bindVariable(
      {
        get: () => {
          const s = this.entries.get(def.name)?.view?.shelved;
          const left = s?.untilWall != null ? Math.max(0, s.untilWall - Date.now()) : 0;
          return new Variant({ dataType: DataType.Double, value: left });
        },
      },
      true,
    );
  }

  /** Mirrors one alarm's state on its condition; raises an event when asked (not at start-up). */
  private apply(v: AlarmView, raise: boolean): void {
    const e = this.entries.get(v.name);
    if (!e) return;
    e.view = v;
    const { cond, def } = e;
    const b = cond.currentBranch();
    b.setActiveState(v.active);
    b.setAckedState(v.acked);
    b.setConfirmedStateIfExists(v.confirmed);
    if (cond.suppressedState) b.setSuppressedState(v.suppressed);
    cond.limitState?.setState(v.active ? (v.limitState ?? null) : null);
    cond.shelvingState?.setState(v.shelved ? (v.shelved.oneShot ? "OneShotShelved" : "TimedShelved") : "Unshelved");
    cond.suppressedOrShelved?.setValueFromSource({ dataType: DataType.Boolean, value: v.suppressed || v.shelved !== null || v.outOfService });
    // A condition stays in the refresh set while it needs attention (Part 9 5.5.2 Retain).
    b.setRetain(v.active || !v.acked || !v.confirmed);
    b.setSeverity(def.severity);
    b.setMessage(v.message ?? def.message);
    if (v.comment) {
      b.setComment(v.comment.text);
      b.setClientUserId(v.comment.user);
    }
    b.setTime(new Date(v.at));
    // At start-up nobody listens: the state gets an EventId for ConditionRefresh to replay.
    if (raise) cond.raiseConditionEvent(b, true);
    else b.renewEventId();
    e.eventIds.push(b.getEventId().toString("hex"));
    if (e.eventIds.length > RECENT_EVENT_IDS) e.eventIds.shift();
  }
}
