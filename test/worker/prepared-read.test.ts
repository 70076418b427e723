import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessionByHashQuery } from "../../worker/accounts/sessions";
import { chunks, runBatch, valuesPerRow } from "../../worker/db/client";
import { prepared } from "../../worker/db/prepared";
import { groupBuys, ledgerAccounts } from "../../worker/db/schema";
import { joinCaller } from "../../worker/groupbuy/actions";
import { newId, sha256Hex } from "../../worker/lib/ids";
import { accountFlags, accountRef, ensureAccountsStatements } from "../../worker/wallet/accounts";
import { getHold, placeHoldsTogether } from "../../worker/wallet/holds";
import {
  db,
  gbRow,
  invariants,
  key,
  newRegion,
  newResidents,
  openBuy,
  revokeElsewhere,
  room,
  suspendElsewhere,
  until,
} from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { fund, newBook } from "./wallet-helpers";

describe("prepared: a query built once per isolate", () => {
  it("returns exactly the rows of the query builder, each call with its own values", async () => {
    const region = await newRegion();
    const people = await newResidents(region, 3, 1_000);
    const now = Date.now();
    for (const p of people) {
      const hash = await sha256Hex(p.token);
      const [viaBuilder] = await runBatch(db(), [sessionByHashQuery(db(), hash, now)]);
      const [viaPrepared] = await runBatch(db(), [
        prepared(db(), "test.session", (ph) => sessionByHashQuery(db(), ph("hash"), ph("now")), { hash, now }),
      ]);
      expect(viaPrepared).toEqual(viaBuilder);
      expect((viaPrepared as { user: { id: string } }[])[0].user.id).toBe(p.id);
    }
    // a value that matches nothing gets no row (the placeholder is bound, not left over from an earlier call)
    const [none] = await runBatch(db(), [
      prepared(db(), "test.session", (ph) => sessionByHashQuery(db(), ph("hash"), ph("now")), {
        hash: "0".repeat(64),
        now,
      }),
    ]);
    expect(none).toEqual([]);
  });
});

/** What a batch sends for an item: drizzle's batch() prepares it and reads its query. */
const sent = (item: unknown) => {
  const { sql, params } = (item as { _prepare(): { getQuery(): { sql: string; params: unknown[] } } })
    ._prepare()
    .getQuery();
  return { sql, params };
};

describe("prepared multi-row statements (preparedRows: built once per row count)", () => {
  it("send the query builder's SQL and parameters, row by row, for every row count and call", () => {
    const d = db();
    for (const n of [1, 3, 20, 3]) {
      const refs = Array.from({ length: n }, (_, i) =>
        accountRef("book-x", i % 2 ? "user_reward" : "groupbuy_escrow", `owner-${n}-${i}`),
      );
      const now = 1_000 + n;
      const builder = chunks(refs, valuesPerRow(ledgerAccounts)).map((part) =>
        d
          .insert(ledgerAccounts)
          .values(
            part.map((r) => ({
              id: r.id,
              book: r.book,
              kind: r.kind,
              ownerId: r.ownerId,
              flags: accountFlags(r.kind),
              createdAt: now,
            })),
          )
          .onConflictDoNothing({ target: ledgerAccounts.id })
          .toSQL(),
      );
      expect(ensureAccountsStatements(d, refs, now).map(sent)).toEqual(
        builder.map(({ sql, params }) => ({ sql, params })),
      );
    }
  });

  it("a placeholder the builder wraps (an update's SET) is encoded as the builder would; a missing one throws", () => {
    const d = db();
    const build = (p: (name: "at" | "id") => unknown) =>
      d
        .update(groupBuys)
        .set({ updatedAt: p("at") as number })
        .where(eq(groupBuys.id, p("id") as string));
    for (const [id, at] of [
      ["gb-1", 5],
      ["gb-2", 6],
    ] as const) {
      const { sql, params } = build((name) => (name === "at" ? at : id)).toSQL();
      expect(sent(prepared(d, "test.update", (p) => build(p), { id, at }))).toEqual({ sql, params });
    }
    expect(() => prepared(d, "test.update", (p) => build(p), { id: "gb-3" })).toThrow(
      'No value for placeholder "at" was provided',
    );
  });
});

