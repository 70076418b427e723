import { and, desc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { z } from "zod";
import { type groupBuyCreateInput, type groupBuyListInput, LIMITS } from "../../shared/schemas/groupbuy";
import { proposalsForGroupBuy } from "../community/proposals";
import { type Db, runBatch } from "../db/client";
import { groupBuyMembers, groupBuys, products, regions, users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { tierAt } from "../membership/config";
import { quoteDiscount } from "../membership/discount";
import { openToAllAt } from "../membership/hooks";
import {
  checkCurrentVerification,
  currentVerificationQuery,
  requireCurrentVerification,
} from "../regions/verification";
import { bookDb } from "../wallet/books";
import { notEnoughPoints } from "../wallet/errors";
import { readSpendable } from "../wallet/spend";
import { assertJoinGuards, type JoinGuards } from "./actions";
import { afterCursor, page } from "./cursor";
import { holdAmount, sharePricing } from "./pricing";
import { sellerHome, sellerServes } from "./products";
import { unwrapRoom } from "./roomResult";
import { trustRecord } from "./trust";

export type GroupBuyRow = typeof groupBuys.$inferSelect;
type UserRow = typeof users.$inferSelect;

export function roomStub(env: Env, groupBuyId: string) {
  return env.GROUP_BUY.get(env.GROUP_BUY.idFromName(groupBuyId));
}

export async function loadGroupBuy(db: Db, id: string): Promise<GroupBuyRow> {
  const row = await db.select().from(groupBuys).where(eq(groupBuys.id, id)).get();
  if (!row) fail("NOT_FOUND", "No group buy with that id.");
  return row;
}

/** Who the caller is to this buy; the procedures decide what each relation may do. */
export async function relationTo(db: Db, user: UserRow, gb: GroupBuyRow, now: number) {
  if (user.role === "admin") return "admin" as const;
  if (user.id === gb.sellerId) return "seller" as const;
  if (user.id === gb.hostId) return "host" as const;
  const member = await db
    .select({ status: groupBuyMembers.status })
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.groupBuyId, gb.id), eq(groupBuyMembers.userId, user.id)))
    .get();
  if (member?.status === "joined") return "member" as const;
  try {
    await requireCurrentVerification(db, user.id, gb.regionId, now);
    return "resident" as const;
  } catch {
    return "none" as const;
  }
}

export async function requireViewer(db: Db, user: UserRow, gb: GroupBuyRow, now: number) {
  const relation = await relationTo(db, user, gb, now);
  if (relation === "none") {
    failWith(
      "FORBIDDEN",
      "This group buy is for verified residents of its neighbourhood. Verify your neighbourhood first.",
      { reason: "residents_only" },
    );
  }
  return relation;
}

/**
 * A seller lists their own product; a verified buyer may host a group buy of an approved seller's product if the
 * seller allows hosting — the host joins with their own shares at once (and cannot leave later).
 */
