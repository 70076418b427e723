import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sweepEachFileForCardData } from "./card-sweep";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
sweepEachFileForCardData();
