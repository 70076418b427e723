/**
 * Region books → databases. Each region keeps a closed book (its accounts and transfers; Σ = 0 within it) and no write
 * touches two books, so a busy region can move to its own D1 without changing ledger code: add a D1 binding and map
 * the region to it in the LEDGER_BOOKS var (JSON `{ "<regionId>": "<D1 binding name>" }`). Unmapped regions live in
 * the main database (env.DB, or libSQL when LIBSQL_URL is set).
 *
 * Moving a user to another region (`moveUserBook` below; started by `startBookMove` when region verification changes
 * the home region, finished by the queue consumer if the inline attempt fails):
 *   0. book A's database records the departure (book_departures: the daily sweep finds points landing there later);
 *   1. book A: pending transfer user_charged(A) → book_transit(A) for the user's available charged points (and the
 *      same for reward), id `move:<moveId>:out:c|r` — reserves the points, so they cannot be spent meanwhile;
 *   2. book B: single transfer book_transit(B) → user_charged(B), id `move:<moveId>:in:c|r` (idempotent by id);
 *   3. book A: post step 1. If step 2 failed for good, void step 1 instead.
 *   4. the user's debts, reward lots, tier and Plus plan follow (moveCarry.ts), each step again in one book's database.
 *   Each step is one batch in one book, retried by id, so a crash between steps resumes safely. Σ = 0 holds in each
 *   book at every step because each step is an ordinary balanced transfer inside its book; across books, book A's
 *   book_transit balance (+N) and book B's (−N) net to zero once the move is complete.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { JobMessage } from "../../shared/schemas/jobs";
import { type Db, d1Db, getDb, runBatch } from "../db/client";
import { bookDepartures, users } from "../db/schema";
import { errorForLog, fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { enqueue, enqueueMany } from "../queue/send";
import { platformAccount, userChargedAccount, userRewardAccount } from "./accounts";
import { getAccounts, getTransfer, settleStatement, transfer } from "./ledger";
import { carryDebts, carryLots, carryMembership, carryPlus } from "./moveCarry";

export interface BookEnv {
  DB: D1Database;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  LEDGER_BOOKS?: string;
}

/** LEDGER_BOOKS parsed once per value (bookDb runs several times per join). */
const parsedMaps = new Map<string, Record<string, string>>();

function bookMap(env: BookEnv): Record<string, string> {
  if (!env.LEDGER_BOOKS) return {};
  let map = parsedMaps.get(env.LEDGER_BOOKS);
  if (!map) {
    try {
      map = JSON.parse(env.LEDGER_BOOKS) as Record<string, string>;
    } catch {
      throw new Error("LEDGER_BOOKS must be a JSON object of regionId → D1 binding name");
    }
    parsedMaps.set(env.LEDGER_BOOKS, map);
  }
  return map;
}

/** The book database behind a binding: one drizzle instance per binding for the isolate (building one costs ~1 ms). */
function bookD1(env: BookEnv, binding: string): Db {
  const d1 = (env as unknown as Record<string, D1Database | undefined>)[binding];
  if (!d1) throw new Error(`LEDGER_BOOKS names ${binding}, but there is no such D1 binding`);
  return d1Db(d1);
}

/** The database that holds a region's book. */
export function bookDb(env: BookEnv, regionId: string): Db {
  const binding = bookMap(env)[regionId];
  return binding ? bookD1(env, binding) : getDb(env);
}

/** The binding of the database that holds a region's book (DB: the main one). */
export function bookBinding(env: BookEnv, regionId: string): string {
  return bookMap(env)[regionId] ?? MAIN_BOOK_DB;
}

/** True when the region's book is in the main database (bookDb(env, regionId) is getDb(env)). */
export function bookInMain(env: BookEnv, regionId: string): boolean {
  return bookMap(env)[regionId] === undefined;
}

/** Jobs name the main database by its binding, DB (getDb: libSQL when LIBSQL_URL is set). */
export const MAIN_BOOK_DB = "DB";

/** The D1 bindings LEDGER_BOOKS maps regions to, other than the main database's, each once. */
export function ledgerBindings(env: BookEnv): string[] {
  return [...new Set(Object.values(bookMap(env)))].filter((b) => b !== MAIN_BOOK_DB);
}

/** Every distinct database that holds books, with the binding a job names it by (crons walk them all). */
export function bookDbsByBinding(env: BookEnv): { binding: string; db: Db }[] {
  return [
    { binding: MAIN_BOOK_DB, db: getDb(env) },
    ...ledgerBindings(env).map((binding) => ({ binding, db: bookD1(env, binding) })),
  ];
}

