import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import { captureLogs, captureQueueSends, scanForCardData } from "./card-scan";

/**
 * Issue 10's card-data check over everything the whole suite writes: every test file (storage is per file) ends with
 * a scan of its D1 tables, the storage of every Durable Object it touched, every queue body it sent and every log line
 * it printed. Registered once per file by setup.ts. A test that plants card data on purpose (the scanner's own test)
 * cleans it up and calls `forgetCapturedSoFar()`.
 */
const touched = new Map<string, () => DurableObjectStub>();
let logs = captureLogs();
let sends = captureQueueSends();

function recordStubsOf<T extends Rpc.DurableObjectBranded | undefined>(
  label: string,
  namespace: DurableObjectNamespace<T>,
) {
  const get = namespace.get.bind(namespace);
  namespace.get = (id, options) => {
    const key = id.toString();
    touched.set(`${label}:${key.slice(0, 16)}`, () => get(namespace.idFromString(key)) as DurableObjectStub);
    return get(id, options);
  };
}

export function forgetCapturedSoFar() {
  logs.restore();
  sends.restore();
  logs = captureLogs();
  sends = captureQueueSends();
}

export function sweepEachFileForCardData() {
  recordStubsOf("GroupBuyRoom", env.GROUP_BUY);
  recordStubsOf("UserChannel", env.USER_CHANNEL);
  afterAll(async () => {
    logs.restore();
    sends.restore();
    const durableObjects = Object.fromEntries([...touched].map(([label, stub]) => [label, stub()]));
    const found = await scanForCardData({ queueBodies: sends.bodies, logs: logs.lines, durableObjects });
    if (found.length > 0) {
      throw new Error(`card data was stored, sent or logged by this file: ${JSON.stringify(found.slice(0, 10))}`);
    }
  }, 60_000);
}
