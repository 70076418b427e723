import { and, asc, count, desc, eq, isNull } from "drizzle-orm";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import { type Db, runBatch } from "../db/client";
import { groupBuyMembers, groupBuys, trustEvents, users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { requireCurrentVerification } from "../regions/verification";
import { afterCursor, page } from "./cursor";
import { hasOutstandingDebt } from "./debtHook";
import { unwrapRoom } from "./roomResult";
import { loadGroupBuy, publicGroupBuy, relationTo, roomStub } from "./service";
import type { Actor } from "./stateMachine";

type UserRow = typeof users.$inferSelect;

/** Join: cheap D1 guards here, then the room does reserve → hold → confirm. */
export async function joinGroupBuy(
  db: Db,
  env: Env,
  user: UserRow,
  input: { id: string; shares: number; idempotencyKey: string },
  now: number,
) {
  if (!user.homeRegionId) fail("PRECONDITION_FAILED", "Verify your neighbourhood first (verification lasts 30 days).");
  const [, owes] = await Promise.all([
    requireCurrentVerification(db, user.id, user.homeRegionId, now),
    hasOutstandingDebt(db, user.id),
  ]);
  if (owes) {
    failWith("PRECONDITION_FAILED", "Settle your outstanding balance from a declined card charge before joining.", {
      reason: "outstanding_debt",
    });
  }
  const result = await roomStub(env, input.id).join({
    groupBuyId: input.id,
    userId: user.id,
    homeRegionId: user.homeRegionId,
    shares: input.shares,
    idempotencyKey: input.idempotencyKey,
  });
  return unwrapRoom(result);
}

export async function leaveGroupBuy(env: Env, user: UserRow, input: { id: string; idempotencyKey: string }) {
  const result = await roomStub(env, input.id).leave({
    groupBuyId: input.id,
    userId: user.id,
    idempotencyKey: input.idempotencyKey,
  });
  return unwrapRoom(result);
}

/** Seller / host / admin moves: who the caller is decides the actor; the room's state machine decides the rest. */
export async function transitionGroupBuy(
  db: Db,
  env: Env,
  user: UserRow,
  id: string,
  to: GroupBuyStatus,
  reason: string | null,
  now: number,
) {
  const gb = await loadGroupBuy(db, id);
  const relation = await relationTo(db, user, gb, now);
  const actor: Actor | null = relation === "admin" || relation === "seller" || relation === "host" ? relation : null;
  if (!actor) fail("FORBIDDEN", "Only the seller, the host or an admin can change this group buy.");
  const result = await roomStub(env, id).transition({ groupBuyId: id, to, actor, actorId: user.id, reason });
  return unwrapRoom(result);
}

/** Moves the buy to COMPLETED once every buyer picked up or was marked a no-show (idempotent in the room). */
async function completeIfAllResolved(db: Db, env: Env, groupBuyId: string) {
  const open = await db
    .select({ n: count() })
    .from(groupBuyMembers)
    .where(
      and(
        eq(groupBuyMembers.groupBuyId, groupBuyId),
        eq(groupBuyMembers.status, "joined"),
        isNull(groupBuyMembers.pickedUpAt),
        isNull(groupBuyMembers.noShowAt),
      ),
    )
    .get();
  if ((open?.n ?? 0) > 0) return false;
  unwrapRoom(
    await roomStub(env, groupBuyId).transition({
      groupBuyId,
      to: "COMPLETED",
      actor: "system",
      actorId: null,
      reason: null,
    }),
  );
  return true;
}

export async function confirmPickup(db: Db, env: Env, user: UserRow, id: string, now: number) {
  const gb = await loadGroupBuy(db, id);
  if (gb.status !== "READY") {
    fail("PRECONDITION_FAILED", `Pickup can be confirmed once the group buy is READY (it is ${gb.status}).`);
  }
  const member = await db
    .select()
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.groupBuyId, id), eq(groupBuyMembers.userId, user.id)))
    .get();
  if (member?.status !== "joined") fail("FORBIDDEN", "Only buyers of this group buy can confirm a pickup.");
  if (member.noShowAt !== null) fail("PRECONDITION_FAILED", "The seller marked you as not having picked up.");
  if (member.pickedUpAt === null) {
    await db
      .update(groupBuyMembers)
      .set({ pickedUpAt: now, pickupBy: "buyer", updatedAt: now })
      .where(
        and(
          eq(groupBuyMembers.groupBuyId, id),
          eq(groupBuyMembers.userId, user.id),
          isNull(groupBuyMembers.pickedUpAt),
        ),
      );
  }
  const completed = await completeIfAllResolved(db, env, id);
  return { pickedUpAt: member.pickedUpAt ?? now, completed };
}

