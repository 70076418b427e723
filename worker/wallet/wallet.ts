import { and, asc, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { KST_OFFSET_MS } from "../../shared/kst";
import type { TransferKind } from "../../shared/schemas/wallet";
import type { Db } from "../db/client";
import { auditLog, ledgerTransfers, users } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { balanceOf, platformAccount, userChargedAccount, userRewardAccount } from "./accounts";
import { getAccounts, type TransferRow, transfer } from "./ledger";

/**
 * What the wallet screen shows. charged/reward are posted balances; held is what holds (joins) reserve from them;
 * available = charged + reward − held is what the user can spend now. pendingCharges: deferred card charges not yet
 * paid (filled by the payments module).
 */
export interface WalletSummary {
  regionId: string | null;
  charged: number;
  reward: number;
  held: number;
  available: number;
  pendingCharges: number;
}

export async function walletSummary(db: Db, userId: string, regionId: string | null): Promise<WalletSummary> {
  if (!regionId) return { regionId, charged: 0, reward: 0, held: 0, available: 0, pendingCharges: 0 };
  const charged = userChargedAccount(userId, regionId);
  const reward = userRewardAccount(userId, regionId);
  const rows = await getAccounts(db, [charged.id, reward.id]);
  const c = balanceOf(rows.find((r) => r.id === charged.id));
  const r = balanceOf(rows.find((r) => r.id === reward.id));
  return {
    regionId,
    charged: c.balance,
    reward: r.balance,
    held: c.pendingDebits + r.pendingDebits,
    available: c.available + r.available,
    pendingCharges: 0,
  };
}

export interface WalletLine {
  id: string;
  seq: number;
  at: number;
  kind: TransferKind;
  phase: TransferRow["phase"];
  account: "charged" | "reward";
  /** Effect on the posted balance (+ in, − out). */
  delta: number;
  /** Effect on held points (+ reserved, − released or captured). */
  heldDelta: number;
  /** A pending line's outcome so far: taken ("post", e.g. a join's points paid), let go ("void") or null while open. */
  settledAs: "post" | "void" | null;
  reference: string | null;
  description: string;
  meta: Record<string, string | number | null> | null;
}

const pendingRow = alias(ledgerTransfers, "pending_row");
/** The post or void row that settled a pending row (at most one: ledger_transfers_pending_unique). */
const settleRow = alias(ledgerTransfers, "settle_row");

function toLine(
  { row, pendingAmount, settledAs }: { row: TransferRow; pendingAmount: number | null; settledAs: string | null },
  ids: { charged: string; reward: string },
): WalletLine {
  const out = row.debitAccountId === ids.charged || row.debitAccountId === ids.reward;
  const accountId = out ? row.debitAccountId : row.creditAccountId;
  const sign = out ? -1 : 1;
  let delta = 0;
  let heldDelta = 0;
  if (row.phase === "single") delta = sign * row.amount;
  else if (row.phase === "pending") heldDelta = out ? row.amount : 0;
  else if (row.phase === "post") {
    delta = sign * row.amount;
    heldDelta = out ? -(pendingAmount ?? row.amount) : 0;
  } else heldDelta = out ? -row.amount : 0;
  return {
    id: row.id,
    seq: row.seq,
    at: row.createdAt,
    kind: row.kind as TransferKind,
    phase: row.phase,
    account: accountId === ids.reward ? "reward" : "charged",
    delta,
    heldDelta,
    settledAs: row.phase === "pending" && (settledAs === "post" || settledAs === "void") ? settledAs : null,
    reference: row.reference,
    description: row.description,
    meta: row.meta ?? null,
  };
}

function userLines(db: Db, userId: string, regionId: string) {
  const ids = { charged: userChargedAccount(userId, regionId).id, reward: userRewardAccount(userId, regionId).id };
  const touches = or(
    inArray(ledgerTransfers.debitAccountId, [ids.charged, ids.reward]),
    inArray(ledgerTransfers.creditAccountId, [ids.charged, ids.reward]),
  );
  const query = db
    .select({ row: ledgerTransfers, pendingAmount: pendingRow.amount, settledAs: settleRow.phase })
    .from(ledgerTransfers)
    .leftJoin(pendingRow, eq(pendingRow.id, ledgerTransfers.pendingId))
    .leftJoin(settleRow, eq(settleRow.pendingId, ledgerTransfers.id));
  return { ids, touches, query };
}

/** Newest first; `cursor` is the `nextCursor` of the previous page. */
export async function walletHistory(
  db: Db,
  userId: string,
  regionId: string | null,
  args: { cursor?: string; limit: number },
): Promise<{ lines: WalletLine[]; nextCursor: string | null }> {
  if (!regionId) return { lines: [], nextCursor: null };
  if (args.cursor !== undefined && !/^\d{1,15}$/.test(args.cursor)) fail("BAD_REQUEST", "That cursor is not valid.");
  const { ids, touches, query } = userLines(db, userId, regionId);
  const rows = await query
    .where(args.cursor ? and(touches, lt(ledgerTransfers.seq, Number(args.cursor))) : touches)
    .orderBy(desc(ledgerTransfers.seq))
    .limit(args.limit + 1)
    .all();
  const page = rows.slice(0, args.limit).map((r) => toLine(r, ids));
  return { lines: page, nextCursor: rows.length > args.limit ? String(page[page.length - 1].seq) : null };
}

export const STATEMENT_MAX_LINES = 1000;

/** Month boundaries in Korea time (UTC+9, no DST), as epoch ms [start, end). */
export function monthRangeKst(month: string): { start: number; end: number } {
  const [y, m] = month.split("-").map(Number);
  return { start: Date.UTC(y, m - 1, 1) - KST_OFFSET_MS, end: Date.UTC(y, m, 1) - KST_OFFSET_MS };
}

export interface Balances {
  charged: number;
  reward: number;
  total: number;
}

export async function walletStatement(db: Db, userId: string, regionId: string | null, month: string) {
  const { start, end } = monthRangeKst(month);
  const empty: Balances = { charged: 0, reward: 0, total: 0 };
  if (!regionId)
    return { month, regionId, opening: empty, closing: empty, lines: [], totalsByKind: {}, truncated: false };
  const { ids, touches, query } = userLines(db, userId, regionId);
  // posted effect of a row on one account: + credit, − debit (pending/void rows never change posted balances)
  const effect = (accountId: string, before: number) =>
    sql<number>`coalesce(sum(CASE WHEN ${ledgerTransfers.phase} IN ('single','post') AND ${ledgerTransfers.createdAt} < ${before}
      THEN (CASE WHEN ${ledgerTransfers.creditAccountId} = ${accountId} THEN ${ledgerTransfers.amount}
                 WHEN ${ledgerTransfers.debitAccountId} = ${accountId} THEN -${ledgerTransfers.amount} ELSE 0 END)
      ELSE 0 END), 0)`;
  const sums = await db
    .select({
      openCharged: effect(ids.charged, start),
      openReward: effect(ids.reward, start),
      closeCharged: effect(ids.charged, end),
      closeReward: effect(ids.reward, end),
    })
    .from(ledgerTransfers)
    .where(and(touches, lt(ledgerTransfers.createdAt, end)))
    .get();
  const rows = await query
    .where(and(touches, gte(ledgerTransfers.createdAt, start), lt(ledgerTransfers.createdAt, end)))
    .orderBy(asc(ledgerTransfers.seq))
    .limit(STATEMENT_MAX_LINES + 1)
    .all();
  const lines = rows.slice(0, STATEMENT_MAX_LINES).map((r) => toLine(r, ids));
  const kinds = await db
    .select({
      kind: ledgerTransfers.kind,
      delta: sql<number>`sum(CASE WHEN ${ledgerTransfers.phase} IN ('single','post') THEN
        (CASE WHEN ${ledgerTransfers.creditAccountId} IN (${ids.charged}, ${ids.reward}) THEN ${ledgerTransfers.amount}
              ELSE -${ledgerTransfers.amount} END) ELSE 0 END)`,
    })
    .from(ledgerTransfers)
    .where(and(touches, gte(ledgerTransfers.createdAt, start), lt(ledgerTransfers.createdAt, end)))
    .groupBy(ledgerTransfers.kind)
    .all();
  const bal = (charged: number, reward: number): Balances => ({ charged, reward, total: charged + reward });
  return {
    month,
    regionId,
    opening: bal(sums?.openCharged ?? 0, sums?.openReward ?? 0),
    closing: bal(sums?.closeCharged ?? 0, sums?.closeReward ?? 0),
    lines,
    totalsByKind: Object.fromEntries(kinds.filter((k) => k.delta !== 0).map((k) => [k.kind, k.delta])),
    truncated: rows.length > STATEMENT_MAX_LINES,
  };
}

/**
 * Promotional reward points (promotion expense → the user's reward account). Idempotent by transferId: the caller
 * derives it from an idempotency key. Writes an audit row.
 */
export async function grantPromotion(
  mainDb: Db,
  bookDbOf: (regionId: string) => Db,
  args: { userId: string; amount: number; reason: string; actorId: string; transferId: string; now: number },
) {
  const user = await mainDb.select().from(users).where(eq(users.id, args.userId)).get();
  if (!user) fail("NOT_FOUND", "No user with that id.");
  const regionId = user.homeRegionId;
  if (!regionId)
    fail("PRECONDITION_FAILED", "This user has no home region yet; they must verify a neighbourhood first.");
  const row = await transfer(bookDbOf(regionId), {
    id: args.transferId,
    book: regionId,
    debit: platformAccount("promotion_expense", regionId),
    credit: userRewardAccount(args.userId, regionId),
    amount: args.amount,
    kind: "grant",
    reference: `admin:${args.actorId}`,
    description: "Promotional points",
    meta: { reason: args.reason },
    now: args.now,
  });
  await mainDb.insert(auditLog).values({
    id: newId(args.now),
    actorId: args.actorId,
    action: "wallet.grant",
    targetId: args.userId,
    detail: { amount: args.amount, reason: args.reason, transferId: row.id },
    createdAt: args.now,
  });
  return { transferId: row.id, regionId, amount: row.amount, at: row.createdAt };
}
