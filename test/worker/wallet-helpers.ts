import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { d1Db, getDb } from "../../worker/db/client";
import { regions, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { transfer } from "../../worker/wallet/ledger";
import { newBuyer } from "./helpers";

export const db = () => getDb(env);

/** The second database of the test runtime (vitest.config.ts): a region's ledger book moved out of the main one. */
export const BOOKS_TEST = (env as unknown as { BOOKS_TEST: D1Database }).BOOKS_TEST;
export const books = () => d1Db(BOOKS_TEST);

/** The app's env with `regions` moved to BOOKS_TEST (LEDGER_BOOKS, wallet/books.ts); every other binding as is. */
export function booksEnv(...regions: string[]): Env {
  const map = Object.fromEntries(regions.map((r) => [r, "BOOKS_TEST"]));
  return Object.assign(Object.create(env), { LEDGER_BOOKS: JSON.stringify(map) }) as Env;
}

/** A fresh book (region id) per test keeps Σ-per-book assertions independent of other tests. */
export function newBook(prefix = "t"): string {
  return `${prefix}-${newId().toLowerCase()}`;
}

/** Funds a (possibly not registered) user's account directly through the ledger (in `database`, the book's). */
export async function fund(
  userId: string,
  book: string,
  amount: number,
  account: "charged" | "reward" = "charged",
  now = Date.now(),
  database = db(),
) {
  const credit = account === "charged" ? userChargedAccount(userId, book) : userRewardAccount(userId, book);
  const debit = platformAccount(account === "charged" ? "pg_clearing" : "promotion_expense", book);
  return transfer(database, {
    id: `fund:${newId()}`,
    book,
    debit,
    credit,
    amount,
    kind: account === "charged" ? "charge" : "grant",
    now,
  });
}

/** Creates a region row (users.home_region_id references regions). */
export async function ensureRegion(id: string, city = "서울") {
  await db()
    .insert(regions)
    .values({ id, name: `동네 ${id}`, nameEn: id, city, lat: 37.5, lng: 127.0, radiusM: 3000 })
    .onConflictDoNothing();
}

/** A signed-up buyer whose home region is a fresh book. */
export async function buyerInBook(book = newBook()) {
  await ensureRegion(book);
  const buyer = await newBuyer();
  await db().update(users).set({ homeRegionId: book }).where(eq(users.id, buyer.user.id));
  return { ...buyer, book };
}

export async function newAdmin() {
  const admin = await newBuyer("관리자");
  await db().update(users).set({ role: "admin" }).where(eq(users.id, admin.user.id));
  return admin;
}

/**
 * A card charge whose points were spent before it was clawed back: `amount` won of unpaid debt, which blocks joining.
 * A row to insert into the database that holds `book`.
 */
export function debtCharge(userId: string, book: string, amount: number, now = Date.now()) {
  const id = newId(now);
  return {
    id,
    userId,
    book,
    idempotencyKey: id,
    amount,
    method: "card" as const,
    orderId: id,
    status: "succeeded" as const,
    debtAmount: amount,
    createdAt: now,
    updatedAt: now,
  };
}