/**
 * The seller says a buyer never came. Money rule: the no-show's share is paid to the seller like everyone else's
 * (the seller bought the goods for them); the buyer gets no refund and the no-show goes on their trust record.
 */
export async function markNoShow(db: Db, env: Env, user: UserRow, input: { id: string; userId: string }, now: number) {
  const gb = await loadGroupBuy(db, input.id);
  if (user.id !== gb.sellerId && user.role !== "admin") fail("FORBIDDEN", "Only the seller can mark a no-show.");
  if (gb.status !== "READY") {
    fail("PRECONDITION_FAILED", `No-shows can be marked while the group buy is READY (it is ${gb.status}).`);
  }
  const member = await db
    .select()
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.groupBuyId, input.id), eq(groupBuyMembers.userId, input.userId)))
    .get();
  if (member?.status !== "joined") fail("NOT_FOUND", "That user is not a buyer in this group buy.");
  if (member.pickedUpAt !== null) fail("PRECONDITION_FAILED", "That buyer already confirmed their pickup.");
  if (member.noShowAt === null) {
    await runBatch(db, [
      db
        .update(groupBuyMembers)
        .set({ noShowAt: now, updatedAt: now })
        .where(
          and(
            eq(groupBuyMembers.groupBuyId, input.id),
            eq(groupBuyMembers.userId, input.userId),
            isNull(groupBuyMembers.noShowAt),
            isNull(groupBuyMembers.pickedUpAt),
          ),
        ),
      db
        .insert(trustEvents)
        .values({
          id: `no_show:${input.id}:${input.userId}`,
          userId: input.userId,
          kind: "no_show",
          reference: input.id,
          at: now,
        })
        .onConflictDoNothing(),
    ]);
  }
  const completed = await completeIfAllResolved(db, env, input.id);
  return { noShowAt: member.noShowAt ?? now, completed };
}

/** The buyer list for the people who hand the goods over (seller, host, admin). */
export async function listParticipants(db: Db, user: UserRow, id: string, now: number) {
  const gb = await loadGroupBuy(db, id);
  const relation = await relationTo(db, user, gb, now);
  if (relation !== "seller" && relation !== "host" && relation !== "admin") {
    fail("FORBIDDEN", "Only the seller, the host or an admin can see who joined.");
  }
  return db
    .select({
      userId: groupBuyMembers.userId,
      displayName: users.displayName,
      shares: groupBuyMembers.shares,
      amount: groupBuyMembers.amount,
      pickedUpAt: groupBuyMembers.pickedUpAt,
      pickupBy: groupBuyMembers.pickupBy,
      noShowAt: groupBuyMembers.noShowAt,
      joinedAt: groupBuyMembers.joinedAt,
    })
    .from(groupBuyMembers)
    .innerJoin(users, eq(users.id, groupBuyMembers.userId))
    .where(and(eq(groupBuyMembers.groupBuyId, id), eq(groupBuyMembers.status, "joined")))
    .orderBy(asc(groupBuyMembers.joinedAt))
    .all();
}

/** The buys I joined (newest first). */
export async function myGroupBuys(db: Db, userId: string, cursor: string | undefined, limit: number) {
  const rows = await db
    .select({ gb: groupBuys, member: groupBuyMembers })
    .from(groupBuyMembers)
    .innerJoin(groupBuys, eq(groupBuys.id, groupBuyMembers.groupBuyId))
    .where(
      and(
        eq(groupBuyMembers.userId, userId),
        eq(groupBuyMembers.status, "joined"),
        afterCursor(groupBuys.createdAt, groupBuys.id, cursor),
      ),
    )
    .orderBy(desc(groupBuys.createdAt), desc(groupBuys.id))
    .limit(limit + 1)
    .all();
  return page(
    rows.map((r) => ({
      ...publicGroupBuy(r.gb),
      you: {
        shares: r.member.shares,
        amount: r.member.amount,
        pickedUpAt: r.member.pickedUpAt,
        noShowAt: r.member.noShowAt,
      },
    })),
    limit,
    (item) => ({ at: item.createdAt, id: item.id }),
  );
}
