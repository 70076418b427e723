import { and, gte, inArray, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { TIMELINE_BUCKETS, type TimelineBucket } from "../../shared/schemas/console";
import type { Db } from "../db/client";
import { charges, deadLetters, groupBuyMembers } from "../db/schema";
import { allBookDbs } from "../wallet/books";

/** Charge outcomes counted as failures on the admin chart (declined, clawed back after a deferred decline). */
const FAILED_CHARGES = ["failed", "clawed_back"] as const;

/** `floor(col / ms) * ms`: the bucket start. `ms` comes from a fixed table, never from input, so it is inlined. */
function bucketOf(column: SQLiteColumn, ms: number) {
  return sql<number>`(${column} / ${sql.raw(String(ms))}) * ${sql.raw(String(ms))}`;
}

/**
 * Joins, successful charges and failures (failed charges + dead-lettered jobs) per bucket, for the admin charts.
 * One grouped query per table (and per ledger book for charges), so the cost does not grow with traffic.
 */
export async function adminTimeline(db: Db, env: Env, input: { bucket: TimelineBucket; points: number }, now: number) {
  const ms = TIMELINE_BUCKETS[input.bucket];
  const from = Math.floor(now / ms) * ms - (input.points - 1) * ms;
  const t = Array.from({ length: input.points }, (_, i) => from + i * ms);
  const joins = new Array<number>(input.points).fill(0);
  const paid = new Array<number>(input.points).fill(0);
  const failures = new Array<number>(input.points).fill(0);
  const add = (series: number[], at: number, n: number) => {
    const i = Math.round((at - from) / ms);
    if (i >= 0 && i < series.length) series[i] += Number(n);
  };

  const joinBucket = bucketOf(groupBuyMembers.joinedAt, ms);
  const deadBucket = bucketOf(deadLetters.createdAt, ms);
  const [joinRows, deadRows] = await Promise.all([
    db
      .select({ at: joinBucket, n: sql<number>`count(*)` })
      .from(groupBuyMembers)
      .where(gte(groupBuyMembers.joinedAt, from))
      .groupBy(sql`1`)
      .all(),
    db
      .select({ at: deadBucket, n: sql<number>`count(*)` })
      .from(deadLetters)
      .where(gte(deadLetters.createdAt, from))
      .groupBy(sql`1`)
      .all(),
  ]);
  for (const r of joinRows) add(joins, r.at, r.n);
  for (const r of deadRows) add(failures, r.at, r.n);

  const chargeBucket = bucketOf(charges.createdAt, ms);
  for (const book of allBookDbs(env)) {
    const rows = await book
      .select({ at: chargeBucket, status: charges.status, n: sql<number>`count(*)` })
      .from(charges)
      .where(and(gte(charges.createdAt, from), inArray(charges.status, ["succeeded", ...FAILED_CHARGES])))
      .groupBy(sql`1`, charges.status)
      .all();
    for (const r of rows) add(r.status === "succeeded" ? paid : failures, r.at, r.n);
  }
  return { bucket: input.bucket, bucketMs: ms, t, joins, charges: paid, failures };
}
