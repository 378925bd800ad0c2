// How config diffs, apply results and version lists read on a terminal.
import type { ConfigChange, ConfigDiff } from "../config/lifecycle-diff.js";
import type { ConfigVersionSummary } from "../store/index.js";
import { localTime, table } from "./format.js";

const MARK: Record<ConfigChange["kind"], string> = { added: "+", removed: "-", changed: "~" };

function shown(v: unknown): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 70 ? `${text.slice(0, 67)}…` : text;
}

function changeText(c: ConfigChange): string {
  if (c.kind === "added") return `${c.path}: ${shown(c.new)}`;
  if (c.kind === "removed") return `${c.path} (was ${shown(c.old)})`;
  return `${c.path}: ${shown(c.old)} → ${shown(c.new)}`;
}

export function formatDiff(d: ConfigDiff): string[] {
  if (d.changes.length === 0) return ["no changes"];
  const live = d.changes.filter((c) => c.applies === "live").length;
  const out = [`${d.changes.length} change${d.changes.length === 1 ? "" : "s"}: ${live} live, ${d.changes.length - live} need${d.changes.length - live === 1 ? "s" : ""} a restart`];
  const sections = [...new Set(d.changes.map((c) => c.section))];
  for (const s of sections) {
    out.push(`  ${s}`);
    const rows = d.changes.filter((c) => c.section === s).map((c) => [`    ${MARK[c.kind]} ${changeText(c)}`, `${c.applies}: ${c.why}`]);
    out.push(...table(rows));
  }
  out.push(
    d.restart
      ? "applying restarts the controller in-process: outputs go safe, the product is diverted until every CCP is verified again"
      : "applies live, without a restart",
  );
  return out;
}

export function formatVersions(versions: readonly ConfigVersionSummary[], currentSha: string | null, pending: { version: number; deadline: number } | null): string[] {
  if (versions.length === 0) return ["no config versions kept yet (the controller keeps one at its first start with a config file)"];
  // The running config is the newest version with the file's checksum.
  let current = -1;
  for (const v of versions) if (v.sha256 === currentSha) current = v.id;
  const rows = [["", "version", "applied", "by", "sha256", "note"]];
  for (const v of versions) {
    const mark = v.id === current ? "*" : pending?.version === v.id ? "?" : "";
    rows.push([mark, String(v.id), localTime(v.wallTs), v.user, v.sha256.slice(0, 12), v.note]);
  }
  const out = table(rows, [1]);
  out.push(current > 0 ? "* the version in the config file" : "the config file matches no kept version (edited by hand since?)");
  if (pending) out.push(`? awaits confirmation until ${localTime(pending.deadline)}: 'reclaim config confirm' keeps it`);
  return out;
}
