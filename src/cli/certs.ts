// `reclaim certs list|trust|reject`: the OPC UA server's trust list, managed offline on the
// PKI folders under the data directory. A client the server does not know is refused and its
// certificate lands in rejected/; `reclaim certs trust <thumbprint>` moves it to trusted/, and
// the running server takes the change without a restart.
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { listCertificates, pkiDirOf, rejectCertificate, trustCertificate, type CertInfo } from "../opcua/pki.js";
import { ERROR_CODES, ReclaimError } from "../system/errors.js";
import { DEFAULT_CONFIG } from "./options.js";

interface PkiOpts {
  config: string;
  pki?: string;
}

function pkiDir(opts: PkiOpts): string {
  return opts.pki ?? pkiDirOf(loadConfig(opts.config).config);
}

function withPki(cmd: Command): Command {
  return cmd
    .option("--config <file>", "config file (the PKI is <data dir>/pki, next to the store)", DEFAULT_CONFIG)
    .option("--pki <dir>", "PKI folder, instead of the config's");
}

function line(c: CertInfo): string {
  const uri = c.applicationUri ? `  ${c.applicationUri}` : "";
  return `${c.store.padEnd(8)} ${c.thumbprint}  ${c.subject}${uri}  valid to ${c.validTo.slice(0, 10)}${c.expired ? " (EXPIRED)" : ""}`;
}

function rejected(err: unknown): ReclaimError {
  return new ReclaimError(ERROR_CODES.COMMAND_REJECTED, (err as Error).message, { cause: err });
}

export function registerCerts(program: Command, out: NodeJS.WritableStream = process.stdout): void {
  const certs = program.command("certs").description("the OPC UA server's certificate trust list (offline, on the PKI folders)");

  withPki(certs.command("list").description("the server's own certificate and the trusted, rejected and issuer certificates"))
    .option("--json", "print one JSON array")
    .action((opts: PkiOpts & { json?: boolean }) => {
      const list = listCertificates(pkiDir(opts));
      if (opts.json) {
        out.write(`${JSON.stringify(list)}\n`);
        return;
      }
      if (list.length === 0) out.write("no certificates yet: the server creates its own at first start\n");
      for (const c of list) out.write(`${line(c)}\n`);
    });

  withPki(certs.command("trust <thumbprint|file>").description("trust a client: a rejected certificate by thumbprint (8+ hex digits), or a certificate file"))
    .action((what: string, opts: PkiOpts) => {
      let c: CertInfo;
      try {
        c = trustCertificate(pkiDir(opts), what);
      } catch (err) {
        throw rejected(err);
      }
      out.write(`trusted ${c.subject} (${c.thumbprint})${c.applicationUri ? ` ${c.applicationUri}` : ""}\n`);
      if (c.expired) out.write(`warning: this certificate expired on ${c.validTo}; the server will still refuse it\n`);
    });

  withPki(certs.command("reject <thumbprint>").description("stop trusting a client certificate (moved to rejected/)"))
    .action((what: string, opts: PkiOpts) => {
      let c: CertInfo;
      try {
        c = rejectCertificate(pkiDir(opts), what);
      } catch (err) {
        throw rejected(err);
      }
      out.write(`rejected ${c.subject} (${c.thumbprint}): its sessions are refused from the next connection on\n`);
    });
}
