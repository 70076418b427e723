import {
  applyD1Migrations,
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createGongguClient, reconciliationRunRows } from "../../shared/sdk";
import { chunks, d1Db, runBatch, valuesPerRow } from "../../worker/db/client";
import { ledgerAccounts, ledgerReconciliations, reconciliationRuns } from "../../worker/db/schema";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { DAILY_CRON } from "../../worker/scheduled";
import { platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import {
  MAIN_BOOK_DB,
  type MoveBookJob,
  moveUserBook,
  queueStrayBalances,
  runMoveBookJob,
} from "../../worker/wallet/books";
import { getHold, placeHold, voidHold } from "../../worker/wallet/holds";
import { getTransfer, transfer } from "../../worker/wallet/ledger";
import { RECONCILIATION_RETENTION_MS, type ReconcileBookJob, reconciliationId } from "../../worker/wallet/reconcile";
import { RECONCILIATION_RUN_GUARD_MS, startReconciliationRun } from "../../worker/wallet/reconcileRuns";
import { walletSummary } from "../../worker/wallet/wallet";
import { captureLogs, captureQueueSends } from "./card-scan";
import { D1_MAX_QUERIES_PER_INVOCATION } from "./d1-counter";
import { meterD1 } from "./d1-meter";
import { until } from "./groupbuy-helpers";
import { BASE, errorOf, newBuyer } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { deliver } from "./sim-helpers";
import { buyerInBook, db, ensureRegion, fund, newAdmin, newBook } from "./wallet-helpers";

/**
 * Past ~330 books the inline reconciliation passed D1's 1,000 queries per invocation. 150 books still tell a cron that
 * reads per book (even one query each fails `< MANY_BOOKS`) from one that lists each book database once, and still
 * need more than one sendBatch (≤ 100 messages); 400 cost ~7 CPU-s more per `npm test` for no further proof.
 */
const MANY_BOOKS = 150;
/** Messages per consumer invocation, as wrangler.toml configures the queue (max_batch_size). */
const QUEUE_BATCH = 25;

async function runCron(cron: string, scheduledTime: number, cronEnv: Env = env) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), cronEnv, ctx);
  await waitOnExecutionContext(ctx);
}

/**
 * Before a test that needs the cron or an admin to start a new reconciliation run: the run of a test before it (its
 * jobs sent to a queue nobody consumes) would otherwise still be in progress, and the start would answer with it.
 */
const noRunInProgress = () => db().delete(reconciliationRuns);

/** A book's row of the reconciliation run at `runAt`, if its job ran. */
function reconciliation(book: string, runAt: number) {
  return db()
    .select()
    .from(ledgerReconciliations)
    .where(and(eq(ledgerReconciliations.book, book), eq(ledgerReconciliations.ranAt, runAt)))
    .get();
}

describe("wallet cron", () => {
  it("the 5-minute cron voids expired holds", async () => {
    const book = newBook();
    const userId = newId();
    const now = Date.now();
    await fund(userId, book, 1_000);
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId, regionId: book, amount: 700, expiresAt: now + 60_000, now });
    await runCron("*/5 * * * *", now + 59_999);
    expect((await getHold(db(), holdId))?.status).toBe("pending");
    await runCron("*/5 * * * *", now + 60_000);
    expect((await getHold(db(), holdId))?.status).toBe("expired");
    expect(await walletSummary(db(), userId, book)).toMatchObject({ held: 0, available: 1_000 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("the daily cron's queued jobs reconcile every book, record what they found and log a tampered balance", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 500);
    const account = userChargedAccount(userId, book).id;
    await db().update(ledgerAccounts).set({ creditsPosted: 900 }).where(eq(ledgerAccounts.id, account));
    const logs = captureLogs();
    try {
      // the real JOBS queue and its consumer: the cron only queues, a job per book
      const runAt = Date.now();
      await runCron(DAILY_CRON, runAt);
      const row = await until("the tampered book's row", () => reconciliation(book, runAt));
      expect(row).toMatchObject({ mismatchCount: 1, netPosted: 400, netPending: 0 });
      expect(JSON.stringify(row.details)).toContain(account);
      // logged right after the row: wait for it as well
      const alert = await until("the loud log", async () =>
        logs.lines.find((l) => l.includes("ledger.reconciliation_failed") && l.includes(book)),
      );
      expect(alert).toContain(account);
      // repair, and the next run is clean (started now: the first run's other jobs may still be running)
      await db().update(ledgerAccounts).set({ creditsPosted: 500 }).where(eq(ledgerAccounts.id, account));
      await noRunInProgress();
      await runCron(DAILY_CRON, runAt + 1);
      const clean = await until("the repaired book's row", () => reconciliation(book, runAt + 1));
      expect(clean).toMatchObject({ mismatchCount: 0, netPosted: 0, netPending: 0, details: [] });
    } finally {
      logs.restore();
    }
  });
});

