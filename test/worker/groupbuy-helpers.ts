import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { expect, vi } from "vitest";
import type { RouterInputs } from "../../shared/sdk";
import { newSessionRow } from "../../worker/accounts/sessions";
import { type BatchItem, getDb, runBatch } from "../../worker/db/client";
import {
  groupBuyHolds,
  groupBuyMembers,
  groupBuys,
  regionVerifications,
  sessions,
  users,
} from "../../worker/db/schema";
import { newId, sha256Hex } from "../../worker/lib/ids";
import { escrowAccount, platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { getAccounts, transferStatements } from "../../worker/wallet/ledger";
import { insertUser, tokenFor } from "./fixtures";
import { bearerClient } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { ensureRegion, fund } from "./wallet-helpers";

export const db = () => getDb(env);
const HOUR = 3_600_000;

export type Api = ReturnType<typeof bearerClient>;
export interface Person {
  id: string;
  token: string;
  api: Api;
}

/** What another isolate's logout does to D1 (this isolate's session cache does not hear of it). */
export const revokeElsewhere = async (p: Pick<Person, "token">) =>
  db()
    .update(sessions)
    .set({ revokedAt: Date.now() })
    .where(eq(sessions.tokenHash, await sha256Hex(p.token)));
/** What another isolate's suspension does to D1. */
export const suspendElsewhere = (p: Pick<Person, "id">) =>
  db()
    .update(users)
    .set({ suspendedUntil: Date.now() + 86_400_000 })
    .where(eq(users.id, p.id));

/** A fresh region = a fresh ledger book, so every test's Σ = 0 check is about its own money only. */
export async function newRegion(city?: string): Promise<string> {
  const id = `gb-${newId().toLowerCase()}`;
  await ensureRegion(id, city);
  return id;
}

/** An approved seller; with `home`, one whose home neighbourhood (the 시·도 neighbours may host their products in) is set. */
export async function newSeller(home?: string): Promise<Person> {
  const user = await insertUser(db(), "seller");
  if (home) await db().update(users).set({ homeRegionId: home }).where(eq(users.id, user.id));
  const token = await tokenFor(db(), user);
  return { id: user.id, token, api: bearerClient(token) };
}

/** A buyer verified in `region` (their home), with `points` charged points in that region's book. */
export async function newResident(
  region: string,
  points = 100_000,
  role: "buyer" | "admin" = "buyer",
): Promise<Person> {
  const user = await insertUser(db(), role);
  const now = Date.now();
  await db().update(users).set({ homeRegionId: region }).where(eq(users.id, user.id));
  await db()
    .insert(regionVerifications)
    .values({
      id: newId(now),
      userId: user.id,
      regionId: region,
      distanceM: 50,
      verifiedAt: now,
      expiresAt: now + 30 * 24 * HOUR,
    });
  if (points > 0) await fund(user.id, region, points);
  const token = await tokenFor(db(), user);
  return { id: user.id, token, api: bearerClient(token) };
}

/** Many residents at once (users, verifications, sessions and funding in a few batches): for the storm tests. */
export async function newResidents(region: string, count: number, points: number): Promise<Person[]> {
  const now = Date.now();
  const people: Person[] = [];
  const PER_BATCH = 25;
  for (let start = 0; start < count; start += PER_BATCH) {
    const statements: BatchItem[] = [];
    for (let i = start; i < Math.min(count, start + PER_BATCH); i++) {
      const id = newId(now);
      const session = await newSessionRow(env.PASSWORD_PEPPER, id, "bearer", now + HOUR, now);
      const token = session.token;
      statements.push(
        db()
          .insert(users)
          .values({
            id,
            email: `storm-${id.toLowerCase()}@example.com`,
            passwordHash: "!",
            displayName: `이웃${i}`,
            homeRegionId: region,
            createdAt: now,
          }),
        db()
          .insert(regionVerifications)
          .values({
            id: newId(now),
            userId: id,
            regionId: region,
            distanceM: 10,
            verifiedAt: now,
            expiresAt: now + 30 * 24 * HOUR,
          }),
        db().insert(sessions).values(session.row),
        ...transferStatements(db(), {
          id: `fund:${id}`,
          book: region,
          debit: platformAccount("pg_clearing", region),
          credit: userChargedAccount(id, region),
          amount: points,
          kind: "charge",
          now,
        }),
      );
      people.push({ id, token, api: bearerClient(token) });
    }
    await runBatch(db(), statements);
  }
  return people;
}

export async function newProduct(seller: Person, overrides: Partial<RouterInputs["products"]["create"]> = {}) {
  return seller.api.products.create.mutate({
    title: "제주 감귤 10kg",
    description: "산지 직송",
    category: "fresh",
    totalQuantity: 10,
    unit: "kg",
    totalPrice: 50_000,
    allowHosts: true,
    ...overrides,
  });
}

export function buyInput(
  productId: string,
  regionId: string,
  overrides: Partial<RouterInputs["groupBuys"]["create"]> = {},
): RouterInputs["groupBuys"]["create"] {
  const deadline = Date.now() + 2 * HOUR;
  return {
    productId,
    regionId,
    totalShares: 10,
    minShares: 5,
    maxPerPerson: 3,
    deadline,
    pickupPlace: "역삼1동 주민센터 앞",
    pickupStart: deadline + 24 * HOUR,
    pickupEnd: deadline + 48 * HOUR,
    ...overrides,
  };
}

/** A seller, their product and an OPEN group buy in a fresh region. */
export async function openBuy(
  overrides: Partial<RouterInputs["groupBuys"]["create"]> = {},
  product: Partial<RouterInputs["products"]["create"]> = {},
) {
  const region = await newRegion();
  const seller = await newSeller();
  const p = await newProduct(seller, product);
  const created = await seller.api.groupBuys.create.mutate(buyInput(p.id, region, overrides));
  return { region, seller, product: p, gb: created.groupBuy, pricing: created.pricing };
}

export function room(groupBuyId: string) {
  return env.GROUP_BUY.get(env.GROUP_BUY.idFromName(groupBuyId));
}

let keySeq = 0;
export function key(prefix = "k"): string {
  keySeq += 1;
  return `${prefix}-${Date.now().toString(36)}-${keySeq}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Posted (balance) and pending (held) of a user's points in a book. */
export async function pointsOf(userId: string, book: string) {
  const ids = [userChargedAccount(userId, book).id, userRewardAccount(userId, book).id];
  const rows = await getAccounts(db(), ids);
  const balance = rows.reduce((s, r) => s + r.creditsPosted - r.debitsPosted, 0);
  const held = rows.reduce((s, r) => s + r.debitsPending, 0);
  return { balance, held, available: balance - held };
}

export async function escrowOf(groupBuyId: string, book: string) {
  const [row] = await getAccounts(db(), [escrowAccount(groupBuyId, book).id]);
  return { posted: row ? row.creditsPosted - row.debitsPosted : 0, pending: row?.creditsPending ?? 0 };
}

export function gbRow(id: string) {
  return db().select().from(groupBuys).where(eq(groupBuys.id, id)).get();
}

export function holdRows(id: string) {
  return db().select().from(groupBuyHolds).where(eq(groupBuyHolds.groupBuyId, id)).all();
}

export function memberRow(groupBuyId: string, userId: string) {
  return db()
    .select()
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.groupBuyId, groupBuyId), eq(groupBuyMembers.userId, userId)))
    .get();
}

/** Waits for the room's D1 mirror and the queue's settlement jobs (both asynchronous by design). */
export async function until<T>(what: string, check: () => Promise<T | false | undefined | null>, timeout = 15_000) {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (!value) throw new Error(`still waiting for ${what}`);
      return value;
    },
    { timeout, interval: 50 },
  );
}

type Settlement = "posted" | "voided" | "refunded";

/** Waits until every active hold of the buy reached one of `settlements` (a cancellation racing the posting may
 * void some holds and refund others: both give every point back). */
export async function untilSettled(groupBuyId: string, ...settlements: [Settlement, ...Settlement[]]) {
  await until(`every hold ${settlements.join(" or ")}`, async () => {
    const rows = (await holdRows(groupBuyId)).filter((h) => h.state === "active");
    return rows.length > 0 && rows.every((h) => settlements.includes(h.settlement as Settlement));
  });
}

export async function untilStatus(groupBuyId: string, status: string) {
  await until(`D1 status ${status}`, async () => (await gbRow(groupBuyId))?.status === status);
}

/** A 4-share buy at 5,000 won a share, filled by two buyers (2 shares each) and posted to escrow. */
export async function filledBuy() {
  const setup = await openBuy({ totalShares: 4, minShares: 2, maxPerPerson: 2 }, { totalPrice: 20_000 });
  const a = await newResident(setup.region, 30_000);
  const b = await newResident(setup.region, 30_000);
  await a.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
  await b.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
  await untilStatus(setup.gb.id, "FILLED");
  await untilSettled(setup.gb.id, "posted");
  return { ...setup, a, b };
}

export async function invariants(...books: string[]) {
  await assertLedgerInvariants(db(), books);
}

/** The room's fill counts as it keeps them in memory (RoomStore.counts) equal a fresh sum over its reservations. */
export async function expectRoomCounts(groupBuyId: string) {
  const state = await room(groupBuyId).debugState();
  expect(state.counts).toEqual(state.summed);
  return state.counts;
}

export function expectCode(err: { code: string }, code: string) {
  expect(err.code).toBe(code);
}
