import { afterAll } from "vitest";
import { defineAccountsRepoSuite } from "../shared/accounts-repo.suite";
import { openLibsqlDb } from "./libsql-db";

let close = () => {};
afterAll(() => close());

defineAccountsRepoSuite("libSQL (@libsql/client, :memory:)", async () => {
  const opened = await openLibsqlDb();
  close = opened.close;
  return opened.db;
});
