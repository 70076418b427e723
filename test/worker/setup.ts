import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import { sandboxGateway } from "../../worker/payments";
import { sweepEachFileForCardData, touchedThisFile } from "./card-sweep";
import { beginFileScope, cancelRoomAlarms } from "./file-scope";

// Runs before every test file. Most files share one runtime (vitest.config.ts), so besides migrating (a no-op after
// the first file) it puts back what a file may leave switched (the sandbox gateway's outage switches), marks where
// this file's ledger rows begin, and at the end cancels the alarms of the rooms this file opened.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await sandboxGateway(env).resetSwitches();
await beginFileScope();
afterAll(() => cancelRoomAlarms(touchedThisFile("GroupBuyRoom")), 60_000);
sweepEachFileForCardData();
