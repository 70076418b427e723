import { env } from "cloudflare:workers";
import { getDb } from "../../worker/db/client";
import { defineAccountsRepoSuite } from "../shared/accounts-repo.suite";

defineAccountsRepoSuite("D1 (workerd)", async () => getDb(env));
