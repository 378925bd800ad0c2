// The demo's settings (allowInsecure and allowAnonymous on): SecurityPolicy None is offered,
// but only for anonymous read-only browsing. Reads and browsing work; method calls and
// writes are refused before they reach the command intake, over None and as anonymous.
import { AttributeIds, BrowseDirection, MessageSecurityMode, OPCUAClient, StatusCodes, UserTokenType, DataType } from "node-opcua";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, startHarness, USERS, type Connected, type Harness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ allowInsecure: true, allowAnonymous: true });
});

afterAll(async () => {
  await h?.stop();
});

async function tryCommands(c: Connected): Promise<{ call: string; write: string }> {
  const call = await c.session.call({ objectId: `ns=${c.ns};s=${h.config.skid.id}`, methodId: `ns=${c.ns};s=Start`, inputArguments: [] });
  const write = await c.session.write({
    nodeId: `ns=${c.ns};s=Setpoints.ProductFlow`,
    attributeId: AttributeIds.Value,
    value: { value: { dataType: DataType.Double, value: 20 } },
  });
  return { call: call.statusCode.name, write: write.name };
}

describe("with allowInsecure", () => {
  it("offers a None endpoint for anonymous users only, next to the secured ones", async () => {
    const c = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await c.connect(h.endpointUrl);
    const eps = await c.getEndpoints();
    await c.disconnect();
    const none = eps.filter((e) => e.securityMode === MessageSecurityMode.None);
    expect(none).toHaveLength(1);
    expect((none[0]?.userIdentityTokens ?? []).map((t) => t.tokenType)).toEqual([UserTokenType.Anonymous]);
    const secure = eps.filter((e) => e.securityMode !== MessageSecurityMode.None);
    expect(secure).toHaveLength(6);
    for (const e of secure) expect((e.userIdentityTokens ?? []).map((t) => t.tokenType).sort()).toEqual([UserTokenType.Anonymous, UserTokenType.UserName].sort());
  });

  it("serves anonymous browsing and reading over None", async () => {
    const c = await connect(h, { mode: "None" });
    try {
      const browsed = await c.session.browse({ nodeId: `ns=${c.ns};s=${h.config.skid.id}`, browseDirection: BrowseDirection.Forward, resultMask: 63 });
      const names = (browsed.references ?? []).map((r) => r.browseName.name);
      expect(names).toEqual(expect.arrayContaining(["Tags", "State", "StateCurrent", "Mode", "QualityMode", "Interlocks", "Devices", "Totals", "Setpoints", "Start", "ResetDivert"]));
      const dv = await c.session.read({ nodeId: `ns=${c.ns};s=QualityMode`, attributeId: AttributeIds.Value });
      expect(dv.value.value).toBe("Reuse");
    } finally {
      await c.close();
    }
  });

  it("refuses method calls and writes over None, whoever asks", async () => {
    const c = await connect(h, { mode: "None" });
    try {
      const r = await tryCommands(c);
      expect([r.call, r.write].every((s) => s === "BadUserAccessDenied" || s === "BadSecurityModeInsufficient")).toBe(true);
    } finally {
      await c.close();
    }
    expect(h.intake.requests).toHaveLength(0);
  });

  it("keeps anonymous read-only on a secured channel too", async () => {
    const c = await connect(h, { mode: "SignAndEncrypt" });
    try {
      expect(await tryCommands(c)).toEqual({ call: "BadUserAccessDenied", write: "BadUserAccessDenied" });
    } finally {
      await c.close();
    }
    expect(h.intake.requests).toHaveLength(0);
  });

  it("lets an Operator on a secured channel do what anonymous may not", async () => {
    const c = await connect(h, { user: USERS.operator });
    try {
      expect(await tryCommands(c)).toEqual({ call: "Good", write: "Good" });
    } finally {
      await c.close();
    }
    expect(h.intake.requests.map((r) => [r.command, r.user, r.role])).toEqual([
      ["Start", USERS.operator.name, "operator"],
      ["setpoint", USERS.operator.name, "operator"],
    ]);
    expect(StatusCodes.Good.name).toBe("Good");
  });
});
