// The poll planner: coalescing rules, the reference skid's plan, optimality against brute
// force, determinism, and the line budget that says when a line cannot keep up.
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { configSchema, type Config, type ConfigInput } from "../../../src/config/schema.js";
import { budgetProblems, formatPlan, lineBudgets, planBlocks, planPoll, rtuRequestMs, type ReadBlock } from "../../../src/field/modbus/planner.js";

type TagInput = ConfigInput["tags"][number];
type DeviceInput = ConfigInput["devices"] extends (infer D)[] | undefined ? D : never;
type LineInput = ConfigInput["lines"] extends (infer L)[] | undefined ? L : never;

const REFERENCE = fileURLToPath(new URL("../../../config/reference-skid.yaml", import.meta.url));

function config(tags: TagInput[], devices: Partial<DeviceInput>[] = [{}], lines: LineInput[] = [{ name: "l1", type: "tcp" }]): Config {
  return configSchema.parse({
    version: 1,
    skid: { id: "T" },
    lines,
    devices: devices.map((d, i) => ({ name: `d${i + 1}`, line: lines[0]?.name ?? "l1", unit: i + 1, ...d })),
    tags,
    quality: { valve: "X", designFlow: 30, ccps: [{ name: "C", tag: "X", alert: { high: 1 }, critical: { high: 2 }, delay: "10s", transportVolume: 1 }] },
  });
}

function tag(name: string, address: number, more: Record<string, unknown> = {}): TagInput {
  return { name, modbus: { device: "d1", table: "holding", address, poll: "1s", ...more } };
}

/** [address, count] of every block, for compact assertions. */
function spans(c: Config): [number, number][] {
  return planBlocks(planPoll(c)).map((b) => [b.address, b.count]);
}

describe("the reference skid", () => {
  const ref = loadConfig(REFERENCE).config;
  const plan = planPoll(ref);

  it("analyzer-1: one FC04 block IR 0..62 a second (the 7-register gaps are within maxGap 8)", () => {
    const analyzer = plan.lines.find((l) => l.line === "tcp-analyzer");
    expect(analyzer?.groups).toHaveLength(1);
    expect(analyzer?.groups[0]?.period).toBe(1000);
    const blocks = analyzer?.groups[0]?.devices[0]?.blocks ?? [];
    expect(blocks.map(({ fc, address, count }) => ({ fc, address, count }))).toEqual([{ fc: 4, address: 0, count: 63 }]);
    expect(blocks[0]?.tags).toContainEqual({ tag: "AIT-403", offset: 50, count: 2, role: "value" });
    expect(blocks[0]?.tags).toContainEqual({ tag: "AIT-403", offset: 52, count: 1, role: "status" });
    expect(blocks[0]?.tags).toHaveLength(14);
  });

  it("analyzer-1 with maxGap 6 reads each channel on its own: 7 blocks of 3", () => {
    const tight = structuredClone(ref);
    (tight.devices.find((d) => d.name === "analyzer-1") as Config["devices"][number]).maxGap = 6;
    const blocks = planBlocks(planPoll(tight)).filter((b) => b.device === "analyzer-1");
    expect(blocks.map((b) => [b.address, b.count])).toEqual([0, 10, 20, 30, 40, 50, 60].map((a) => [a, 3]));
  });

  it("rio-1: coils 0..3, DI 0..4, IR 0..5 every 200 ms", () => {
    const rio = plan.lines.find((l) => l.line === "tcp-rio");
    expect(rio?.groups.map((g) => g.period)).toEqual([200]);
    const blocks = rio?.groups[0]?.devices[0]?.blocks ?? [];
    expect(blocks.map(({ fc, address, count, period }) => ({ fc, address, count, period }))).toEqual([
      { fc: 1, address: 0, count: 4, period: 200 },
      { fc: 2, address: 0, count: 5, period: 200 },
      { fc: 4, address: 0, count: 6, period: 200 },
    ]);
    expect(plan.problems).toEqual([]);
  });

  it("rs485-1: two blocks per drive and one per flowmeter every 500 ms, the flowmeter status word in its block", () => {
    const rs485 = plan.lines.find((l) => l.line === "rs485-1");
    expect(rs485?.groups.map((g) => g.period)).toEqual([500]);
    const blocks = rs485?.groups[0]?.devices.flatMap((d) => d.blocks) ?? [];
    expect(blocks.map(({ device, fc, address, count }) => `${device} FC${fc} ${address}+${count}`)).toEqual([
      "vfd-p101 FC3 0+2",
      "vfd-p101 FC3 50+5",
      "vfd-p301 FC3 0+2",
      "vfd-p301 FC3 50+5",
      "flow-201 FC4 0+5",
      "flow-301 FC4 0+5",
      "flow-302 FC4 0+5",
      "flow-501 FC4 0+5",
    ]);
    expect(blocks[4]?.tags).toContainEqual({ tag: "FIT-201", offset: 4, count: 1, role: "status" });
  });

  it("fits all three lines, and prints a table", () => {
    const budgets = lineBudgets(plan, ref);
    expect(budgets.map((b) => [b.line, b.requestsPerSecond, b.fits])).toEqual([
      ["tcp-analyzer", 1, true],
      ["tcp-rio", 15, true],
      ["rs485-1", 16, true],
    ]);
    expect(budgetProblems(ref)).toEqual([]);
    const text = formatPlan(plan, budgets);
    expect(text).toContain("analyzer-1 unit 1 FC04 IR 0..62: AIT-201, AIT-301");
    expect(text).toContain("rio-1 unit 1 FC02 discrete inputs 0..4: P-202-RUN");
    expect(text).toMatch(/line tcp-rio \(tcp, estimated\), 15\.0 requests\/s, utilization 7\.5 % \(budget 70\.0 %\): fits/);
    expect(text).toMatch(/line rs485-1 \(rtu, estimated\), 16\.0 requests\/s, utilization 34\.1 % \(budget 70\.0 %\): fits/);
  });
});

