// Where the OPC UA server keeps its files under the data directory (the store's folder):
// `pki/` (own certificate and key, trusted/, rejected/, issuers/), `pki-users/` for X.509
// user tokens (none are trusted: users log in with a password), and `users.yaml`. Also the
// offline trust-list operations behind `reclaim certs`, done with node:crypto alone so the
// CLI needs no running server and creates no key as a side effect.
import { X509Certificate, createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config/schema.js";

export function dataDirOf(config: Config): string {
  return path.dirname(config.store.path);
}

export function pkiDirOf(config: Config): string {
  return path.join(dataDirOf(config), "pki");
}

export function usersFileOf(config: Config): string {
  return config.opcua.usersFile ?? path.join(dataDirOf(config), "users.yaml");
}

export type TrustStore = "trusted" | "rejected" | "issuers" | "own";

const STORE_DIRS: Record<TrustStore, string> = {
  trusted: "trusted/certs",
  rejected: "rejected",
  issuers: "issuers/certs",
  own: "own/certs",
};

export interface CertInfo {
  store: TrustStore;
  file: string;
  /** SHA-1 of the DER, lower-case hex: the OPC UA certificate thumbprint. */
  thumbprint: string;
  subject: string;
  applicationUri: string | null;
  validFrom: string;
  validTo: string;
  expired: boolean;
}

const PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** The certificates of a PEM or DER file (a chain: the application's own first). */
export function readCertificates(file: string): Buffer[] {
  const raw = readFileSync(file);
  const text = raw.toString("latin1");
  if (text.includes("-----BEGIN CERTIFICATE-----")) {
    return [...text.matchAll(PEM_RE)].map((m) => Buffer.from((m[1] as string).replace(/\s+/g, ""), "base64"));
  }
  return [raw];
}

export function thumbprintOf(der: Buffer): string {
  return createHash("sha1").update(der).digest("hex");
}

export function describeCertificate(der: Buffer, store: TrustStore, file: string, now = Date.now()): CertInfo {
  const x = new X509Certificate(der);
  const uri = /URI:([^,\s]+)/.exec(x.subjectAltName ?? "");
  return {
    store,
    file,
    thumbprint: thumbprintOf(der),
    subject: x.subject.replace(/\n/g, ", "),
    applicationUri: uri ? (uri[1] as string) : null,
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    expired: new Date(x.validTo).getTime() < now,
  };
}

export function listCertificates(pkiDir: string, stores: readonly TrustStore[] = ["own", "trusted", "rejected", "issuers"]): CertInfo[] {
  const out: CertInfo[] = [];
  for (const store of stores) {
    const dir = path.join(pkiDir, STORE_DIRS[store]);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (!statSync(file).isFile() || !/\.(pem|der|crt|cer)$/i.test(name)) continue;
      try {
        const [leaf] = readCertificates(file);
        if (leaf) out.push(describeCertificate(leaf, store, file));
      } catch {
        // A file that is not a certificate is not listed; node-opcua ignores it as well.
      }
    }
  }
  return out;
}

function toPem(certs: readonly Buffer[]): string {
  return certs.map((c) => `-----BEGIN CERTIFICATE-----\n${(c.toString("base64").match(/.{1,64}/g) ?? []).join("\n")}\n-----END CERTIFICATE-----\n`).join("");
}

/** node-opcua-pki's own naming, "<common name>[<thumbprint>].pem", so both tools find the same file. */
function fileNameFor(der: Buffer): string {
  const cn = /CN=([^\n,]+)/.exec(new X509Certificate(der).subject)?.[1] ?? "certificate";
  const label = cn.replace(/[^A-Za-z0-9 _.-]/g, "_").slice(0, 64).trim() || "certificate";
  return `${label}[${thumbprintOf(der)}].pem`;
}

function normalizeThumbprint(s: string): string {
  return s.replace(/[:\s]/g, "").toLowerCase();
}

/** Finds one certificate by thumbprint (or an unambiguous prefix of at least 8 hex digits). */
export function findCertificate(pkiDir: string, thumbprint: string, stores: readonly TrustStore[]): CertInfo {
  const want = normalizeThumbprint(thumbprint);
  if (!/^[0-9a-f]{8,40}$/.test(want)) throw new Error(`'${thumbprint}' is neither a certificate file nor a thumbprint (at least 8 hex digits)`);
  const hits = listCertificates(pkiDir, stores).filter((c) => c.thumbprint.startsWith(want));
  const unique = [...new Map(hits.map((h) => [h.thumbprint, h])).values()];
  if (unique.length === 0) throw new Error(`no certificate ${thumbprint} in ${stores.join(" or ")} under ${pkiDir}`);
  if (unique.length > 1) throw new Error(`thumbprint prefix ${thumbprint} matches ${unique.length} certificates; give more digits`);
  return unique[0] as CertInfo;
}

function removeEverywhere(pkiDir: string, thumbprint: string, stores: readonly TrustStore[]): void {
  for (const c of listCertificates(pkiDir, stores)) if (c.thumbprint === thumbprint) unlinkSync(c.file);
}

function place(pkiDir: string, certs: readonly Buffer[], store: "trusted" | "rejected"): CertInfo {
  const leaf = certs[0];
  if (!leaf) throw new Error("no certificate to place");
  const dir = path.join(pkiDir, STORE_DIRS[store]);
  mkdirSync(dir, { recursive: true });
  const other: TrustStore = store === "trusted" ? "rejected" : "trusted";
  const thumb = thumbprintOf(leaf);
  removeEverywhere(pkiDir, thumb, [other]);
  const target = path.join(dir, fileNameFor(leaf));
  // Written to a temporary name and renamed, so the running server's watcher sees one whole file.
  const tmp = path.join(pkiDir, `.${thumb}.tmp`);
  writeFileSync(tmp, toPem(certs));
  renameSync(tmp, target);
  return describeCertificate(leaf, store, target);
}

/** Trusts a client certificate: a file (PEM or DER), or one in rejected/ named by thumbprint. */
export function trustCertificate(pkiDir: string, fileOrThumbprint: string): CertInfo {
  if (existsSync(fileOrThumbprint) && statSync(fileOrThumbprint).isFile()) {
    const certs = readCertificates(fileOrThumbprint);
    certs.forEach((c) => new X509Certificate(c)); // refuse anything that does not parse
    return place(pkiDir, certs, "trusted");
  }
  const found = findCertificate(pkiDir, fileOrThumbprint, ["rejected", "trusted"]);
  if (found.store === "trusted") return found;
  return place(pkiDir, readCertificates(found.file), "trusted");
}

/** Moves a trusted certificate to rejected/: its application can no longer connect. */
export function rejectCertificate(pkiDir: string, thumbprint: string): CertInfo {
  const found = findCertificate(pkiDir, thumbprint, ["trusted", "rejected"]);
  if (found.store === "rejected") return found;
  return place(pkiDir, readCertificates(found.file), "rejected");
}
