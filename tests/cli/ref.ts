// The reference skid as the CLI tests see it: its values are read, not copied, so the tests
// keep holding while the reference config evolves.
import type { Document, YAMLSeq } from "yaml";
import { referenceConfig } from "../helpers/config.js";

export const REF = referenceConfig();

export function setpointValue(name: string): number {
  const sp = REF.setpoints.find((s) => s.name === name);
  if (!sp) throw new Error(`the reference skid has no setpoint ${name}`);
  return sp.value;
}

/** A value inside [min, max] that differs from the setpoint's current one. */
export function otherValue(name: string, current = setpointValue(name)): number {
  const sp = REF.setpoints.find((s) => s.name === name);
  if (!sp) throw new Error(`the reference skid has no setpoint ${name}`);
  const mid = Math.round((sp.min + sp.max) / 2);
  return mid !== current ? mid : mid + 1;
}

/** The index of a named item in a YAML list (`["quality", "ccps"]`, "CCP-1"). */
export function indexOf(doc: Document, list: readonly string[], name: string, key = "name"): number {
  const seq = doc.getIn(list, true) as YAMLSeq | undefined;
  const i = seq?.items.findIndex((item) => (item as { get?: (k: string) => unknown }).get?.(key) === name) ?? -1;
  if (i < 0) throw new Error(`no ${name} in ${list.join(".")}`);
  return i;
}
