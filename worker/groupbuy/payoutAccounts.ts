import { TRPCError } from "@trpc/server";
import { and, eq, exists, inArray, isNull, like, not, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { BANKS, PARTIAL_PAYOUT_LIMIT_WON, SELLER_STATUSES, type SellerStatus } from "../../shared/payouts";
import type { PayoutAccountInput } from "../../shared/schemas/payoutAccounts";
import { sendNotifications } from "../community/notifications";
import type { Db } from "../db/client";
import { notifications, sellerPayables, sellerPayoutAccounts } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { sha256Hex } from "../lib/ids";
import { type RateLimitRule, requireUnderRateLimits } from "../lib/rateLimit";
import { getGateway } from "../payments";
import {
  type GatewayOutcome,
  type GatewaySeller,
  type GatewaySellerRequest,
  IN_PROGRESS_CODES,
  type PaymentGateway,
  SELLER_ALREADY_REGISTERED,
} from "../payments/gateway";
import { MIN_PAYOUT_WON } from "./config";

/**
 * The seller's payout account (정산 계좌), registered with Toss 지급대행 v2 (/v2/sellers), and THE rule of what its
 * status allows. Toss keeps the account number; we keep Toss's seller id (the payout destination), the status, the
 * bank, the holder and the last 4 digits, so nothing here can leak a full account number.
 */

export type PayoutAccountRow = typeof sellerPayoutAccounts.$inferSelect;

/** Why an available balance was not paid; each is a notification the seller can act on. */
export type PayoutBlock = "missing" | "approval_required" | "kyc_required";

type Allowance = { payable: false; block: PayoutBlock } | { payable: true; limitWon: number | null };

/** Registering hits the gateway (and Toss's account check): a few per hour is plenty. */
export const SAVE_RULE: RateLimitRule = { limit: 10, windowMs: 3_600_000 };

/**
 * What the payout batch may send this seller: nothing (and why), up to a limit, or anything. Toss refuses payouts to
 * APPROVAL_REQUIRED / KYC_REQUIRED sellers and pays PARTIALLY_APPROVED ones up to 10 million won.
 */
export function payoutAllowance(account: Pick<PayoutAccountRow, "status"> | null | undefined): Allowance {
  if (!account) return { payable: false, block: "missing" };
  const byStatus: Record<SellerStatus, Allowance> = {
    APPROVAL_REQUIRED: { payable: false, block: "approval_required" },
    KYC_REQUIRED: { payable: false, block: "kyc_required" },
    PARTIALLY_APPROVED: { payable: true, limitWon: PARTIAL_PAYOUT_LIMIT_WON },
    APPROVED: { payable: true, limitWon: null },
  };
  return byStatus[account.status];
}

/** The statuses payoutAllowance lets the batch pay, for SQL. */
const PAYABLE_STATUSES = SELLER_STATUSES.filter((status) => payoutAllowance({ status }).payable);

/** SQL: the seller (a column holding their id) has a payout account the batch may pay. */
export function hasPayableAccount(db: Db, sellerId: SQLiteColumn): SQL {
  return exists(
    db
      .select({ one: sql`1` })
      .from(sellerPayoutAccounts)
      .where(and(eq(sellerPayoutAccounts.sellerId, sellerId), inArray(sellerPayoutAccounts.status, PAYABLE_STATUSES))),
  );
}

/** What the seller (and an admin) sees: never more of the account number than its last 4 digits. */
export function payoutAccountSummary(row: PayoutAccountRow) {
  const allowance = payoutAllowance(row);
  return {
    businessType: row.businessType,
    status: row.status,
    bankCode: row.bankCode,
    bankName: BANKS.find(([code]) => code === row.bankCode)?.[1] ?? row.bankCode,
    holderName: row.holderName,
    accountMasked: `****${row.accountLast4}`,
    payable: allowance.payable,
    limitWon: allowance.payable ? allowance.limitWon : 0,
    updatedAt: row.updatedAt,
  };
}

export async function getPayoutAccount(db: Db, sellerId: string) {
  const row = await db.select().from(sellerPayoutAccounts).where(eq(sellerPayoutAccounts.sellerId, sellerId)).get();
  return row ? payoutAccountSummary(row) : null;
}

export async function payoutAccountsOf(db: Db, sellerIds: string[]): Promise<Map<string, PayoutAccountRow>> {
  if (sellerIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(sellerPayoutAccounts)
    .where(inArray(sellerPayoutAccounts.sellerId, sellerIds.slice(0, 90)))
    .all();
  return new Map(rows.map((r) => [r.sellerId, r]));
}

/** Toss's seller body without refSellerId (an update must not send it; a registration adds it). */
function sellerRequest(input: PayoutAccountInput): Omit<GatewaySellerRequest, "refSellerId"> {
  const contact = { email: input.email, phone: input.phone };
  return {
    businessType: input.businessType,
    ...(input.businessType === "INDIVIDUAL"
      ? { individual: { name: input.name, ...contact } }
      : {
          company: {
            name: input.name,
            representativeName: input.representativeName ?? "",
            businessRegistrationNumber: input.businessNumber ?? "",
            ...contact,
          },
        }),
    account: { bankCode: input.bankCode, accountNumber: input.accountNumber, holderName: input.holderName },
  };
}

/**
 * `seller.payoutAccount.save`: registers the seller with the gateway the first time, updates it afterwards, and keeps
 * the answer. Nothing is written unless the gateway accepted it. The Idempotency-Key is the body's hash, so a retry
 * after a timeout replays the first answer instead of registering twice (refSellerId is ours and never reused).
 */
export async function savePayoutAccount(db: Db, env: Env, sellerId: string, input: PayoutAccountInput, now: number) {
  const limitKey = `payout-account:${sellerId}`;
  // counted before the gateway call, in one atomic step, so parallel saves cannot all pass a read-only check
  await requireUnderRateLimits(db, [{ key: limitKey, rule: SAVE_RULE }], now, {
    reason: "payout_account_limit",
    what: "Too many payout account changes.",
  });

  const existing = await db
    .select()
    .from(sellerPayoutAccounts)
    .where(eq(sellerPayoutAccounts.sellerId, sellerId))
    .get();
  const body = sellerRequest(input);
  const bodyHash = (await sha256Hex(JSON.stringify(body))).slice(0, 32);
  const gateway = getGateway(env);
  const outcome = existing
    ? await gateway.updateSeller(existing.gatewaySellerId, body, `seller-update:${sellerId}:${bodyHash}`)
    : await register(gateway, { refSellerId: sellerId, ...body }, `seller-register:${sellerId}:${bodyHash}`);
  if (outcome.kind === "declined" && outcome.code === SELLER_ALREADY_REGISTERED) {
    // another first save of this seller (a double tap, a second tab) registered other details a moment ago
    const winner = await db
      .select()
      .from(sellerPayoutAccounts)
      .where(eq(sellerPayoutAccounts.sellerId, sellerId))
      .get();
    if (winner && sameAccount(winner, input)) return payoutAccountSummary(winner);
    failWith(
      "CONFLICT",
      "Your payout account was registered a moment ago by another save (another tab or a double tap). Reload to see which account it is; save again to change it.",
      { reason: "payout_account_exists" },
    );
  }
  if (outcome.kind === "declined") {
    fail(
      "PRECONDITION_FAILED",
      `Toss Payments refused the payout account (${outcome.message}). Check the bank, account number and holder name.`,
    );
  }
  if (outcome.kind !== "ok") {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message:
        "The payout service is not answering, so nothing was saved. Send the same details again in a few minutes.",
    });
  }
  const seller = outcome.value;
  const row: PayoutAccountRow = {
    sellerId,
    gatewaySellerId: seller.id,
    businessType: input.businessType,
    status: seller.status,
    bankCode: input.bankCode,
    holderName: input.holderName,
    accountLast4: input.accountNumber.slice(-4),
    statusChangedAt: existing && existing.status === seller.status ? existing.statusChangedAt : now,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  // A racing save of the same seller: the last answer from the gateway wins, both describe the same Toss seller.
  await db
    .insert(sellerPayoutAccounts)
    .values(row)
    .onConflictDoUpdate({
      target: sellerPayoutAccounts.sellerId,
      set: {
        gatewaySellerId: row.gatewaySellerId,
        businessType: row.businessType,
        status: row.status,
        bankCode: row.bankCode,
        holderName: row.holderName,
        accountLast4: row.accountLast4,
        statusChangedAt: row.statusChangedAt,
        updatedAt: now,
      },
    });
  return payoutAccountSummary(row);
}

/** How long a registration waits for an identical one still running at the gateway before giving up. */
const REGISTER_WAITS_MS = [200, 400, 800, 1_600];

/**
 * The first registration. Two identical saves at once share one Idempotency-Key: the gateway answers the second "still
 * running" and, once the first is done, replays its answer, so the second waits for that instead of failing.
 */
async function register(
  gateway: PaymentGateway,
  req: GatewaySellerRequest,
  idempotencyKey: string,
): Promise<GatewayOutcome<GatewaySeller>> {
  for (const waitMs of REGISTER_WAITS_MS) {
    const outcome = await gateway.registerSeller(req, idempotencyKey);
    if (outcome.kind !== "unknown" || !IN_PROGRESS_CODES.has(outcome.code)) return outcome;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  return gateway.registerSeller(req, idempotencyKey);
}

/** The account the seller sees (bank, holder, last 4 digits, business type) is the one they sent. */
function sameAccount(row: PayoutAccountRow, input: PayoutAccountInput): boolean {
  return (
    row.businessType === input.businessType &&
    row.bankCode === input.bankCode &&
    row.holderName === input.holderName &&
    row.accountLast4 === input.accountNumber.slice(-4)
  );
}

/**
 * Re-reads a seller's status from the gateway (a seller.changed webhook, a payout refused for the seller's status) and
 * keeps it. The gateway's answer is the truth, never a webhook body. Returns the new status, or null when unknown.
 */
export async function refreshPayoutAccount(db: Db, env: Env, gatewaySellerId: string, now: number) {
  const outcome = await getGateway(env).getSeller(gatewaySellerId);
  if (outcome.kind !== "ok" || !outcome.value) return null;
  await applySellerStatus(db, outcome.value, now);
  return outcome.value.status;
}

async function applySellerStatus(db: Db, seller: GatewaySeller, now: number) {
  const row = await db
    .select()
    .from(sellerPayoutAccounts)
    .where(eq(sellerPayoutAccounts.gatewaySellerId, seller.id))
    .get();
  if (!row || row.status === seller.status) return;
  await db
    .update(sellerPayoutAccounts)
    .set({ status: seller.status, statusChangedAt: now, updatedAt: now })
    .where(eq(sellerPayoutAccounts.gatewaySellerId, seller.id));
}

/**
 * The payout batch's other half: sellers with an available balance it may not pay (no account, or Toss wants them to
 * act) and who were not told yet in this episode (no payout-account notification keyed by their account's last status
 * change) are told now. Walking only the untold keeps `limit` from showing the same sellers every run.
 */
export async function tellBlockedSellers(db: Db, env: Env, now: number, limit: number): Promise<number> {
  const lastChange = sql`coalesce((SELECT ${sellerPayoutAccounts.statusChangedAt} FROM ${sellerPayoutAccounts} WHERE ${sellerPayoutAccounts.sellerId} = ${sellerPayables.sellerId}), 0)`;
  const blocked = await db
    .select({ sellerId: sellerPayables.sellerId, total: sql<number>`sum(${sellerPayables.net})` })
    .from(sellerPayables)
    .where(
      and(
        eq(sellerPayables.status, "available"),
        isNull(sellerPayables.payoutId),
        not(hasPayableAccount(db, sellerPayables.sellerId)),
        not(
          exists(
            db
              .select({ one: sql`1` })
              .from(notifications)
              .where(
                and(
                  eq(notifications.userId, sellerPayables.sellerId),
                  like(notifications.dedupeKey, sql`'payout-account:' || ${lastChange} || ':%'`),
                ),
              ),
          ),
        ),
      ),
    )
    .groupBy(sellerPayables.sellerId)
    .having(sql`sum(${sellerPayables.net}) >= ${MIN_PAYOUT_WON}`)
    .limit(limit)
    .all();
  const accounts = await payoutAccountsOf(
    db,
    blocked.map((b) => b.sellerId),
  );
  for (const b of blocked) {
    const account = accounts.get(b.sellerId);
    const allowance = payoutAllowance(account);
    if (!allowance.payable) await tellPayoutBlocked(db, env, b.sellerId, account, allowance.block, b.total, now);
  }
  return blocked.length;
}

/**
 * Tells the seller once per episode (the account's status change, or none yet) that money waits for them to act.
 * The dedupe key makes every later batch run of the same episode a no-op.
 */
export async function tellPayoutBlocked(
  db: Db,
  env: Env,
  sellerId: string,
  account: PayoutAccountRow | undefined,
  reason: PayoutBlock | "over_limit",
  availableWon: number,
  now: number,
) {
  await sendNotifications(db, env, [
    {
      userId: sellerId,
      now,
      kind: "payout.account_needed",
      params: { reason, availableWon },
      // episode first: tellBlockedSellers finds "told in this episode" by this prefix
      dedupeKey: `payout-account:${account?.statusChangedAt ?? 0}:${reason}`,
    },
  ]);
}