describe("moving a user to another region book", () => {
  it("moves available points in three idempotent steps; Σ = 0 in each book at every step", async () => {
    const from = newBook("from");
    const to = newBook("to");
    const userId = newId();
    const now = Date.now();
    await fund(userId, from, 5_000, "charged");
    await fund(userId, from, 300, "reward");
    // a hold stays behind (its group buy lives in the old region)
    await placeHold(db(), { holdId: `join:${newId()}`, userId, regionId: from, amount: 1_000, now });
    const moveId = newId();

    // crash after step 1 of the charged leg: reserve in the old book only
    await transfer(db(), {
      id: `move:${moveId}:out:c`,
      book: from,
      debit: userChargedAccount(userId, from),
      credit: platformAccount("book_transit", from),
      amount: 4_000,
      phase: "pending",
      kind: "book_move",
      now,
    });
    await assertLedgerInvariants(db(), [from, to]);

    const args = { moveId, userId, fromRegion: from, toRegion: to, now };
    // hold takes reward first: 300 reward + 700 charged held → 4,300 charged left, but step 1 already reserved 4,000
    const moved = await moveUserBook(db(), db(), args);
    expect(moved).toEqual({ charged: 4_000, reward: 0 });
    expect(await moveUserBook(db(), db(), args)).toEqual(moved); // a retry changes nothing
    expect(await walletSummary(db(), userId, to)).toMatchObject({ charged: 4_000, available: 4_000 });
    expect(await walletSummary(db(), userId, from)).toMatchObject({ charged: 1_000, reward: 300, held: 1_000 });
    expect(await getTransfer(db(), `move:${moveId}:out:c:post`)).toBeTruthy();
    await assertLedgerInvariants(db(), [from, to]);
    // across the two books the transit accounts net to zero
    const { getAccounts } = await import("../../worker/wallet/ledger");
    const transit = await getAccounts(db(), [
      platformAccount("book_transit", from).id,
      platformAccount("book_transit", to).id,
    ]);
    expect(transit.reduce((sum, a) => sum + a.creditsPosted - a.debitsPosted, 0)).toBe(0);
    expect(userRewardAccount(userId, to).book).toBe(to);
  });
});

