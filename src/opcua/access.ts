// Who may do what on the skid's nodes. Two layers: RolePermissions on the nodes (OPC 10000-3
// 5.9, enforced by node-opcua, and visible to clients as UserAccessLevel/UserExecutable), and
// an explicit check in every handler that acts (methods, setpoint writes, alarm commands)
// before anything reaches the command intake: a session without signing is refused
// whatever its user, and the caller's role must reach the action's.
import {
  MessageSecurityMode,
  PermissionType,
  StatusCodes,
  UserNameIdentityToken,
  WellKnownRoles,
  makeRoles,
  type ISessionContext,
  type RolePermissionTypeOptions,
  type StatusCode,
} from "node-opcua";
import type { CallerRole } from "./ports.js";
import type { UserRole } from "./users-file.js";

const RANK: Record<CallerRole, number> = { anonymous: 0, observer: 1, operator: 2, engineer: 3 };

/** Read, browse, history, events: what every session may do, anonymous included. */
const READ = PermissionType.Browse | PermissionType.Read | PermissionType.ReadHistory | PermissionType.ReceiveEvents | PermissionType.ReadRolePermissions;

const ROLE_NODE: Record<CallerRole, WellKnownRoles> = {
  anonymous: WellKnownRoles.Anonymous,
  observer: WellKnownRoles.Observer,
  operator: WellKnownRoles.Operator,
  engineer: WellKnownRoles.Engineer,
};

function entries(extra: number, minRole: UserRole): RolePermissionTypeOptions[] {
  const out: RolePermissionTypeOptions[] = [];
  for (const role of Object.keys(RANK) as CallerRole[]) {
    const grant = RANK[role] >= RANK[minRole] ? READ | extra : READ;
    out.push({ roleId: makeRoles([ROLE_NODE[role]])[0], permissions: grant });
  }
  out.push({ roleId: makeRoles([WellKnownRoles.AuthenticatedUser])[0], permissions: READ });
  return out;
}

/** The namespace default: everyone reads; nothing writes or calls unless a node says so. */
export const READ_ONLY_PERMISSIONS: RolePermissionTypeOptions[] = entries(0, "engineer");
/** A method that role (and above) may call. */
export function callPermissions(minRole: UserRole): RolePermissionTypeOptions[] {
  return entries(PermissionType.Call, minRole);
}
/** A variable that role (and above) may write. */
export function writePermissions(minRole: UserRole): RolePermissionTypeOptions[] {
  return entries(PermissionType.Write, minRole);
}

export interface Caller {
  user: string;
  role: CallerRole;
  /** The SecureChannel's mode; null for an in-process caller. */
  securityMode: MessageSecurityMode | null;
}

/** The user and role behind a request, from its session (in-process callers are the controller itself). */
export function callerOf(context: ISessionContext, roleOf: (user: string) => UserRole | undefined): Caller {
  const session = context.session;
  if (!session) return { user: "controller", role: "engineer", securityMode: null };
  const token = session.userIdentityToken;
  const securityMode = session.channel?.securityMode ?? MessageSecurityMode.Invalid;
  if (token instanceof UserNameIdentityToken && token.userName) {
    // A user removed from the file after logging in has no role any more: anonymous rights.
    return { user: token.userName, role: roleOf(token.userName) ?? "anonymous", securityMode };
  }
  return { user: "anonymous", role: "anonymous", securityMode };
}

/**
 * Good when the caller may act with `minRole`; otherwise why not: BadSecurityModeInsufficient
 * on a channel that is not at least signed (SecurityPolicy None serves read-only browsing),
 * BadUserAccessDenied when the role falls short.
 */
export function authorize(caller: Caller, minRole: UserRole): StatusCode {
  if (caller.securityMode !== null && caller.securityMode !== MessageSecurityMode.Sign && caller.securityMode !== MessageSecurityMode.SignAndEncrypt) {
    return StatusCodes.BadSecurityModeInsufficient;
  }
  return RANK[caller.role] >= RANK[minRole] ? StatusCodes.Good : StatusCodes.BadUserAccessDenied;
}
