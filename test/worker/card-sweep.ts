import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import { captureLogs, captureQueueSends, scanForCardData } from "./card-scan";

/**
 * Issue 10's card-data check over everything the whole suite writes: every test file (storage is per file) ends with
 * a scan of its D1 tables, the storage of every Durable Object it touched, every queue body it sent and every log line
 * it printed. Registered once per file by setup.ts. A test that plants card data on purpose (the scanner's own test)
 * cleans it up and calls `forgetCapturedSoFar()`.
 */
const touched = new Map<string, { label: string; namespace: DurableObjectNamespace; id: string }>();
let logs = captureLogs();
let sends = captureQueueSends();

function recordDurableObjectStubs() {
  const namespaces: Record<string, DurableObjectNamespace> = {
    GroupBuyRoom: env.GROUP_BUY,
    UserChannel: env.USER_CHANNEL,
  };
  for (const [label, namespace] of Object.entries(namespaces)) {
    const get = namespace.get.bind(namespace);
    namespace.get = ((id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) => {
      touched.set(`${label}:${id.toString()}`, { label, namespace, id: id.toString() });
      return get(id, options);
    }) as typeof namespace.get;
  }
}

export function forgetCapturedSoFar() {
  logs.restore();
  sends.restore();
  logs = captureLogs();
  sends = captureQueueSends();
}

export function sweepEachFileForCardData() {
  recordDurableObjectStubs();
  afterAll(async () => {
    logs.restore();
    sends.restore();
    const durableObjects = Object.fromEntries(
      [...touched.values()].map(({ label, namespace, id }) => [
        `${label}:${id.slice(0, 8)}`,
        namespace.get(namespace.idFromString(id)),
      ]),
    );
    const found = await scanForCardData({ queueBodies: sends.bodies, logs: logs.lines, durableObjects });
    if (found.length > 0) {
      throw new Error(`card data was stored, sent or logged by this file: ${JSON.stringify(found.slice(0, 10))}`);
    }
  }, 60_000);
}