describe("region change moves the wallet", () => {
  it("verifying a new home region brings the points along; a released old hold follows via the daily sweep", async () => {
    const buyer = await buyerInBook();
    const newHome = newBook("home");
    await ensureRegion(newHome);
    const now = Date.now();
    await fund(buyer.user.id, buyer.book, 3_000, "charged");
    await fund(buyer.user.id, buyer.book, 500, "reward");
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId: buyer.user.id, regionId: buyer.book, amount: 1_000, now });

    await buyer.client.regions.verify.mutate({ regionId: newHome, lat: 37.5, lng: 127.0 });
    // reward first: the hold took 500 reward + 500 charged; 2,500 charged moved
    expect(await buyer.client.wallet.get.query()).toMatchObject({
      regionId: newHome,
      charged: 2_500,
      available: 2_500,
    });
    await assertLedgerInvariants(db(), [buyer.book, newHome]);

    // the old hold is released in the old book: those points are strays until the daily cron queues their move
    await voidHold(db(), { holdId, now: now + 1 });
    expect(await walletSummary(db(), buyer.user.id, buyer.book)).toMatchObject({ charged: 500, reward: 500 });
    const sent: unknown[] = [];
    const jobs = { sendBatch: async (msgs: { body: unknown }[]) => void sent.push(...msgs.map((m) => m.body)) };
    expect(await queueStrayBalances(env, jobs as unknown as Queue, Date.now())).toBeGreaterThanOrEqual(1);
    const job = sent.find((j) => (j as MoveBookJob).userId === buyer.user.id) as MoveBookJob;
    expect(job).toMatchObject({ type: "wallet.moveBook", fromRegion: buyer.book, toRegion: newHome });

    // the consumer runs it (twice: at-least-once delivery) and the points arrive once
    const batch = createMessageBatch("gonggu-jobs", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: job },
      { id: "m2", timestamp: new Date(), attempts: 1, body: job },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await waitOnExecutionContext(ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.length + result.retryMessages.length).toBe(2);
    if (result.retryMessages.length) await runMoveBookJob(env, job); // a raced duplicate retries; run it again
    expect(await buyer.client.wallet.get.query()).toMatchObject({ charged: 3_000, reward: 500, available: 3_500 });
    expect(await walletSummary(db(), buyer.user.id, buyer.book)).toMatchObject({ charged: 0, reward: 0, held: 0 });
    await assertLedgerInvariants(db(), [buyer.book, newHome]);
  });
});

