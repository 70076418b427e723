import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { luhnValid } from "../../shared/payments/card";
import { auditLog } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { sandboxGateway } from "../../worker/payments";
import { captureLogs, findCardData, scanForCardData, TEST_CARDS } from "./card-scan";
import { forgetCapturedSoFar } from "./card-sweep";
import { db } from "./wallet-helpers";

describe("the card-data scanner itself", () => {
  it("knows Luhn", () => {
    expect(luhnValid(TEST_CARDS.visa)).toBe(true);
    expect(luhnValid(TEST_CARDS.mastercard)).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });

  it("finds numbers, grouped numbers, numbers inside JSON text and card-like field names; ignores timestamps", () => {
    expect(findCardData("paid with 4111 1111 1111 1111 today", "x")).not.toEqual([]);
    expect(findCardData("5555-5555-5555-4444", "x")).not.toEqual([]);
    expect(findCardData(JSON.stringify({ meta: { note: "4111111111111111" } }), "x")).not.toEqual([]);
    expect(findCardData({ cvc: "123" }, "x")).toEqual([{ where: "x.cvc", what: "card field" }]);
    expect(findCardData({ createdAt: "1796131654525", id: "01M8RXYRZ6AAM0N54206N31FDJ" }, "x")).toEqual([]);
    expect(findCardData({ masked: "41111111********" }, "x")).toEqual([]);
    // a Luhn-valid run inside a hex digest or an id is not a card number; the same run standing alone is
    expect(findCardData({ tokenHash: "e94242424242424242ab0c" }, "x")).toEqual([]);
    expect(findCardData({ note: "card 4242424242424242." }, "x")).not.toEqual([]);
  });

  it("finds a number planted in D1, in the sandbox's storage, in a queue body and in a log line", async () => {
    expect(await scanForCardData()).toEqual([]);
    await db()
      .insert(auditLog)
      .values({ id: newId(), action: "test.plant", detail: { note: TEST_CARDS.mastercard }, createdAt: Date.now() });
    await runInDurableObject(sandboxGateway(env), (_i, state) => {
      state.storage.sql.exec("INSERT INTO config (key, value) VALUES ('planted', ?)", TEST_CARDS.visa);
    });
    const logs = captureLogs();
    console.log(`card ${TEST_CARDS.visa}`);
    logs.restore();
    const found = await scanForCardData({ queueBodies: [{ type: "x", card_number: "1" }], logs: logs.lines });
    const where = found.map((f) => f.where.split(/[#.]/)[0]);
    expect(where).toEqual(expect.arrayContaining(["d1:audit_log", "do:SandboxGateway:config", "queue", "log"]));
    // planted on purpose: take it away again so this file's end-of-file sweep (card-sweep.ts) checks the rest
    await db().delete(auditLog).where(eq(auditLog.action, "test.plant"));
    await runInDurableObject(sandboxGateway(env), (_i, state) => {
      state.storage.sql.exec("DELETE FROM config WHERE key = 'planted'");
    });
    forgetCapturedSoFar();
    expect(await scanForCardData()).toEqual([]);
    // full scans of a database the other files of a shared run (vitest.config.ts) have filled too
  }, 60_000);
});
