import { and, count, eq, isNull, sql } from "drizzle-orm";
import { type Db, runBatch } from "../db/client";
import { groupBuyMembers, type users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { unwrapRoom } from "./roomResult";
import { loadGroupBuy, roomStub } from "./service";
import { trustEventWhereStatement } from "./trust";

type UserRow = typeof users.$inferSelect;

/** Buyers of a buy who neither confirmed a pickup nor were marked a no-show. */
function awaitingPickup(groupBuyId: string) {
  return and(
    eq(groupBuyMembers.groupBuyId, groupBuyId),
    eq(groupBuyMembers.status, "joined"),
    isNull(groupBuyMembers.pickedUpAt),
    isNull(groupBuyMembers.noShowAt),
  );
}

async function complete(env: Env, groupBuyId: string) {
  const result = await roomStub(env, groupBuyId).transition({
    groupBuyId,
    to: "COMPLETED",
    actor: "system",
    actorId: null,
    reason: null,
  });
  unwrapRoom(result);
}

/** Moves the buy to COMPLETED once every buyer picked up or was marked a no-show (idempotent in the room). */
async function completeIfAllResolved(db: Db, env: Env, groupBuyId: string) {
  const open = await db.select({ n: count() }).from(groupBuyMembers).where(awaitingPickup(groupBuyId)).get();
  if ((open?.n ?? 0) > 0) return false;
  await complete(env, groupBuyId);
  return true;
}

/** Cron: everyone still waiting is confirmed automatically ("auto"), and the buy completes. */
export async function autoConfirm(db: Db, env: Env, groupBuyId: string, now: number) {
  await db
    .update(groupBuyMembers)
    .set({ pickedUpAt: now, pickupBy: "auto", updatedAt: now })
    .where(awaitingPickup(groupBuyId));
  await complete(env, groupBuyId);
}

export async function confirmPickup(db: Db, env: Env, user: UserRow, id: string, now: number) {
  const gb = await loadGroupBuy(db, id);
  if (gb.status !== "READY") {
    fail("PRECONDITION_FAILED", `Pickup can be confirmed once the group buy is READY (it is ${gb.status}).`);
  }
  const mine = and(eq(groupBuyMembers.groupBuyId, id), eq(groupBuyMembers.userId, user.id));
  const member = await db.select().from(groupBuyMembers).where(mine).get();
  if (member?.status !== "joined") fail("FORBIDDEN", "Only buyers of this group buy can confirm a pickup.");
  if (member.noShowAt !== null) {
    failWith("PRECONDITION_FAILED", "The seller marked you as not having picked up.", { reason: "marked_no_show" });
  }
  let pickedUpAt = member.pickedUpAt;
  if (pickedUpAt === null) {
    // a no-show marked since the read wins: the update matches nothing and the buyer is told
    await db
      .update(groupBuyMembers)
      .set({ pickedUpAt: now, pickupBy: "buyer", updatedAt: now })
      .where(and(mine, isNull(groupBuyMembers.pickedUpAt), isNull(groupBuyMembers.noShowAt)));
    const after = await db.select().from(groupBuyMembers).where(mine).get();
    if (after?.noShowAt != null) {
      failWith("PRECONDITION_FAILED", "The seller marked you as not having picked up.", { reason: "marked_no_show" });
    }
    pickedUpAt = after?.pickedUpAt ?? now;
  }
  const completed = await completeIfAllResolved(db, env, id);
  return { pickedUpAt, completed };
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
  const theirs = and(eq(groupBuyMembers.groupBuyId, input.id), eq(groupBuyMembers.userId, input.userId));
  const member = await db.select().from(groupBuyMembers).where(theirs).get();
  if (member?.status !== "joined") fail("NOT_FOUND", "That user is not a buyer in this group buy.");
  if (member.pickedUpAt !== null) {
    failWith("PRECONDITION_FAILED", "That buyer already confirmed their pickup.", { reason: "already_picked_up" });
  }
  let noShowAt = member.noShowAt;
  if (noShowAt === null) {
    // a pickup confirmed since the read wins: the update matches nothing, and the trust event is written only with it
    await runBatch(db, [
      db
        .update(groupBuyMembers)
        .set({ noShowAt: now, updatedAt: now })
        .where(and(theirs, isNull(groupBuyMembers.noShowAt), isNull(groupBuyMembers.pickedUpAt))),
      trustEventWhereStatement(
        db,
        {
          id: `no_show:${input.id}:${input.userId}`,
          userId: input.userId,
          kind: "no_show",
          reference: input.id,
          at: now,
        },
        sql`EXISTS (SELECT 1 FROM ${groupBuyMembers} WHERE ${theirs} AND ${groupBuyMembers.noShowAt} = ${now})`,
      ),
    ]);
    const after = await db.select().from(groupBuyMembers).where(theirs).get();
    if (after?.pickedUpAt != null) {
      failWith("PRECONDITION_FAILED", "That buyer already confirmed their pickup.", { reason: "already_picked_up" });
    }
    noShowAt = after?.noShowAt ?? now;
  }
  const completed = await completeIfAllResolved(db, env, input.id);
  return { noShowAt, completed };
}
