import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import { captureLogs, captureQueueSends, type D1Marks, scanForCardData } from "./card-scan";

/**
 * Issue 10's card-data check over everything the whole suite writes. Registered once per file by setup.ts.
 *
 * Most workers files share one runtime (vitest.config.ts: isolate: false), so storage outlives a file. Each file ends
 * with a scan of what it added: the D1 rows inserted since the previous file's scan, the storage of every Durable
 * Object it touched, every queue body it sent and every log line it printed. The last file of a run (and a file with
 * a runtime of its own) ends with the full scan: every D1 row, the storage of every Durable Object touched by any file
 * of the run, so rows updated in place are checked too. A test that plants card data on purpose (the scanner's own
 * test) cleans it up and calls `forgetCapturedSoFar()`.
 */

type Stubs = Map<string, () => DurableObjectStub>;

/** Lives as long as the runtime (module state may be re-evaluated per file). */
interface RunState {
  touched: Stubs;
  touchedThisFile: Stubs;
  d1Marks: D1Marks;
  patched: WeakSet<object>;
}

const RUN_STATE = Symbol.for("gonggu.test.cardSweep");

function runState(): RunState {
  const g = globalThis as unknown as { [RUN_STATE]?: RunState };
  g[RUN_STATE] ??= { touched: new Map(), touchedThisFile: new Map(), d1Marks: new Map(), patched: new WeakSet() };
  return g[RUN_STATE];
}

let logs: ReturnType<typeof captureLogs> | undefined;
let sends: ReturnType<typeof captureQueueSends> | undefined;

function recordStubsOf<T extends Rpc.DurableObjectBranded | undefined>(
  label: string,
  namespace: DurableObjectNamespace<T>,
) {
  const state = runState();
  if (state.patched.has(namespace)) return;
  state.patched.add(namespace);
  const get = namespace.get.bind(namespace);
  namespace.get = (id, options) => {
    const key = id.toString();
    const open = () => get(namespace.idFromString(key)) as DurableObjectStub;
    const name = `${label}:${key.slice(0, 16)}`;
    state.touched.set(name, open);
    state.touchedThisFile.set(name, open);
    return get(id, options);
  };
}

export function forgetCapturedSoFar() {
  logs?.restore();
  sends?.restore();
  logs = captureLogs();
  sends = captureQueueSends();
}

/** Whether the file running now is the last one of this runtime's run (vitest's worker state; unknown → true). */
function isLastFileOfRun(): boolean {
  const worker = (globalThis as { __vitest_worker__?: { filepath?: string; ctx?: { files?: { filepath: string }[] } } })
    .__vitest_worker__;
  const files = worker?.ctx?.files;
  if (!files?.length || !worker?.filepath) return true;
  return files[files.length - 1].filepath === worker.filepath;
}

const stubsOf = (touched: Stubs) => Object.fromEntries([...touched].map(([label, open]) => [label, open()]));

/** The Durable Objects of one class (e.g. "GroupBuyRoom") the running file touched. */
export function touchedThisFile(label: string): DurableObjectStub[] {
  return [...runState().touchedThisFile].filter(([name]) => name.startsWith(`${label}:`)).map(([, open]) => open());
}

export function sweepEachFileForCardData() {
  const state = runState();
  state.touchedThisFile = new Map();
  recordStubsOf("GroupBuyRoom", env.GROUP_BUY);
  recordStubsOf("UserChannel", env.USER_CHANNEL);
  forgetCapturedSoFar();
  afterAll(async () => {
    logs?.restore();
    sends?.restore();
    const whole = isLastFileOfRun();
    const found = await scanForCardData({
      queueBodies: sends?.bodies,
      logs: logs?.lines,
      durableObjects: stubsOf(whole ? state.touched : state.touchedThisFile),
      d1Since: whole ? undefined : state.d1Marks,
    });
    if (found.length > 0) {
      const scope = whole ? "this run (full scan at its last file)" : "this file";
      throw new Error(`card data was stored, sent or logged by ${scope}: ${JSON.stringify(found.slice(0, 10))}`);
    }
  }, 180_000);
}
