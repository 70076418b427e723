import { and, asc, desc, eq } from "drizzle-orm";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import { type Db, runBatch } from "../db/client";
import { groupBuyMembers, groupBuys, users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { recordInteraction } from "../recommend/interactions";
import { requireCurrentVerification } from "../regions/verification";
import { bookDb } from "../wallet/books";
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
    hasOutstandingDebt(bookDb(env, user.homeRegionId), user.id),
  ]);
  if (owes) {
    failWith("PRECONDITION_FAILED", "Settle your outstanding balance from a declined card charge before joining.", {
      reason: "outstanding_debt",
    });
  }
  const result = await roomStub(env, input.id).join({
    groupBuyId: input.id,
    userId: user.id,
    displayName: user.displayName,
    homeRegionId: user.homeRegionId,
    shares: input.shares,
    idempotencyKey: input.idempotencyKey,
  });
  const joined = unwrapRoom(result);
  // Recommendation signal, written now (not by the eventual mirror) so the user's next suggestions already know.
  await runBatch(db, [recordInteraction(db, { userId: user.id, itemId: input.id, kind: "join", at: now })]);
  return joined;
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
