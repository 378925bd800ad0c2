// The server's security settings: which endpoints it offers, with which user tokens, and
// the certificate stores. Secure by default: Basic256Sha256, Aes128_Sha256_RsaOaep and
// Aes256_Sha256_RsaPss with Sign and SignAndEncrypt; SecurityPolicy None only when the config
// allows insecure access, and then for anonymous read-only browsing and nothing else.
import path from "node:path";
import { MessageSecurityMode, OPCUACertificateManager, SecurityPolicy, UserTokenType, type OPCUAServer } from "node-opcua";
import type { Config } from "../config/schema.js";

export const SECURE_POLICIES = [SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss] as const;
export const SECURE_MODES = [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt] as const;

export interface EndpointPlan {
  securityPolicies: SecurityPolicy[];
  securityModes: MessageSecurityMode[];
  /** Whether a session may use SecurityPolicy None (false: only discovery may, see below). */
  offerNone: boolean;
  warnings: string[];
}

export function planEndpoints(o: Config["opcua"]): EndpointPlan {
  const warnings: string[] = [];
  // None serves anonymous read-only browsing at most: without anonymous it would serve nothing.
  const offerNone = o.allowInsecure && o.allowAnonymous;
  if (o.allowInsecure && !o.allowAnonymous) warnings.push("opcua.allowInsecure is set but anonymous is off: no SecurityPolicy None endpoint is offered");
  if (offerNone) warnings.push("SecurityPolicy None is offered (opcua.allowInsecure): anonymous read-only browsing without security");
  return {
    securityPolicies: offerNone ? [SecurityPolicy.None, ...SECURE_POLICIES] : [...SECURE_POLICIES],
    securityModes: offerNone ? [MessageSecurityMode.None, ...SECURE_MODES] : [...SECURE_MODES],
    offerNone,
    warnings,
  };
}

/**
 * Trims the user tokens of every endpoint. X.509 user tokens go: users log in with a
 * password from the users file. On the None endpoint only Anonymous stays, so that a None
 * session is anonymous and read-only whatever the client sends.
 *
 * With None off, node-opcua still keeps a "restricted" None endpoint for the discovery
 * services (GetEndpoints, FindServers), which Part 4 5.4 requires to work without security
 * and which every client uses to learn the server's certificate. It is never returned by
 * GetEndpoints and CreateSession on it is refused (BadSecurityModeRejected); the tests check both.
 */
export function tailorUserTokens(server: OPCUAServer, plan: EndpointPlan, allowAnonymous: boolean): void {
  for (const endpoint of server.endpoints) {
    for (const desc of endpoint.endpointDescriptions()) {
      const none = desc.securityMode === MessageSecurityMode.None;
      desc.userIdentityTokens = (desc.userIdentityTokens ?? []).filter((t) => {
        if (t.tokenType === UserTokenType.Anonymous) return allowAnonymous && (!none || plan.offerNone);
        if (t.tokenType === UserTokenType.UserName) return !none;
        return false;
      });
    }
  }
}

/**
 * The stores under the data directory: `pki/` for application certificates (the server's
 * own, created offline at first start; trusted/ and rejected/ clients), `pki-users/` for
 * X.509 user certificates, which nothing trusts. Unknown certificates are rejected and put
 * in rejected/ for `reclaim certs trust`: node-opcua's default manager would accept them all.
 */
export function certificateManagers(pkiDir: string): { server: OPCUACertificateManager; user: OPCUACertificateManager } {
  return {
    server: new OPCUACertificateManager({ rootFolder: pkiDir, automaticallyAcceptUnknownCertificate: false, keySize: 2048, name: "reclaim" }),
    user: new OPCUACertificateManager({ rootFolder: path.join(path.dirname(pkiDir), "pki-users"), automaticallyAcceptUnknownCertificate: false, name: "reclaim-users" }),
  };
}