export function allBookDbs(env: BookEnv): Db[] {
  return bookDbsByBinding(env).map((b) => b.db);
}

/**
 * Every book database, starting with a different one each 5-minute cron run: a cron step with one allowance for all
 * of them (worker/scheduled.ts, membership/cron.ts) then reaches the last ones too when the first have a backlog.
 */
export function bookDbsTakingTurns(env: BookEnv, now: number): Db[] {
  return takingTurns(allBookDbs(env), now);
}

/** `items` starting with a different one each 5-minute cron run (the one rule of whose turn it is first). */
export function takingTurns<T>(items: T[], now: number): T[] {
  if (items.length === 0) return items;
  const first = Math.floor(now / 300_000) % items.length;
  return [...items.slice(first), ...items.slice(0, first)];
}

/** The book database a job names: DB or a binding LEDGER_BOOKS maps a region to, never any other binding. */
export function bookDbByBinding(env: BookEnv, binding: string): Db {
  if (binding === MAIN_BOOK_DB) return getDb(env);
  if (!Object.values(bookMap(env)).includes(binding)) throw new Error(`${binding} holds no ledger book (LEDGER_BOOKS)`);
  return bookD1(env, binding);
}

/**
 * Moves a user's posted points from book A to book B (the three steps above). Idempotent by moveId: call it again
 * after any failure and it continues where it stopped. Returns the amounts moved.
 */
export async function moveUserBook(
  from: Db,
  to: Db,
  args: { moveId: string; userId: string; fromRegion: string; toRegion: string; now: number },
): Promise<{ charged: number; reward: number }> {
  if (args.fromRegion === args.toRegion) fail("BAD_REQUEST", "The user is already in that region.");
  // first, so that points landing in book A from now on are found as strays even if the move stops half way
  await from
    .insert(bookDepartures)
    .values({ userId: args.userId, book: args.fromRegion, movedAt: args.now })
    .onConflictDoUpdate({ target: [bookDepartures.userId, bookDepartures.book], set: { movedAt: args.now } });
  await to
    .delete(bookDepartures)
    .where(and(eq(bookDepartures.userId, args.userId), eq(bookDepartures.book, args.toRegion)));
  const moved = { charged: 0, reward: 0 };
  for (const [leg, make] of [
    ["c", userChargedAccount],
    ["r", userRewardAccount],
  ] as const) {
    const outId = `move:${args.moveId}:out:${leg}`;
    let out = await getTransfer(from, outId);
    if (!out) {
      const source = make(args.userId, args.fromRegion);
      const [row] = await getAccounts(from, [source.id]);
      const available = row ? row.creditsPosted - row.debitsPosted - row.debitsPending : 0;
      if (available <= 0) continue;
      out = await transfer(from, {
        id: outId,
        book: args.fromRegion,
        debit: source,
        credit: platformAccount("book_transit", args.fromRegion),
        amount: available,
        phase: "pending",
        kind: "book_move",
        reference: `move:${args.moveId}`,
        description: `Points moving to ${args.toRegion}`,
        meta: { toRegion: args.toRegion, userId: args.userId },
        now: args.now,
      });
    }
    await transfer(to, {
      id: `move:${args.moveId}:in:${leg}`,
      book: args.toRegion,
      debit: platformAccount("book_transit", args.toRegion),
      credit: make(args.userId, args.toRegion),
      amount: out.amount,
      kind: "book_move",
      reference: `move:${args.moveId}`,
      description: `Points arrived from ${args.fromRegion}`,
      meta: { fromRegion: args.fromRegion, userId: args.userId },
      now: args.now,
    });
    if (!(await getTransfer(from, `${outId}:post`))) {
      await runBatch(from, [
        settleStatement(from, { id: `${outId}:post`, pending: out, action: "post", kind: "book_move", now: args.now }),
      ]).catch(async (e) => {
        if (!(await getTransfer(from, `${outId}:post`))) throw e;
      });
    }
    moved[leg === "c" ? "charged" : "reward"] = out.amount;
  }
  // what else lives in the home book: debts owed there, when the reward points expire, the tier, the Plus plan
  await carryDebts(from, to, args);
  await carryLots(from, to, args);
  await carryMembership(from, to, args);
  await carryPlus(from, to, args);
  return moved;
}

export type MoveBookJob = Extract<JobMessage, { type: "wallet.moveBook" }>;

export function runMoveBookJob(env: BookEnv, job: MoveBookJob) {
  return moveUserBook(bookDb(env, job.fromRegion), bookDb(env, job.toRegion), { ...job, now: Date.now() });
}

