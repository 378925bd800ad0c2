// Renders config/production-template.yaml from config/reference-skid.yaml: the same skid,
// with the opcua, store, control and gpio sections and the simulator's TCP addresses replaced
// by production settings, and every other line (comments included) kept as it is. The test
// fails when the committed template is behind the reference; then run
//   node --import tsx tests/opcua/render-production-template.ts
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REFERENCE_PATH = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));
export const TEMPLATE_PATH = fileURLToPath(new URL("../../config/production-template.yaml", import.meta.url));

const HEADER = `# Production template: the reference skid RS-30 (reference-skid.yaml, REFERENCE-SKID.md) as
# it runs on a real gateway. Copy it to /etc/reclaim/reclaim.yaml and adapt the skid id,
# addresses, device paths and limits; \`reclaim run --config\` checks it at start-up.
# Generated from reference-skid.yaml by tests/opcua/render-production-template.ts, which
# changes only: OPC UA secured (no SecurityPolicy None, no anonymous sessions, users from
# /etc/reclaim/users.yaml managed with \`reclaim users\`); the store and control socket where
# the systemd unit expects them; the real GPIO backend; the devices' real addresses.
`;

const SECTIONS: Record<string, string> = {
  opcua: `opcua:
  port: 4840
  # Signed or signed-and-encrypted sessions only (Basic256Sha256, Aes128_Sha256_RsaOaep,
  # Aes256_Sha256_RsaPss), each with a user of the users file. A SCADA client's certificate is
  # refused until trusted: \`reclaim certs list\`, then \`reclaim certs trust <thumbprint>\`.
  allowInsecure: false
  allowAnonymous: false
  usersFile: /etc/reclaim/users.yaml
  maxSessions: 20
`,
  store: `store:
  # The OPC UA PKI is created next to it at the first start, offline: /var/lib/reclaim/pki.
  path: /var/lib/reclaim/reclaim.sqlite
  flushInterval: 1s
`,
  control: `control:
  socket: /run/reclaim/reclaim.sock
`,
  gpio: `gpio:
  backend: onoff
  # The board's first GPIO number: 512 on current Raspberry Pi kernels (check with gpioinfo).
  lineBase: 512
`,
};

/** The skid's own network, where the simulator's loopback ports are in the demo. */
const ADDRESSES: Record<string, string> = { "tcp-analyzer": "192.168.10.20", "tcp-rio": "192.168.10.21" };

function fail(what: string): never {
  throw new Error(`reference-skid.yaml changed shape (${what}): update tests/opcua/render-production-template.ts`);
}

export function renderProductionTemplate(reference: string): string {
  let text = reference;
  // The comment paragraph after the schema line is the file's description.
  text = text.replace(/^(# yaml-language-server:[^\n]*\n)(#[^\n]*\n)+/, (_m, schema: string) => schema + HEADER);
  if (!text.includes(HEADER)) fail("header comment");
  for (const [key, body] of Object.entries(SECTIONS)) {
    // A top-level section: its key line and every indented or blank line after it.
    const re = new RegExp(`^${key}:\\n(?:(?:[ \\t]+[^\\n]*|)\\n)*?(?=\\n*^\\S)`, "m");
    if (!re.test(text)) fail(`section ${key}`);
    text = text.replace(re, body);
  }
  text = text.replace(/^ {2}# Ports are those of `npm run sim`[^\n]*\n(?: {2}#[^\n]*\n)*/m, "  # The analyzer and the remote I/O coupler on the skid's own network (Modbus TCP, port 502).\n");
  for (const [line, host] of Object.entries(ADDRESSES)) {
    const re = new RegExp(`(- \\{ name: ${line}, type: tcp, host: )[^,]+, port: \\d+`);
    if (!re.test(text)) fail(`line ${line}`);
    text = text.replace(re, `$1${host}, port: 502`);
  }
  return text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(TEMPLATE_PATH, renderProductionTemplate(readFileSync(REFERENCE_PATH, "utf8")));
  process.stdout.write(`wrote ${TEMPLATE_PATH}\n`);
}