describe("the daily reconciliation's jobs", { timeout: 120_000 }, () => {
  it("a book in a database of its own (LEDGER_BOOKS) is queued with that database and checked there", async () => {
    const books = (env as unknown as { BOOKS_TEST: D1Database }).BOOKS_TEST;
    await applyD1Migrations(books, env.TEST_MIGRATIONS);
    const book = newBook("own");
    // an account credited without a transfer: a difference the check must find in that database
    await d1Db(books)
      .insert(ledgerAccounts)
      .values({ ...platformAccount("pg_clearing", book), creditsPosted: 100, createdAt: Date.now() });
    const moved = { LEDGER_BOOKS: JSON.stringify({ [book]: "BOOKS_TEST" }) };
    await noRunInProgress();
    const sends = captureQueueSends();
    const runAt = Date.now();
    try {
      await runCron(DAILY_CRON, runAt, { ...env, ...moved, JOBS: env.RECORDED_JOBS });
    } finally {
      sends.restore();
    }
    const job = (sends.bodies as ReconcileBookJob[]).find((j) => j.book === book);
    expect(job).toEqual({ type: "wallet.reconcileBook", database: "BOOKS_TEST", book, runAt });
    // a consumer whose LEDGER_BOOKS does not name that binding refuses the job (retried) rather than open it
    expect((await deliver([job])).retryMessages).toHaveLength(1);
    expect((await deliver([job], { ...env, ...moved })).explicitAcks).toHaveLength(1);
    const row = await d1Db(books)
      .select()
      .from(ledgerReconciliations)
      .where(eq(ledgerReconciliations.id, reconciliationId(book, runAt)))
      .get();
    expect(row).toMatchObject({ book, ranAt: runAt, mismatchCount: 1, netPosted: 100 });
    expect(await reconciliation(book, runAt)).toBeUndefined(); // not in the main database
  });

  it(`${MANY_BOOKS} books: the cron and each consumer batch stay far under 1,000 D1 queries; one row per book, also after a redelivery`, async () => {
    // each book: one zero-balance account of its own (a clean book), inserted directly
    const books = Array.from({ length: MANY_BOOKS }, () => newBook("many"));
    const createdAt = Date.now();
    const accounts = books.map((b) => ({ ...platformAccount("pg_clearing", b), createdAt }));
    await runBatch(
      db(),
      chunks(accounts, valuesPerRow(ledgerAccounts)).map((rows) => db().insert(ledgerAccounts).values(rows)),
    );
    await noRunInProgress();
    const meter = meterD1();
    const sends = captureQueueSends();
    try {
      // the cron sends to a queue nobody consumes, so each consumer invocation below is metered alone
      const runAt = Date.now();
      // a plain copy: an override assigned onto Object.create(env) showed up in later tests of this file
      const recorded: Env = { ...env, JOBS: env.RECORDED_JOBS };
      await runCron(DAILY_CRON, runAt, recorded);
      const cronQueries = meter.queries;
      // was ~3 a book (1,200+ here): now one listing per book database, whatever the number of books
      expect(cronQueries, "daily cron: D1 queries").toBeLessThan(MANY_BOOKS);
      expect(cronQueries, "daily cron: D1 queries").toBeLessThanOrEqual(D1_MAX_QUERIES_PER_INVOCATION);
      expect(Math.max(...sends.batchSizes), "messages in one sendBatch").toBeLessThanOrEqual(100);
      const jobs = (sends.bodies as ReconcileBookJob[]).filter((j) => j.type === "wallet.reconcileBook");
      expect(jobs.filter((j) => j.runAt !== runAt || j.database !== MAIN_BOOK_DB)).toEqual([]);
      const queued = new Set(jobs.map((j) => j.book));
      expect(books.filter((b) => !queued.has(b))).toEqual([]);
      for (const job of jobs) expect(JSON.stringify(job).length).toBeLessThan(128 * 1024);

      // the consumer, one invocation per max_batch_size (wrangler.toml) messages
      const consume = async () => {
        let worst = 0;
        for (let i = 0; i < jobs.length; i += QUEUE_BATCH) {
          const batch = jobs.slice(i, i + QUEUE_BATCH);
          meter.reset();
          const result = await deliver(batch);
          expect(result.explicitAcks).toHaveLength(batch.length);
          worst = Math.max(worst, meter.queries);
        }
        return worst;
      };
      const rowsOfRun = async () =>
        db()
          .select({ book: ledgerReconciliations.book, rows: count() })
          .from(ledgerReconciliations)
          .where(eq(ledgerReconciliations.ranAt, runAt))
          .groupBy(ledgerReconciliations.book)
          .orderBy(ledgerReconciliations.book)
          .all();
      const worstBatch = await consume();
      expect(worstBatch, "consumer batch: D1 queries").toBeLessThanOrEqual(D1_MAX_QUERIES_PER_INVOCATION);
      const once = await rowsOfRun();
      expect(once).toHaveLength(queued.size);
      expect(once.filter((r) => r.rows !== 1)).toEqual([]);
      // at-least-once: every job delivered again adds no row, also two copies in one batch (run side by side)
      await consume();
      expect((await deliver([jobs[0], jobs[0]])).explicitAcks).toHaveLength(2);
      expect(await rowsOfRun()).toEqual(once);
      console.log(
        `reconciliation of ${jobs.length} books: daily cron ${cronQueries} D1 queries; ` +
          `worst consumer batch of ${QUEUE_BATCH}: ${worstBatch} queries; ${sends.batchSizes.length} sendBatch calls`,
      );
    } finally {
      sends.restore();
      meter.restore();
    }
  });
});