describe("prepared reward-first legs (built once, bound per spend)", () => {
  it("each hold of a group commit takes its own amounts, split, ids and meta; a short buyer gets none", async () => {
    const book = newBook();
    const [a, b, c] = [newId(), newId(), newId()];
    await fund(a, book, 5_000);
    await fund(b, book, 2_000);
    await fund(b, book, 700, "reward");
    await fund(c, book, 100);
    const now = Date.now();
    const args = (userId: string, amount: number, tag: string) => ({
      holdId: `pl:${newId()}`,
      userId,
      regionId: book,
      amount,
      reference: tag,
      expiresAt: now + 3_600_000,
      meta: { tag },
      now,
    });
    const list = [args(a, 3_000, "a"), args(b, 2_500, "b"), args(c, 1_000, "c")];
    const [ha, hb, hc] = await placeHoldsTogether(db(), list);
    expect(ha).toMatchObject({ id: list[0].holdId, userId: a, amount: 3_000, fromReward: 0, fromCharged: 3_000 });
    expect(ha?.meta).toMatchObject({ tag: "a", holdId: list[0].holdId, userId: a });
    expect(hb).toMatchObject({ id: list[1].holdId, userId: b, amount: 2_500, fromReward: 700, fromCharged: 1_800 });
    expect(hb?.meta).toMatchObject({ tag: "b", userId: b });
    expect(hc, "100 points cannot cover 1,000").toBeNull();
    for (const [h, l] of [
      [ha, list[0]],
      [hb, list[1]],
    ] as const) {
      expect(await getHold(db(), l.holdId)).toMatchObject({
        status: "pending",
        reference: l.reference,
        amount: h?.amount,
      });
    }
    await assertLedgerInvariants(db(), [book]);
  });
});

describe("concurrent joins' guards", { timeout: 30_000 }, () => {
  it("each of many concurrent joins gets its own session's answer", async () => {
    const region = await newRegion();
    const people = await newResidents(region, 12, 100_000);
    await revokeElsewhere(people[0]);
    await suspendElsewhere(people[1]);
    const now = Date.now();
    const answers = await Promise.allSettled(
      people.map((p) =>
        joinCaller(db(), env, { claim: { userId: p.id, token: p.token }, user: null, cachedSession: null }, now),
      ),
    );
    expect(answers[0]).toMatchObject({ status: "rejected", reason: { code: "UNAUTHORIZED" } });
    expect(answers[1]).toMatchObject({ status: "rejected", reason: { code: "FORBIDDEN" } });
    answers.slice(2).forEach((a, i) => {
      expect(a).toMatchObject({
        status: "fulfilled",
        value: { user: { id: people[i + 2].id }, guards: { homeRegionId: region, tierLevel: 0 } },
      });
    });
  });

  it("concurrent joins through the API: each gets its own answer", async () => {
    const { region, gb } = await openBuy({ totalShares: 12, minShares: 1, maxPerPerson: 1 });
    const people = await newResidents(region, 12, 100_000);
    await revokeElsewhere(people[0]);
    const joins = people.map((p) => p.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() }));
    const [first, ...others] = await Promise.allSettled(joins);
    expect(first.status).toBe("rejected");
    expect(await errorOf(joins[0])).toMatchObject({ code: "UNAUTHORIZED" });
    for (const r of others) expect(r).toMatchObject({ status: "fulfilled", value: { shares: 1, replay: false } });
    expect((await room(gb.id).debugState()).counts.taken).toBe(11);
    await until("the mirror caught up", async () => (await gbRow(gb.id))?.takenShares === 11);
    await invariants(region);
  });
});
