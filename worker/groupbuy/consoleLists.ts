import { and, desc, eq, sql } from "drizzle-orm";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import type { Db } from "../db/client";
import { groupBuys, regions, sellerPayables, users } from "../db/schema";
import { afterCursor, page } from "./cursor";
import { refundOpen } from "./purchaseRefund";
import { publicGroupBuy } from "./service";
import { canTransition } from "./stateMachine";

/** The seller's next steps the state machine allows for the buy now (the console shows exactly these buttons). */
export function sellerActions(
  gb: { status: GroupBuyStatus; completedAt: number | null; settledAt: number | null },
  now: number,
) {
  const { status } = gb;
  return {
    order: canTransition(status, "ORDERED"),
    ready: canTransition(status, "READY"),
    cancel: canTransition(status, "CANCELLED"),
    // pickup.ts: no-shows are marked while READY
    noShow: status === "READY",
    // purchaseRefund.ts: a settled COMPLETED buy's purchases, within the refund window
    refund: refundOpen(gb, now),
  };
}

/**
 * `seller.groupBuys`: the seller's buys, newest first, with mirrored fill, the neighbourhood each is in (two buys of one
 * product in two neighbourhoods looked the same) and the actions allowed now.
 */
export async function listSellerGroupBuys(
  db: Db,
  sellerId: string,
  input: { status?: GroupBuyStatus; cursor?: string; limit: number },
  now: number,
) {
  const rows = await db
    .select({ gb: groupBuys, regionName: regions.name, regionNameEn: regions.nameEn })
    .from(groupBuys)
    .innerJoin(regions, eq(regions.id, groupBuys.regionId))
    .where(
      and(
        eq(groupBuys.sellerId, sellerId),
        input.status ? eq(groupBuys.status, input.status) : undefined,
        afterCursor(groupBuys.createdAt, groupBuys.id, input.cursor),
      ),
    )
    .orderBy(desc(groupBuys.createdAt), desc(groupBuys.id))
    .limit(input.limit + 1)
    .all();
  return page(
    rows.map(({ gb, regionName, regionNameEn }) => ({
      ...publicGroupBuy(gb),
      regionName,
      regionNameEn,
      actions: sellerActions(gb, now),
    })),
    input.limit,
    (item) => ({ at: item.createdAt, id: item.id }),
  );
}

/** `admin.payables.list`: every seller's payables (settlements) with platform-wide totals per status. */
export async function listAllPayables(
  db: Db,
  input: { status?: "pending" | "available" | "paid"; cursor?: string; limit: number },
) {
  const [rows, totals] = await Promise.all([
    db
      .select({ payable: sellerPayables, title: groupBuys.title, sellerName: users.displayName })
      .from(sellerPayables)
      .innerJoin(groupBuys, eq(groupBuys.id, sellerPayables.groupBuyId))
      .innerJoin(users, eq(users.id, sellerPayables.sellerId))
      .where(
        and(
          input.status ? eq(sellerPayables.status, input.status) : undefined,
          afterCursor(sellerPayables.createdAt, sellerPayables.id, input.cursor),
        ),
      )
      .orderBy(desc(sellerPayables.createdAt), desc(sellerPayables.id))
      .limit(input.limit + 1)
      .all(),
    db
      .select({
        status: sellerPayables.status,
        net: sql<number>`sum(${sellerPayables.net})`,
        // what the platform keeps: a seller's refund after completion gave the fee on it back (purchaseRefund.ts)
        fee: sql<number>`sum(${sellerPayables.fee} - ${sellerPayables.feeReturned})`,
      })
      .from(sellerPayables)
      .groupBy(sellerPayables.status)
      .all(),
  ]);
  const by = new Map(totals.map((t) => [t.status, t]));
  const total = (s: "pending" | "available" | "paid") => ({ net: by.get(s)?.net ?? 0, fee: by.get(s)?.fee ?? 0 });
  return {
    ...page(
      rows.map((r) => ({ ...r.payable, title: r.title, sellerName: r.sellerName })),
      input.limit,
      (p) => ({ at: p.createdAt, id: p.id }),
    ),
    totals: { pending: total("pending"), available: total("available"), paid: total("paid") },
  };
}
