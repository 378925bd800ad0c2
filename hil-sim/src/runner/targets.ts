// What a scenario may target when it runs against a given controller config: the plant's
// tags and devices (what the simulator can fault) that the config also knows (what the
// controller can see). A fault on a tag or device the controller never reads would test
// nothing, so the parser rejects it as unknown, with the file and line.
import type { Config } from "../../../src/config/schema.js";
import { REFERENCE_TARGETS, type KnownTargets } from "../scenario/schema.js";

export function knownTargetsFor(config: Config): KnownTargets {
  const devices = new Set(config.devices.map((d) => d.name));
  const tags = new Set(config.tags.map((t) => t.name));
  // Drive readings are faulted as "<drive>.<field>" (the plant's names); the config names
  // them differently, so they count as known when the drive itself is configured.
  const visible = (tag: string): boolean => tags.has(tag) || devices.has(tag.split(".")[0] ?? "");
  return {
    tags: REFERENCE_TARGETS.tags.filter(visible),
    devices: REFERENCE_TARGETS.devices.filter((d) => devices.has(d)),
    drives: REFERENCE_TARGETS.drives.filter((d) => devices.has(d)),
    currentLoopTags: REFERENCE_TARGETS.currentLoopTags.filter((t) => tags.has(t)),
  };
}