describe("coalescing rules", () => {
  it("merges across a gap of exactly maxGap unused registers, not one more", () => {
    expect(spans(config([tag("A", 0), tag("B", 4)], [{ maxGap: 3 }]))).toEqual([[0, 5]]);
    expect(spans(config([tag("A", 0), tag("B", 5)], [{ maxGap: 3 }]))).toEqual([
      [0, 1],
      [5, 1],
    ]);
    expect(spans(config([tag("A", 0), tag("B", 1)], [{ maxGap: 0 }]))).toEqual([[0, 2]]);
  });

  it("splits at maxRegisters", () => {
    const tags = Array.from({ length: 10 }, (_, i) => tag(`T${i}`, i));
    expect(spans(config(tags, [{ maxRegisters: 4 }]))).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ]);
  });

  it("never splits a float across blocks", () => {
    const tags = [tag("A", 0), tag("B", 1), tag("C", 2), tag("F", 3, { type: "float32" }), tag("D", 5, { type: "float64" })];
    expect(spans(config(tags, [{ maxRegisters: 4 }]))).toEqual([
      [0, 3],
      [3, 2],
      [5, 4],
    ]);
  });

  it("keeps tables, devices and poll groups apart, and caps bits at maxBits", () => {
    const coils = Array.from({ length: 5 }, (_, i) => tag(`C${i}`, i, { table: "coil", type: "bool" }));
    const c = config([...coils, tag("H", 0), tag("I", 0, { table: "input" }), tag("S", 1, { poll: "200ms" }), { name: "O", modbus: { device: "d2", table: "holding", address: 1 } }], [{ maxBits: 3 }, {}]);
    const plan = planPoll(c);
    expect(plan.lines[0]?.groups.map((g) => g.period)).toEqual([200, 1000]);
    expect(planBlocks(plan).map((b) => [b.period, b.device, b.fc, b.address, b.count])).toEqual([
      [200, "d1", 3, 1, 1],
      [1000, "d1", 1, 0, 3],
      [1000, "d1", 1, 3, 2],
      [1000, "d1", 3, 0, 1],
      [1000, "d1", 4, 0, 1],
      [1000, "d2", 3, 1, 1],
    ]);
  });

  it("reads status words in the same pass: in the value's block, another table, or shared", () => {
    const st = (address: number, table = "input") => ({ status: { table, address, badMask: 1 } });
    const c = config([
      tag("A", 0, { table: "input", type: "float32", ...st(2) }),
      tag("B", 3, { table: "input", ...st(2) }),
      tag("C", 10, { table: "input", ...st(100, "holding") }),
    ]);
    const blocks = planBlocks(planPoll(c));
    expect(blocks.map((b) => [b.fc, b.address, b.count])).toEqual([
      [3, 100, 1],
      [4, 0, 11],
    ]);
    expect(blocks[1]?.tags.filter((t) => t.role === "status")).toEqual([
      { tag: "A", offset: 2, count: 1, role: "status" },
      { tag: "B", offset: 2, count: 1, role: "status" },
    ]);
    expect(blocks[0]?.tags).toEqual([{ tag: "C", offset: 0, count: 1, role: "status" }]);
  });

  it("reads bits of one register once, and reports a value wider than the device allows", () => {
    const c = config([tag("B0", 7, { type: "bool", bit: 0 }), tag("B5", 7, { type: "bool", bit: 5 }), tag("W", 20, { type: "float64" })], [{ maxRegisters: 2 }]);
    const plan = planPoll(c);
    expect(planBlocks(plan).map((b) => [b.address, b.count, b.tags.length])).toEqual([
      [7, 1, 2],
      [20, 4, 1],
    ]);
    expect(plan.problems).toEqual([{ path: ["tags", 2, "modbus"], message: "d1 HR 20: W need 4 in one request, but d1 allows maxRegisters 2" }]);
    expect(budgetProblems(c).map((p) => p.message)).toContain(plan.problems[0]?.message);
  });

  it("skips tags of unknown devices (the semantic check reports them)", () => {
    const c = config([tag("A", 0), { name: "Z", modbus: { device: "nope", table: "holding", address: 0 } }]);
    expect(planBlocks(planPoll(c))).toHaveLength(1);
  });

  it("coalesce: false gives one request per value", () => {
    expect(planBlocks(planPoll(config([tag("A", 0), tag("B", 1)]), { coalesce: false }))).toHaveLength(2);
  });
});

