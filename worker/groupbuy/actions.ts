import { and, asc, desc, eq, type Placeholder, sql } from "drizzle-orm";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import { failSuspended, isSuspended, LOG_IN_MESSAGE } from "../accounts/auth";
import { liveSessionQuery, sessionByHashQuery } from "../accounts/sessions";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { prepared } from "../db/prepared";
import { groupBuyMembers, groupBuys, users } from "../db/schema";
import type { JoinRequest } from "../durable/GroupBuyRoom";
import { fail, failWith } from "../lib/errors";
import { sha256Hex } from "../lib/ids";
import { tierLevelQuery } from "../membership/hooks";
import {
  checkCurrentVerification,
  currentVerificationQuery,
  homeVerificationIdSubquery,
} from "../regions/verification";
import { bookDb, bookInMain } from "../wallet/books";
import {
  closedRefusal,
  countJoinPath,
  freshClosedRefusal,
  learnClosed,
  probeFirst,
  wantsClosedMembers,
} from "./closedHint";
import { afterCursor, page } from "./cursor";
import { debtOf, outstandingDebtQuery } from "./debtHook";
import { unwrapRoom } from "./roomResult";
import { loadGroupBuy, publicGroupBuy, relationTo, roomStub } from "./service";
import type { Actor } from "./stateMachine";

type UserRow = typeof users.$inferSelect;

/** What a join's guard batch found out besides "allowed": the home region, and the tier for the discount. */
export interface JoinGuards {
  homeRegionId: string;
  tierLevel: number;
}

/** Who joins, and what their guards found (`joinCaller`). */
export interface JoinCaller {
  user: UserRow;
  guards: JoinGuards;
}

/** How the join's caller arrived (the tRPC context's fields): a signed token's unread claim, or a session read. */
export interface JoinSession {
  claim: { userId: string; token: string } | null;
  user: UserRow | null;
  cachedSession: { tokenHash: string } | null;
}

const NO_HOME = "Verify your neighbourhood first (verification lasts 30 days).";

/** The session's checks, in the order every procedure makes them: a live session of this user, then not suspended. */
function assertLiveUser(
  row: { userId: string; suspendedUntil: number | null } | undefined,
  userId: string,
  now: number,
) {
  if (!row || row.userId !== userId) fail("UNAUTHORIZED", LOG_IN_MESSAGE);
  if (isSuspended(row, now)) failSuspended(row.suspendedUntil);
}

/** The guards' answers, checked in one place: a current verification of the home region, then no unpaid debt. */
function checkGuards(
  home: string,
  verification: Parameters<typeof checkCurrentVerification>[0],
  debt: Parameters<typeof debtOf>[0],
  tier: { level: number } | undefined,
): JoinGuards {
  checkCurrentVerification(verification, home);
  if (debtOf(debt) > 0) {
    failWith("PRECONDITION_FAILED", "Settle your outstanding balance from a declined card charge before joining.", {
      reason: "outstanding_debt",
    });
  }
  return { homeRegionId: home, tierLevel: tier?.level ?? 0 };
}

/**
 * The D1 guards of a join: a current verification of the caller's home region, no unpaid card debt, and (read in the
 * same go, so the room's group commit need not) the caller's membership tier. When the session came from the isolate's
 * cache (`recheck`), the batch also re-reads it: a logout or suspension stops the join here, at once. One round trip
 * (a batch) when the home region's ledger book is in the main database, as it is unless LEDGER_BOOKS moves it; two
 * parallel ones otherwise.
 */
export async function assertJoinGuards(
  db: Db,
  env: Env,
  user: UserRow,
  now: number,
  recheck: { tokenHash: string } | null = null,
): Promise<JoinGuards> {
  const home = user.homeRegionId;
  if (!home) failWith("PRECONDITION_FAILED", NO_HOME, { reason: "verify_region" });
  const book = bookDb(env, home);
  const verification = currentVerificationQuery(db, user.id, home, now);
  const debt = outstandingDebtQuery(book, user.id);
  const tier = tierLevelQuery(book, user.id);
  const live = recheck ? [liveSessionQuery(db, recheck.tokenHash, now)] : [];
  type Rows<Q> = Awaited<Q>;
  let rows: [Rows<typeof verification>, Rows<typeof debt>, Rows<typeof tier>, Rows<(typeof live)[number]>?];
  if (book === db) {
    rows = (await runBatch(db, [verification, debt, tier, ...live])) as typeof rows;
  } else {
    const [main, books] = await Promise.all([runBatch(db, [verification, ...live]), runBatch(book, [debt, tier])]);
    rows = [main[0], books[0], books[1], main[1]] as typeof rows;
  }
  const [v, d, t, session] = rows;
  if (recheck) assertLiveUser(session?.[0], user.id, now);
  return checkGuards(home, v[0], d[0], t[0]);
}

