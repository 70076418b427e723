import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { sellerApplications, sellerPayoutAccounts, users } from "../db/schema";
import { afterCursor, page } from "../groupbuy/cursor";

/**
 * `admin.sellers.list`: approved sellers, most recently approved first, with their business, suspension and payout
 * account status, so an admin can suspend one or see who cannot be paid. Walks approved applications by their (status, created_at) index rather than scanning users.
 */
export async function listSellers(db: Db, input: { cursor?: string; limit: number }, now: number) {
  const rows = await db
    .select({
      applicationId: sellerApplications.id,
      appliedAt: sellerApplications.createdAt,
      businessName: sellerApplications.businessName,
      businessNumber: sellerApplications.businessNumber,
      userId: users.id,
      displayName: users.displayName,
      email: users.email,
      suspendedUntil: users.suspendedUntil,
      /** Toss's view of their payout account (null: none registered); admins read it, only the seller changes it. */
      payoutAccountStatus: sellerPayoutAccounts.status,
    })
    .from(sellerApplications)
    .innerJoin(users, eq(users.id, sellerApplications.userId))
    .leftJoin(sellerPayoutAccounts, eq(sellerPayoutAccounts.sellerId, users.id))
    .where(
      and(
        eq(sellerApplications.status, "approved"),
        eq(users.role, "seller"),
        afterCursor(sellerApplications.createdAt, sellerApplications.id, input.cursor),
      ),
    )
    .orderBy(desc(sellerApplications.createdAt), desc(sellerApplications.id))
    .limit(input.limit + 1)
    .all();
  return page(
    rows.map((r) => ({ ...r, suspended: r.suspendedUntil !== null && r.suspendedUntil > now })),
    input.limit,
    (r) => ({ at: r.appliedAt, id: r.applicationId }),
  );
}