// Random tags on one device without overlaps: [gap before, type] laid out left to right.
const layout = fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom("uint16", "int32", "float32", "float64", "int16")), { minLength: 1, maxLength: 8 });

function laidOut(parts: [number, string][]): { tags: TagInput[]; spans: [number, number][] } {
  let at = 0;
  const width: Record<string, number> = { uint16: 1, int16: 1, int32: 2, float32: 2, float64: 4 };
  const tags: TagInput[] = [];
  const s: [number, number][] = [];
  parts.forEach(([gap, type], i) => {
    at += gap;
    tags.push(tag(`T${i}`, at, { type }));
    s.push([at, at + (width[type] as number)]);
    at += width[type] as number;
  });
  return { tags, spans: s };
}

/** The fewest requests over every partition of the sorted values into contiguous blocks. */
function bruteForce(s: [number, number][], maxGap: number, cap: number): number {
  const n = s.length;
  let best = Infinity;
  for (let cuts = 0; cuts < 1 << (n - 1); cuts++) {
    let blocks = 1;
    let first = 0;
    let ok = true;
    for (let i = 1; i <= n && ok; i++) {
      const cut = i === n || (cuts & (1 << (i - 1))) !== 0;
      if (!cut) {
        if ((s[i] as [number, number])[0] - (s[i - 1] as [number, number])[1] > maxGap) ok = false;
        continue;
      }
      if ((s[i - 1] as [number, number])[1] - (s[first] as [number, number])[0] > cap) ok = false;
      if (i < n) blocks++;
      first = i;
    }
    if (ok) best = Math.min(best, blocks);
  }
  return best;
}