/**
 * A claimed join's guards in ONE statement: the live session of the token's hash with its user, and, by subqueries on
 * that user's row, the current verification of the home region the row names, the debt and the tier in the main
 * database. One statement costs local D1 ~0.5 ms of CPU less than the four reads it replaces (session 9's figures:
 * a 4-read round trip 1.6–1.7 ms, a 1-read one 1.1 ms).
 */
function claimGuardQuery(db: Db, tokenHash: string | Placeholder, now: number | Placeholder) {
  return sessionByHashQuery(db, tokenHash, now, {
    homeVerificationId: sql<string | null>`(${homeVerificationIdSubquery(db, now)})`.as("home_verification_id"),
    debt: sql<number>`(${outstandingDebtQuery(db, users.id)})`.as("debt"),
    tierLevel: sql<number | null>`(${tierLevelQuery(db, users.id)})`.as("tier_level"),
  });
}

/** The row of claimGuardQuery. */
type ClaimGuardRow = Awaited<ReturnType<typeof claimGuardQuery>>[number];

/**
 * claimGuardQuery for a batch, its SQL built by drizzle once per isolate (prepared). Concurrent joins' reads share a
 * round trip only in their room (claimedCallers, GroupBuyRoom.join): grouping them in the worker, behind one leader
 * request (tried in session 9), let a canceled leader (a client that hung up) leave every later join waiting on a
 * promise no request could resolve.
 */
function claimGuards(db: Db, tokenHash: string, now: number): BatchItem {
  return prepared(db, "join.guards", (p) => claimGuardQuery(db, p("tokenHash"), p("now")), { tokenHash, now });
}

/**
 * The caller of a join and their guards. A signed token's claim (the session not read yet, worker/trpc/context.ts)
 * reads the session WITH the guards, in one statement (claimGuards): the user's row, their verification of the home
 * region that row names, debt and tier — with the checks in the same order (session, suspension, home, verification,
 * debt). The debt and tier live in the home's ledger book, unknown before the read: the statement reads them from the
 * main database, which holds every book unless LEDGER_BOOKS moved the home's region to a database of its own; then
 * they are read there, in a second round trip (the session is still read once, in the first).
 * Without a claim the session is read first and assertJoinGuards runs.
 */
export async function joinCaller(db: Db, env: Env, session: JoinSession, now: number): Promise<JoinCaller> {
  const claim = session.claim;
  if (claim) {
    const [found] = await claimedCallers(
      db,
      env,
      [{ tokenHash: await sha256Hex(claim.token), userId: claim.userId }],
      now,
    );
    if (!found.caller) throw found.error;
    return found.caller;
  }
  const user = session.user;
  if (!user) fail("UNAUTHORIZED", LOG_IN_MESSAGE);
  assertLiveUser({ userId: user.id, suspendedUntil: user.suspendedUntil }, user.id, now);
  return { user, guards: await assertJoinGuards(db, env, user, now, session.cachedSession) };
}

/** A claimed join's caller, or what its guards refused (a TRPCError) or failed with. */
export type ClaimedCaller = { caller: JoinCaller; error?: undefined } | { caller?: undefined; error: unknown };

/**
 * The guards of several claimed joins in ONE round trip (a claimGuards statement each), each checked as joinCaller
 * checks one. The room reads its concurrent joins' guards this way (GroupBuyRoom.join): on a hot buy each join
 * otherwise paid a round trip of its own, the biggest share of a join's CPU on a local runtime after the room itself.
 */
export async function claimedCallers(
  db: Db,
  env: Env,
  claims: { tokenHash: string; userId: string }[],
  now: number,
): Promise<ClaimedCaller[]> {
  const rows = (await runBatch(
    db,
    claims.map((c) => claimGuards(db, c.tokenHash, now)),
  )) as ClaimGuardRow[][];
  return Promise.all(
    claims.map(async (c, i): Promise<ClaimedCaller> => {
      try {
        return { caller: await checkClaim(env, rows[i][0], c.userId, now) };
      } catch (error) {
        return { error };
      }
    }),
  );
}