/**
 * The user's home region changed: queue the move (at-least-once, retried by the consumer) and try it right away so
 * the wallet shows the points at once. Never throws: the queued job finishes what the inline attempt could not.
 */
export async function startBookMove(
  env: BookEnv & { JOBS: Queue },
  args: { userId: string; fromRegion: string; toRegion: string; now: number },
): Promise<{ moveId: string }> {
  const { userId, fromRegion, toRegion } = args;
  const job: MoveBookJob = { type: "wallet.moveBook", moveId: newId(args.now), userId, fromRegion, toRegion };
  await enqueue(env, job);
  try {
    await runMoveBookJob(env, job);
  } catch (e) {
    console.warn(
      JSON.stringify({ level: "warn", event: "wallet.move_deferred", moveId: job.moveId, error: errorForLog(e) }),
    );
  }
  return { moveId: job.moveId };
}

/**
 * Money that arrived in a book after its owner moved away (a deferred charge declined there: a debt) follows them
 * home by the same move job. Does nothing while that book is still their home.
 */
export async function followHome(
  env: { JOBS: Queue },
  mainDb: Db,
  args: { userId: string; book: string; now: number },
): Promise<void> {
  const user = await mainDb.select({ home: users.homeRegionId }).from(users).where(eq(users.id, args.userId)).get();
  if (!user?.home || user.home === args.book) return;
  const job: MoveBookJob = {
    type: "wallet.moveBook",
    moveId: newId(args.now),
    userId: args.userId,
    fromRegion: args.book,
    toRegion: user.home,
  };
  await enqueue(env, job);
}

/** Stray balances listed per book database per run: one IN (...) of homes in the main database (D1: ≤ 100 values). */
export const STRAYS_PER_DB = 90;

const strayBalance = sql`a.kind IN ('user_charged', 'user_reward') AND a.credits_posted - a.debits_posted - a.debits_pending > 0`;

/**
 * Daily: points that landed in a book that is no longer the owner's home (a hold released or a refund made in the old
 * region after a move) are queued to move home, from every book database. The main database compares with users'
 * homes in one query; a database of its own lists the balances of users who moved away from its books
 * (book_departures) and asks the main database for their homes. D1 work per run: one query for the main database,
 * two or three for each other (the list, the homes, stale departures removed) and the sends.
 */
export async function queueStrayBalances(env: BookEnv, jobs: Queue, now: number): Promise<number> {
  const main = getDb(env);
  const strays = await main.all<{ ownerId: string; book: string; home: string }>(sql`
    SELECT DISTINCT a.owner_id AS ownerId, a.book AS book, u.home_region_id AS home
    FROM ledger_accounts a JOIN users u ON u.id = a.owner_id
    WHERE ${strayBalance} AND u.home_region_id IS NOT NULL AND a.book <> u.home_region_id
    LIMIT 100`);
  for (const { db } of bookDbsByBinding(env).slice(1)) strays.push(...(await departedStrays(main, db)));
  const bodies = strays.map(
    (s): MoveBookJob => ({
      type: "wallet.moveBook",
      moveId: newId(now),
      userId: s.ownerId,
      fromRegion: s.book,
      toRegion: s.home,
    }),
  );
  await enqueueMany({ JOBS: jobs }, bodies);
  return strays.length;
}

/** Stray balances in a book database other than the main one: of users who left its books, not back home there. */
async function departedStrays(main: Db, db: Db): Promise<{ ownerId: string; book: string; home: string }[]> {
  const balances = await db.all<{ ownerId: string; book: string }>(sql`
    SELECT DISTINCT a.owner_id AS ownerId, a.book AS book
    FROM book_departures d JOIN ledger_accounts a ON a.owner_id = d.user_id AND a.book = d.book
    WHERE ${strayBalance}
    LIMIT ${STRAYS_PER_DB}`);
  if (balances.length === 0) return [];
  const owners = [...new Set(balances.map((b) => b.ownerId))];
  const homes = new Map(
    (
      await main.select({ id: users.id, home: users.homeRegionId }).from(users).where(inArray(users.id, owners)).all()
    ).map((u) => [u.id, u.home] as const),
  );
  // back home in that book (a move back whose departure row a retried older move wrote again): not a stray
  const back = balances.filter((b) => homes.get(b.ownerId) === b.book);
  await runBatch(
    db,
    back.map((b) =>
      db.delete(bookDepartures).where(and(eq(bookDepartures.userId, b.ownerId), eq(bookDepartures.book, b.book))),
    ),
  );
  return balances.flatMap((b) => {
    const home = homes.get(b.ownerId);
    return home && home !== b.book ? [{ ...b, home }] : [];
  });
}