/** A client of the admin's session served by the worker with `workerEnv` (jobs to RECORDED_JOBS, books moved). */
function clientWithEnv(jar: { cookies: Map<string, string> }, workerEnv: Env) {
  return createGongguClient({
    url: BASE,
    fetch: async (input, init) => {
      const req = new Request(input, init);
      const headers = new Headers(req.headers);
      headers.set("cookie", [...jar.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
      headers.set("origin", BASE);
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(req, { headers }), workerEnv, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
  });
}

/** One clean book per id: an account of its own with nothing on it, inserted directly. */
async function cleanBooks(n: number, prefix: string) {
  const books = Array.from({ length: n }, () => newBook(prefix));
  const createdAt = Date.now();
  const accounts = books.map((b) => ({ ...platformAccount("pg_clearing", b), createdAt }));
  await runBatch(
    db(),
    chunks(accounts, valuesPerRow(ledgerAccounts)).map((rows) => db().insert(ledgerAccounts).values(rows)),
  );
  return books;
}

/** BOOKS_TEST with its schema, and an env that keeps `book` there (LEDGER_BOOKS). */
async function bookInItsOwnDatabase(book: string) {
  const books = (env as unknown as { BOOKS_TEST: D1Database }).BOOKS_TEST;
  await applyD1Migrations(books, env.TEST_MIGRATIONS);
  return { books: d1Db(books), moved: { LEDGER_BOOKS: JSON.stringify({ [book]: "BOOKS_TEST" }) } };
}

describe("the admin's on-demand reconciliation", { timeout: 120_000 }, () => {
  it(`${MANY_BOOKS} books: the run is queued as the cron's (a few D1 queries); its rows are read from every book database, a page at a time`, async () => {
    const mine = new Set(await cleanBooks(MANY_BOOKS, "admin"));
    const apart = newBook("apart");
    const { books, moved } = await bookInItsOwnDatabase(apart);
    // a difference in the other database: credited without a transfer
    await books
      .insert(ledgerAccounts)
      .values({ ...platformAccount("pg_clearing", apart), creditsPosted: 70, createdAt: Date.now() });
    const admin = await newAdmin();
    await noRunInProgress();
    // jobs to a queue nobody consumes: the request is metered alone, its jobs delivered below
    const client = clientWithEnv(admin.jar, { ...env, ...moved, JOBS: env.RECORDED_JOBS });
    const meter = meterD1();
    const sends = captureQueueSends();
    let started: { runAt: number; books: number };
    let requestQueries: number;
    try {
      started = await client.admin.wallet.reconcile.mutate();
      requestQueries = meter.queries;
    } finally {
      sends.restore();
      meter.restore();
    }
    // checked inline it was ~3 queries a book (1,200+ here), past D1's 1,000 per invocation
    expect(requestQueries, "admin.wallet.reconcile: D1 queries").toBeLessThan(50);
    const jobs = (sends.bodies as ReconcileBookJob[]).filter((j) => j.type === "wallet.reconcileBook");
    expect(started.books).toBe(jobs.length);
    expect(jobs.filter((j) => j.runAt !== started.runAt)).toEqual([]);
    expect(jobs.filter((j) => mine.has(j.book) && j.database === MAIN_BOOK_DB)).toHaveLength(MANY_BOOKS);
    expect(jobs.filter((j) => j.book === apart)).toEqual([
      { type: "wallet.reconcileBook", database: "BOOKS_TEST", book: apart, runAt: started.runAt },
    ]);

    for (let i = 0; i < jobs.length; i += QUEUE_BATCH) {
      const result = await deliver(jobs.slice(i, i + QUEUE_BATCH), { ...env, ...moved });
      expect(result.explicitAcks).toHaveLength(Math.min(QUEUE_BATCH, jobs.length - i));
    }
    // the run's rows, 100 a page, from both databases in (book, database) order
    const rows = await reconciliationRunRows(client, started.runAt);
    expect(rows).toHaveLength(started.books);
    const keys = rows.map((r) => `${r.book}/${r.database}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort());
    expect(rows.filter((r) => mine.has(r.book) && r.mismatchCount === 0 && r.netPosted === 0)).toHaveLength(MANY_BOOKS);
    expect(rows.filter((r) => r.book === apart)).toEqual([
      expect.objectContaining({ database: "BOOKS_TEST", mismatchCount: 1, netPosted: 70 }),
    ]);
    // the latest rows: this run's, newest first then by book, merged from both databases
    const latest = await client.admin.wallet.reconciliations.query({ limit: 100 });
    expect(latest).toEqual(rows.slice(0, 100));
    console.log(
      `admin reconciliation of ${started.books} books: request ${requestQueries} D1 queries; ` +
        `${sends.batchSizes.length} sendBatch calls`,
    );
  });

  it("a start while the run is in progress answers with that run and queues nothing; two at once start one run; a cron tick during it joins it", async () => {
    await cleanBooks(3, "guard");
    // the run of the test above counted a book of BOOKS_TEST, which this env does not name: start from none
    await db().delete(reconciliationRuns);
    const admin = await newAdmin();
    const recorded: Env = { ...env, JOBS: env.RECORDED_JOBS };
    const start = (workerEnv = recorded) => clientWithEnv(admin.jar, workerEnv).admin.wallet.reconcile.mutate();
    const sends = captureQueueSends();
    const jobsSent = () => (sends.bodies as ReconcileBookJob[]).filter((j) => j.type === "wallet.reconcileBook");
    try {
      // a double click: two requests at once start one run, the other answers with it
      const both = await Promise.all([start(), start()]);
      const run = both.find((r) => !r.alreadyRunning)!;
      expect(both.map((r) => r.alreadyRunning).sort()).toEqual([false, true]);
      expect(both).toEqual(expect.arrayContaining([{ ...run, alreadyRunning: true }]));
      expect(run.books).toBeGreaterThanOrEqual(3);
      expect(jobsSent()).toHaveLength(run.books);
      expect(jobsSent().filter((j) => j.runAt !== run.runAt)).toEqual([]);
      // a script calling again while the jobs run: the same run, nothing queued
      expect(await start()).toEqual({ ...run, alreadyRunning: true });
      expect(jobsSent()).toHaveLength(run.books);
      // the daily cron during it queues nothing (that run checks every book already), says so, and keeps the run
      const cronAt = run.runAt + 1;
      const logs = captureLogs();
      try {
        await runCron(DAILY_CRON, cronAt, recorded);
      } finally {
        logs.restore();
      }
      expect(jobsSent()).toHaveLength(run.books);
      expect(logs.lines.filter((l) => l.includes("ledger.reconciliation_joined"))).toEqual([
        JSON.stringify({ level: "info", event: "ledger.reconciliation_joined", cronAt, runAt: run.runAt }),
      ]);
      expect(await start()).toEqual({ ...run, alreadyRunning: true });

      // every book's row stored: the run is over, the next start queues a new one
      const adminJobs = jobsSent().filter((j) => j.runAt === run.runAt);
      for (let i = 0; i < adminJobs.length; i += QUEUE_BATCH) await deliver(adminJobs.slice(i, i + QUEUE_BATCH));
      sends.bodies.length = 0;
      const next = await start();
      expect(next).toMatchObject({ books: run.books, alreadyRunning: false });
      expect(next.runAt).toBeGreaterThan(run.runAt);
      expect(jobsSent()).toHaveLength(next.books);

      // a run whose jobs never all finish (a job dead-lettered) stops counting after the guard window
      await db()
        .update(reconciliationRuns)
        .set({ runAt: next.runAt - RECONCILIATION_RUN_GUARD_MS });
      // a start whose jobs could not be queued leaves no run in progress behind
      const down = {
        ...recorded,
        JOBS: { sendBatch: () => Promise.reject(new Error("queue down")) } as unknown as Queue,
      };
      expect((await errorOf(start(down))).code).toBe("INTERNAL_SERVER_ERROR");
      sends.bodies.length = 0;
      const after = await start();
      expect(after).toMatchObject({ books: run.books, alreadyRunning: false });
      expect(jobsSent()).toHaveLength(after.books);

      // four starts at the same moment, each reading the row before any writes it: the conditional upsert lets one in
      await db()
        .update(reconciliationRuns)
        .set({ runAt: after.runAt - RECONCILIATION_RUN_GUARD_MS });
      sends.bodies.length = 0;
      const at = Date.now();
      const racing = await Promise.all(
        [0, 1, 2, 3].map((i) => startReconciliationRun(recorded, db(), admin.user.id, at + i)),
      );
      const winner = racing.find((r) => !r.alreadyRunning)!;
      expect(racing).toEqual(racing.map((r) => (r === winner ? winner : { ...winner, alreadyRunning: true })));
      expect(jobsSent()).toHaveLength(winner.books);
    } finally {
      sends.restore();
    }
  });

  it("the daily cron's run is the guard's: an admin start during it answers with it; a stuck run stops counting after the window", async () => {
    await cleanBooks(2, "cronrun");
    await noRunInProgress();
    const admin = await newAdmin();
    const recorded: Env = { ...env, JOBS: env.RECORDED_JOBS };
    const start = () => clientWithEnv(admin.jar, recorded).admin.wallet.reconcile.mutate();
    const sends = captureQueueSends();
    const jobsSent = () => (sends.bodies as ReconcileBookJob[]).filter((j) => j.type === "wallet.reconcileBook");
    try {
      const cronAt = Date.now();
      await runCron(DAILY_CRON, cronAt, recorded);
      const books = jobsSent().length;
      expect(books).toBeGreaterThanOrEqual(2);
      expect(jobsSent().filter((j) => j.runAt !== cronAt)).toEqual([]);
      // an admin's start during the cron's run: that run, nothing queued
      expect(await start()).toEqual({ runAt: cronAt, books, alreadyRunning: true });
      expect(jobsSent()).toHaveLength(books);
      // the same cron fired again (at-least-once) queues nothing twice
      await runCron(DAILY_CRON, cronAt, recorded);
      expect(jobsSent()).toHaveLength(books);
      // no job ever finishes (the queue lost them): the run counts until the window ends, then a cron runs again
      await runCron(DAILY_CRON, cronAt + RECONCILIATION_RUN_GUARD_MS - 1, recorded);
      expect(jobsSent()).toHaveLength(books);
      const nextAt = cronAt + RECONCILIATION_RUN_GUARD_MS;
      await runCron(DAILY_CRON, nextAt, recorded);
      expect(jobsSent().filter((j) => j.runAt === nextAt)).toHaveLength(books);

      // a cron tick and an admin's start at the same moment start one run between them
      await noRunInProgress();
      sends.bodies.length = 0;
      const [, started] = await Promise.all([runCron(DAILY_CRON, Date.now(), recorded), start()]);
      expect(jobsSent()).toHaveLength(books);
      expect(jobsSent().filter((j) => j.runAt !== started.runAt)).toEqual([]);
    } finally {
      sends.restore();
    }
  });

  it("refuses a bad run or page with a typed error, and anyone but an admin", async () => {
    const admin = await newAdmin();
    for (const run of [{ at: -1 }, { at: 1.5 }, { at: 1, after: { book: "A B", database: "DB" } }]) {
      const err = await errorOf(admin.client.admin.wallet.reconciliations.query({ run }));
      expect(err.code).toBe("BAD_REQUEST");
    }
    const buyer = await newBuyer();
    expect((await errorOf(buyer.client.admin.wallet.reconcile.mutate())).code).toBe("FORBIDDEN");
    expect((await errorOf(buyer.client.admin.wallet.reconciliations.query({ run: { at: 1 } }))).code).toBe("FORBIDDEN");
  });

  it("the daily cron deletes rows past 90 days in every book database, where the jobs write them", async () => {
    const book = newBook("kept");
    const { books, moved } = await bookInItsOwnDatabase(book);
    const now = Date.now();
    const old = now - RECONCILIATION_RETENTION_MS - 1;
    const row = (ranAt: number) => ({
      id: reconciliationId(book, ranAt),
      book,
      ranAt,
      accountsChecked: 0,
      mismatchCount: 0,
      netPosted: 0,
      netPending: 0,
      details: [],
    });
    for (const where of [db(), books]) await where.insert(ledgerReconciliations).values([row(old), row(now - 1)]);
    await runCron(DAILY_CRON, now, { ...env, ...moved, JOBS: env.RECORDED_JOBS });
    for (const where of [db(), books]) {
      const left = await where
        .select({ ranAt: ledgerReconciliations.ranAt })
        .from(ledgerReconciliations)
        .where(eq(ledgerReconciliations.book, book))
        .all();
      expect(left).toEqual([{ ranAt: now - 1 }]);
    }
  });
});
