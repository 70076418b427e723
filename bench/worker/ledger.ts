/**
 * A tiny Worker for `npm run bench:ledger`: exposes the ledger's hold/post and a naive in-place `UPDATE balance`
 * baseline over HTTP, on the same D1. Never deployed: bench/ledger.ts runs it with `wrangler dev` from a temp config.
 */
import { sql } from "drizzle-orm";
import { getDb, runBatch } from "../../worker/db/client";
import { escrowAccount, platformAccount, userChargedAccount } from "../../worker/wallet/accounts";
import { placeHold, postHold } from "../../worker/wallet/holds";
import { transferStatements } from "../../worker/wallet/ledger";
import { checkBook, isClean } from "../../worker/wallet/reconcile";

interface BenchEnv {
  DB: D1Database;
}

type Body = Record<string, string | number>;

async function handle(path: string, body: Body, env: BenchEnv): Promise<unknown> {
  const db = getDb(env);
  const now = Date.now();
  const book = String(body.book);
  switch (path) {
    case "/setup": {
      const users = Number(body.users);
      const amount = Number(body.amount);
      await env.DB.exec(
        "CREATE TABLE IF NOT EXISTS bench_naive (user_id TEXT PRIMARY KEY, balance INTEGER NOT NULL, held INTEGER NOT NULL, CHECK (balance >= held))",
      );
      for (let start = 0; start < users; start += 25) {
        const statements = [];
        for (let i = start; i < Math.min(users, start + 25); i++) {
          statements.push(
            ...transferStatements(db, {
              id: `bench-fund:${book}:${i}`,
              book,
              debit: platformAccount("pg_clearing", book),
              credit: userChargedAccount(`u${i}`, book),
              amount,
              kind: "charge",
              now,
            }),
          );
        }
        await runBatch(db, statements);
        await env.DB.batch(
          Array.from({ length: Math.min(users, start + 25) - start }, (_, k) =>
            env.DB.prepare("INSERT OR REPLACE INTO bench_naive (user_id, balance, held) VALUES (?, ?, 0)").bind(
              `${book}:u${start + k}`,
              amount,
            ),
          ),
        );
      }
      return { ok: true };
    }
    case "/hold":
      return placeHold(db, {
        holdId: String(body.holdId),
        userId: String(body.userId),
        regionId: book,
        amount: Number(body.amount),
        now,
      });
    case "/post":
      return postHold(db, { holdId: String(body.holdId), toAccount: escrowAccount(String(body.gb), book), now });
    case "/naive/hold": {
      const r = await env.DB.prepare(
        "UPDATE bench_naive SET held = held + ?1 WHERE user_id = ?2 AND balance - held >= ?1",
      )
        .bind(Number(body.amount), `${book}:${body.userId}`)
        .run();
      if (r.meta.changes !== 1) throw new Error("naive hold refused");
      return { ok: true };
    }
    case "/naive/post": {
      const r = await env.DB.prepare(
        "UPDATE bench_naive SET held = held - ?1, balance = balance - ?1 WHERE user_id = ?2 AND held >= ?1",
      )
        .bind(Number(body.amount), `${book}:${body.userId}`)
        .run();
      if (r.meta.changes !== 1) throw new Error("naive post refused");
      return { ok: true };
    }
    case "/check": {
      const check = await checkBook(db, book);
      const transfers = await db.get<{ n: number }>(
        sql`SELECT count(*) AS n FROM ledger_transfers WHERE book = ${book}`,
      );
      return { clean: isClean(check), accounts: check.accountsChecked, transfers: transfers?.n ?? 0 };
    }
    default:
      return null;
  }
}

export default {
  async fetch(req: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    try {
      const result = await handle(url.pathname, (await req.json()) as Body, env);
      return result === null ? new Response("not found", { status: 404 }) : Response.json(result);
    } catch (e) {
      return Response.json({ error: String(e) }, { status: 409 });
    }
  },
} satisfies ExportedHandler<BenchEnv>;