describe("optimality and determinism", () => {
  it("uses as few requests as brute force finds, and never splits a value", () => {
    fc.assert(
      fc.property(layout, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 4, max: 20 }), fc.context(), (parts, maxGap, maxRegisters, ctx) => {
        const { tags, spans: s } = laidOut(parts);
        const blocks = planBlocks(planPoll(config(tags, [{ maxGap, maxRegisters }])));
        ctx.log(JSON.stringify(blocks.map((b) => [b.address, b.count])));
        expect(blocks.length).toBe(bruteForce(s, maxGap, maxRegisters));
        for (const b of blocks) {
          expect(b.count).toBeLessThanOrEqual(maxRegisters);
          for (const t of b.tags) expect(t.offset + t.count).toBeLessThanOrEqual(b.count);
        }
        expect(blocks.flatMap((b) => b.tags.map((t) => t.tag)).sort()).toEqual(tags.map((t) => t.name).sort());
      }),
      { numRuns: 500 },
    );
  });

  it("gives the identical plan for the tags in any order", () => {
    const ref = loadConfig(REFERENCE).config;
    const expected = planPoll(ref);
    fc.assert(
      fc.property(fc.shuffledSubarray(ref.tags, { minLength: ref.tags.length }), (shuffled) => {
        expect(planPoll({ ...ref, tags: shuffled })).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });
});

describe("line budget", () => {
  const rtu = (baud: number): LineInput => ({ name: "rs485-1", type: "rtu", path: "/dev/ttyUSB0", baud });
  // One holding register on device d(i+1).
  const oneTagOf = (i: number, poll: string): TagInput => ({ name: `T${i}`, modbus: { device: `d${i + 1}`, table: "holding", address: 0, poll } });

  it("estimates an RTU transaction from frame sizes, silences and turnaround", () => {
    const line = configSchema.shape.lines.parse([rtu(19200)])[0];
    if (line?.type !== "rtu") throw new Error("rtu line expected");
    const charMs = 11000 / 19200; // 8E1: start + 8 + parity + stop
    const block: Pick<ReadBlock, "fc" | "count"> = { fc: 4, count: 2 };
    expect(rtuRequestMs(block, line)).toBeCloseTo((8 + 9) * charMs + 7 * charMs + 5, 9);
    expect(rtuRequestMs({ fc: 1, count: 9 }, { ...line, baud: 38400 }, 0)).toBeCloseTo((8 + 7) * (11000 / 38400) + 3.5, 9);
  });

  it("an RTU line at 9600 baud with 20 devices polled every 100 ms is over budget, naming the group to slow", () => {
    const devices = Array.from({ length: 20 }, () => ({}));
    const tags = devices.map((_, i) => oneTagOf(i, "100ms"));
    const c = config([...tags, tag("SLOW", 10, { poll: "5s" })], devices, [rtu(9600)]);
    const problems = budgetProblems(c);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toEqual(["lines", 0, "budget"]);
    expect(problems[0]?.message).toMatch(/^line rs485-1 is over its poll budget by \d+ % of the line's time: the plan needs \d+ %, the budget is 70 %;/);
    expect(problems[0]?.message).toContain("poll group 100ms uses the most (20 requests a cycle");
    expect(problems[0]?.message).toMatch(/slow poll group 100ms to \d+ms or more, or raise the baud rate/);
    const [b] = lineBudgets(planPoll(c), c);
    expect(b?.requestsPerSecond).toBeCloseTo(200.2, 6);
    expect(b?.fits).toBe(false);
    expect(formatPlan(planPoll(c), lineBudgets(planPoll(c), c))).toContain("OVER BUDGET");
  });

  it("the suggested period is enough", () => {
    const devices = Array.from({ length: 20 }, () => ({}));
    const tags = devices.map((_, i) => oneTagOf(i, "100ms"));
    const c = config(tags, devices, [rtu(9600)]);
    const period = /to (\d+)ms or more/.exec(budgetProblems(c)[0]?.message ?? "")?.[1];
    const slowed = config(
      devices.map((_, i) => oneTagOf(i, `${period}ms`)),
      devices,
      [rtu(9600)],
    );
    expect(budgetProblems(slowed)).toEqual([]);
  });

  it("a TCP line uses measured times and maxInFlight", () => {
    const tags = Array.from({ length: 10 }, (_, i) => tag(`T${i}`, i * 200, { poll: "100ms" }));
    const one = config(tags, [{}], [{ name: "l1", type: "tcp" }]);
    expect(lineBudgets(planPoll(one), one)[0]?.utilization).toBeCloseTo(0.5, 9);
    expect(lineBudgets(planPoll(one), one, { l1: 20 })[0]).toMatchObject({ fits: false, measured: true });
    expect(budgetProblems(one, { l1: 20 })[0]?.message).toContain("raise maxInFlight");
    const four = config(tags, [{}], [{ name: "l1", type: "tcp", maxInFlight: 4 }]);
    expect(lineBudgets(planPoll(four), four, { l1: 20 })[0]).toMatchObject({ utilization: 0.5, fits: true });
  });
});