export async function createGroupBuy(
  db: Db,
  env: Env,
  user: UserRow,
  input: z.output<typeof groupBuyCreateInput>,
  now: number,
) {
  // the product, its seller and whether the seller serves the buy's region, in one read
  const found = await db
    .select({
      product: products,
      sellerRole: users.role,
      regionId: regions.id,
      served: sellerServes(regions.city),
    })
    .from(products)
    .innerJoin(users, eq(users.id, products.sellerId))
    .leftJoin(sellerHome, eq(sellerHome.id, users.homeRegionId))
    .leftJoin(regions, eq(regions.id, input.regionId))
    .where(eq(products.id, input.productId))
    .get();
  if (!found) fail("NOT_FOUND", "No product with that id.");
  const { product, sellerRole } = found;
  if (product.archived) fail("PRECONDITION_FAILED", "This product is archived; restore it before starting a buy.");
  const ownProduct = product.sellerId === user.id;
  if (!ownProduct && input.plusEarlyAccess) {
    fail("BAD_REQUEST", "Only the product's seller can open a group buy to Gonggu Plus members first.");
  }
  if (ownProduct && input.hostShares !== undefined) {
    fail("BAD_REQUEST", "Sellers do not take shares in their own group buy; leave hostShares out.");
  }
  let hostGuards: JoinGuards | null = null;
  if (!ownProduct) {
    if (user.role !== "buyer") fail("FORBIDDEN", "Only the product's seller or a verified buyer can start this buy.");
    if (sellerRole !== "seller") fail("PRECONDITION_FAILED", "This product's seller is not approved right now.");
    if (!product.allowHosts) fail("FORBIDDEN", "This seller does not let buyers host group buys of this product.");
    if (input.hostShares === undefined) fail("BAD_REQUEST", "As the host, say how many shares you take (hostShares).");
    if (user.homeRegionId !== input.regionId) {
      fail("PRECONDITION_FAILED", "You can host only in your verified home neighbourhood.");
    }
    // the host takes shares at once: the guards of every join (a current verification of home, no card debt)
    hostGuards = await assertJoinGuards(db, env, user, now);
    if (!found.served) {
      failWith(
        "PRECONDITION_FAILED",
        "This seller does not deliver to your neighbourhood's city; pick a product from the list of products you can host.",
        { reason: "seller_area" },
      );
    }
  }
  if (!found.regionId) fail("NOT_FOUND", "That region does not exist. Pick one from the region list.");
  if (input.deadline < now + LIMITS.deadlineMinMs || input.deadline > now + LIMITS.deadlineMaxMs) {
    fail("BAD_REQUEST", "The deadline must be between 1 hour and 14 days from now.");
  }
  const pricing = sharePricing(product.totalPrice, input.totalShares);
  if (hostGuards) await assertHostCanPay(env, user, holdAmount(pricing.pricePerShare, input.hostShares!), hostGuards);
  const row: GroupBuyRow = {
    id: newId(now),
    productId: product.id,
    sellerId: product.sellerId,
    hostId: user.id,
    regionId: input.regionId,
    title: product.title,
    category: product.category,
    unit: product.unit,
    totalQuantity: product.totalQuantity,
    totalPrice: product.totalPrice,
    totalShares: input.totalShares,
    minShares: input.minShares,
    maxPerPerson: input.maxPerPerson,
    pricePerShare: pricing.pricePerShare,
    deadline: input.deadline,
    pickupPlace: input.pickupPlace,
    pickupStart: input.pickupStart,
    pickupEnd: input.pickupEnd,
    plusEarlyAccess: input.plusEarlyAccess,
    status: "OPEN",
    statusReason: null,
    takenShares: 0,
    participantCount: 0,
    mirrorSeq: 0,
    closedAt: null,
    readyAt: null,
    completedAt: null,
    cancelledBy: null,
    settledAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(groupBuys).values(row);
  const stub = roomStub(env, row.id);
  unwrapRoom(await stub.init(row.id));
  if (ownProduct) return { groupBuy: row, pricing, hostJoin: null };
  const hostJoin = await stub.join({
    groupBuyId: row.id,
    userId: user.id,
    homeRegionId: user.homeRegionId,
    tierLevel: hostGuards?.tierLevel,
    shares: input.hostShares!,
    idempotencyKey: input.idempotencyKey ?? `host-${row.id}`,
  });
  if (!hostJoin.ok) {
    // The host could not pay for their own shares: the buy never really started.
    await stub.transition({
      groupBuyId: row.id,
      to: "CANCELLED",
      actor: "system",
      actorId: null,
      reason: "The host's points did not cover their own shares.",
    });
    unwrapRoom(hostJoin);
  }
  return { groupBuy: row, pricing, hostJoin: unwrapRoom(hostJoin) };
}

/**
 * The host pays for their shares as the buy opens: a host whose points fall short is refused before the buy is
 * written (the room's hold would refuse them too, but only after the buy existed, and it stayed as a CANCELLED buy
 * in the feed). A spend racing this read still ends in that CANCELLED buy below; the hold never overdraws.
 */
async function assertHostCanPay(env: Env, user: UserRow, gross: number, guards: JoinGuards): Promise<void> {
  const { net } = quoteDiscount(gross, tierAt(guards.tierLevel));
  const funds = await readSpendable(bookDb(env, guards.homeRegionId), user.id, guards.homeRegionId);
  if (funds.charged + funds.reward < net) throw notEnoughPoints(net - funds.charged - funds.reward);
}

const host = alias(users, "host");

/**
 * The region feed (D1 mirror: fill numbers may lag the room by a moment). The verification check and the page are
 * read in one batch (one D1 round trip: the home screen waits for this answer); the rows go out only if it passed.
 */
export async function listGroupBuys(db: Db, userId: string, input: z.output<typeof groupBuyListInput>, now: number) {
  const verification = currentVerificationQuery(db, userId, input.regionId, now);
  const list = db
    .select({
      gb: groupBuys,
      hostName: host.displayName,
      // Named apart: in a D1 batch rows come back keyed by column name, and two display_name columns collide
      // (sellerName came back missing).
      sellerName: sql<string>`${users.displayName}`.as("seller_name"),
    })
    .from(groupBuys)
    .innerJoin(host, eq(host.id, groupBuys.hostId))
    .innerJoin(users, eq(users.id, groupBuys.sellerId))
    .where(
      and(
        eq(groupBuys.regionId, input.regionId),
        eq(groupBuys.status, input.status),
        input.category ? eq(groupBuys.category, input.category) : undefined,
        afterCursor(groupBuys.createdAt, groupBuys.id, input.cursor),
      ),
    )
    .orderBy(desc(groupBuys.createdAt), desc(groupBuys.id))
    .limit(input.limit + 1);
  const [verified, rows] = (await runBatch(db, [verification, list])) as [
    Awaited<typeof verification>,
    Awaited<typeof list>,
  ];
  checkCurrentVerification(verified[0], input.regionId);
  return page(
    rows.map((r) => ({ ...publicGroupBuy(r.gb), hostName: r.hostName, sellerName: r.sellerName })),
    input.limit,
    (item) => ({ at: item.createdAt, id: item.id }),
  );
}

export function publicGroupBuy(gb: GroupBuyRow) {
  const pricing = sharePricing(gb.totalPrice, gb.totalShares);
  return {
    id: gb.id,
    productId: gb.productId,
    sellerId: gb.sellerId,
    hostId: gb.hostId,
    regionId: gb.regionId,
    title: gb.title,
    category: gb.category,
    unit: gb.unit,
    totalQuantity: gb.totalQuantity,
    totalPrice: gb.totalPrice,
    totalShares: gb.totalShares,
    minShares: gb.minShares,
    maxPerPerson: gb.maxPerPerson,
    pricePerShare: gb.pricePerShare,
    roundingDifference: pricing.roundingDifference,
    deadline: gb.deadline,
    pickupPlace: gb.pickupPlace,
    pickupStart: gb.pickupStart,
    pickupEnd: gb.pickupEnd,
    plusEarlyAccess: gb.plusEarlyAccess,
    /** Before this only Gonggu Plus members can join (the creation time when the seller did not choose early access). */
    openToAllAt: openToAllAt({ openedAt: gb.createdAt, plusEarlyAccess: gb.plusEarlyAccess }),
    status: gb.status,
    statusReason: gb.statusReason,
    takenShares: gb.takenShares,
    participantCount: gb.participantCount,
    readyAt: gb.readyAt,
    completedAt: gb.completedAt,
    createdAt: gb.createdAt,
  };
}

/** For linking a board proposal: only the buy's own seller, and only a buy in the proposal's neighbourhood. */
export async function assertSellerOwnsGroupBuy(db: Db, groupBuyId: string, sellerId: string, regionId: string) {
  const gb = await loadGroupBuy(db, groupBuyId);
  if (gb.sellerId !== sellerId) fail("FORBIDDEN", "You can link only a group buy of your own products.");
  if (gb.regionId !== regionId) {
    fail("PRECONDITION_FAILED", "Link a group buy in the proposal's neighbourhood; this one is in another region.");
  }
}

/** One buy with the room's live numbers (the DO is the authority), the product and the host's trust record. */
export async function getGroupBuy(db: Db, env: Env, user: UserRow, id: string, now: number) {
  const gb = await loadGroupBuy(db, id);
  const relation = await requireViewer(db, user, gb, now);
  const [live, product, hostRow, sellerRow, member, hostTrust, proposals] = await Promise.all([
    roomStub(env, id).snapshot(id, user.id),
    db
      .select({ description: products.description, imageUrls: products.imageUrls })
      .from(products)
      .where(eq(products.id, gb.productId))
      .get(),
    db.select({ displayName: users.displayName }).from(users).where(eq(users.id, gb.hostId)).get(),
    db.select({ displayName: users.displayName }).from(users).where(eq(users.id, gb.sellerId)).get(),
    db
      .select()
      .from(groupBuyMembers)
      .where(and(eq(groupBuyMembers.groupBuyId, id), eq(groupBuyMembers.userId, user.id)))
      .get(),
    trustRecord(db, gb.hostId),
    proposalsForGroupBuy(db, id),
  ]);
  const room = unwrapRoom(live);
  return {
    ...publicGroupBuy(gb),
    status: room.status,
    statusReason: room.statusReason,
    fill: room.fill,
    description: product?.description ?? "",
    imageUrls: product?.imageUrls ?? [],
    host: { id: gb.hostId, displayName: hostRow?.displayName ?? "", trust: hostTrust },
    seller: { id: gb.sellerId, displayName: sellerRow?.displayName ?? "" },
    /** The board proposals this buy answers (the post links back here). */
    proposals,
    you: {
      relation,
      shares: room.you.shares,
      pickedUpAt: member?.pickedUpAt ?? null,
      noShowAt: member?.noShowAt ?? null,
    },
  };
}
