// A node-opcua client session for tests: anonymous, SecurityPolicy None, one session.
import { AttributeIds, MessageSecurityMode, OPCUAClient, SecurityPolicy, type ClientSession } from "node-opcua";

export interface TestSession {
  session: ClientSession;
  ns: number;
  read(id: string): Promise<{ value: unknown; status: string; sourceTimestamp: Date | null }>;
  close(): Promise<void>;
}

export async function openSession(endpointUrl: string, namespaceUri: string): Promise<TestSession> {
  const client = OPCUAClient.create({
    applicationName: "reclaim-test",
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 3, initialDelay: 100, maxDelay: 500 },
  });
  await client.connect(endpointUrl);
  const session = await client.createSession();
  const namespaces = (await session.readNamespaceArray()) ?? [];
  const ns = namespaces.indexOf(namespaceUri);
  if (ns < 0) throw new Error(`namespace ${namespaceUri} not found in ${namespaces.join(", ")}`);
  return {
    session,
    ns,
    async read(id) {
      const dv = await session.read({ nodeId: `ns=${ns};s=${id}`, attributeId: AttributeIds.Value });
      return { value: dv.value.value as unknown, status: dv.statusCode.name, sourceTimestamp: dv.sourceTimestamp };
    },
    async close() {
      await session.close();
      await client.disconnect();
    },
  };
}