/** A claim's guard row checked: session, suspension, home, verification, debt (the book's when it has its own). */
async function checkClaim(env: Env, row: ClaimGuardRow | undefined, userId: string, now: number): Promise<JoinCaller> {
  if (!row) fail("UNAUTHORIZED", LOG_IN_MESSAGE); // no live session under this token
  assertLiveUser({ userId: row.user.id, suspendedUntil: row.user.suspendedUntil }, userId, now);
  const home = row.user.homeRegionId;
  if (!home) failWith("PRECONDITION_FAILED", NO_HOME, { reason: "verify_region" });
  const verification = { homeRegionId: home, currentId: row.homeVerificationId };
  if (bookInMain(env, home)) {
    const tier = row.tierLevel === null ? undefined : { level: row.tierLevel };
    return { user: row.user, guards: checkGuards(home, verification, { total: row.debt }, tier) };
  }
  checkCurrentVerification(verification, home); // the book is only asked once the verification passed, as in one read
  const book = bookDb(env, home);
  const debtHere = outstandingDebtQuery(book, userId);
  const tierHere = tierLevelQuery(book, userId);
  const [[dh], [th]] = (await runBatch(book, [debtHere, tierHere])) as [
    Awaited<typeof debtHere>,
    Awaited<typeof tierHere>,
  ];
  return { user: row.user, guards: checkGuards(home, verification, dh, th) };
}

/**
 * The refusals of a join that need neither the session nor D1, only who asks (a session's user, or a signed token's
 * claim: both may only ever decide a refusal here). Throws the refusal; returns when the join must go on. A buy this
 * isolate knows is closed answers at once (closedHint.ts); one it saw full but still OPEN asks the room first
 * (GroupBuyRoom.probe). Once per attempt: a stale closed hint lets the first call through as its refresh, so a
 * second call by the same attempt would be refused from the hint it was meant to refresh.
 */
export async function refuseEarly(
  env: Env,
  userId: string,
  input: { id: string; shares: number; idempotencyKey: string },
  now: number,
): Promise<void> {
  const closed = closedRefusal(input.id, userId, input.idempotencyKey, now);
  if (closed) unwrapRoom(closed);
  if (!probeFirst(input.id, now)) return;
  const result = await roomStub(env, input.id).probe({
    groupBuyId: input.id,
    userId,
    shares: input.shares,
    wantClosedMembers: wantsClosedMembers(input.id),
  });
  const answered = Date.now();
  learnClosed(input.id, result, answered);
  countJoinPath(result.ok ? "probeGo" : "probe", answered);
  if (!result.ok) unwrapRoom(result);
}

/**
 * Join: the early refusals (refuseEarly), then the D1 guards (one round trip, `joinCaller`), then — unless a fresh
 * closed hint learned meanwhile answers (freshClosedRefusal) — the room does reserve → hold → confirm. The
 * recommender's join signal is written by the room's mirror, which starts before the join's answer leaves the room.
 * Given a JoinCaller, its guards already ran (and so did refuseEarly, before them).
 */
export async function joinGroupBuy(
  db: Db,
  env: Env,
  who: UserRow | JoinCaller,
  input: { id: string; shares: number; idempotencyKey: string },
  now: number,
) {
  let caller: JoinCaller;
  if ("guards" in who) caller = who;
  else {
    await refuseEarly(env, who.id, input, now);
    caller = { user: who, guards: await assertJoinGuards(db, env, who, now) };
  }
  const { user, guards } = caller;
  // the buy may have closed while the guards ran (on a hot buy many attempts are in their guards at once): the room's
  // refusal from a fresh closed hint, instead of a room call each
  const closed = freshClosedRefusal(input.id, user.id, input.idempotencyKey, Date.now());
  if (closed) unwrapRoom(closed);
  return joinInRoom(env, input, {
    userId: user.id,
    displayName: user.displayName,
    homeRegionId: guards.homeRegionId,
    tierLevel: guards.tierLevel,
  });
}

/**
 * A join by a signed token's claim (the session not read yet; refuseEarly ran first): the room reads its guards
 * together with its concurrent joins' (GroupBuyRoom.join, claimedCallers) instead of this request reading them alone.
 */
export async function joinClaimed(
  env: Env,
  claim: { userId: string; token: string },
  input: { id: string; shares: number; idempotencyKey: string },
) {
  return joinInRoom(env, input, {
    userId: claim.userId,
    claim: { tokenHash: await sha256Hex(claim.token) },
    homeRegionId: null,
  });
}

/** The room's join, and what its answer teaches this isolate about the buy (closedHint.ts). */
async function joinInRoom(
  env: Env,
  input: { id: string; shares: number; idempotencyKey: string },
  who: Pick<JoinRequest, "userId" | "displayName" | "homeRegionId" | "tierLevel" | "claim">,
) {
  const result = await roomStub(env, input.id).join({
    groupBuyId: input.id,
    ...who,
    shares: input.shares,
    idempotencyKey: input.idempotencyKey,
    wantClosedMembers: wantsClosedMembers(input.id),
  });
  const answered = Date.now();
  learnClosed(input.id, result, answered);
  countJoinPath("room", answered);
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
      refundedAt: groupBuyMembers.refundedAt,
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
        refundedAt: r.member.refundedAt,
      },
    })),
    limit,
    (item) => ({ at: item.createdAt, id: item.id }),
  );
}
