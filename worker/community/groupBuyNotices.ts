import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import type { JobMessage } from "../../shared/schemas/jobs";
import type { NotificationItem, NotificationKind } from "../../shared/schemas/notifications";
import type { Db } from "../db/client";
import { groupBuyMembers, liveChannels, notifications } from "../db/schema";
import { newId } from "../lib/ids";
import { settleAllLimited } from "../lib/pool";
import { enqueue } from "../queue/send";
import type { LiveEnv } from "./notifications";

/** Statuses every joined member hears about, and the notification kind for each. */
const MEMBER_NOTICES: Partial<Record<GroupBuyStatus, NotificationKind>> = {
  FILLED: "groupbuy.filled",
  TIPPED: "groupbuy.tipped",
  READY: "groupbuy.ready",
  FAILED: "groupbuy.failed",
  CANCELLED: "groupbuy.cancelled",
};

export type BuyForNotice = { groupBuyId: string; title: string; status: GroupBuyStatus; statusReason: string | null };

function dedupeKey(groupBuyId: string, status: GroupBuyStatus) {
  return `groupbuy:${groupBuyId}:${status}`;
}

/**
 * ONE statement that gives every joined member of the buy a notification about `status` (with their own refund for
 * FAILED/CANCELLED, what their holds paid), however many members there are. The per-user dedupe key makes
 * it safe to run on every mirror flush: a member already told is skipped, a member mirrored later is caught.
 */
export function memberNoticeStatement(db: Db, buy: BuyForNotice, now: number) {
  const kind = MEMBER_NOTICES[buy.status];
  if (!kind) return null;
  const refund = buy.status === "FAILED" || buy.status === "CANCELLED";
  const params = sql.join(
    [
      sql`'groupBuyId', ${buy.groupBuyId}, 'title', ${buy.title}`,
      // What their points paid (after any membership discount), which is what the refund gives back — not the gross.
      ...(refund ? [sql`'refundWon', ${groupBuyMembers.paid}`] : []),
      ...(buy.status === "CANCELLED" && buy.statusReason ? [sql`'reason', ${buy.statusReason}`] : []),
    ],
    sql`, `,
  );
  // Ids keep the sortable layout: this instant's 10-char time prefix + 16 random hex digits (Crockford-safe).
  const prefix = newId(now).slice(0, 10);
  return db
    .insert(notifications)
    .select(
      db
        .select({
          id: sql<string>`${prefix} || hex(randomblob(8))`.as("id"),
          userId: groupBuyMembers.userId,
          kind: sql<string>`${kind}`.as("kind"),
          params: sql<Record<string, unknown>>`json_object(${params})`.as("params"),
          dedupeKey: sql<string>`${dedupeKey(buy.groupBuyId, buy.status)}`.as("dedupe_key"),
          readAt: sql<number | null>`NULL`.as("read_at"),
          createdAt: sql<number>`${now}`.as("created_at"),
        })
        .from(groupBuyMembers)
        .where(and(eq(groupBuyMembers.groupBuyId, buy.groupBuyId), eq(groupBuyMembers.status, "joined"))),
    )
    .onConflictDoNothing();
}

/**
 * Member channels one push job wakes. Each is a subrequest, and one queue batch (max_batch_size 25 in wrangler.toml)
 * may carry 25 push jobs: 25 × (32 pushes + its read + the next page's send) = 850 stays under the 1,000 subrequests
 * of one invocation. A buy with more members online chains its pages as follow-up jobs.
 */
export const LIVE_PUSH_PAGE = 32;
/** Member channels pushed to at once (worker/lib/pool.ts). */
export const LIVE_PUSH_CONCURRENCY = 8;

export type PushNoticesJob = Extract<JobMessage, { type: "groupbuy.pushNotices" }>;

/**
 * Relays what `memberNoticeStatement` wrote at `job.at` to the members' open sockets, one page of LIVE_PUSH_PAGE
 * members (by user id, after `job.after`) per job: only members in live_channels (liveChannels.ts), so a member
 * without an open socket costs no Durable Object. Runs in the queue consumer (job groupbuy.pushNotices, sent by the
 * room's flush), not in the room: waking hundreds of members' channels took the room's thread for seconds while joins
 * waited for their answers.
 *
 * The next page's job is sent before this page is pushed, and a failed send fails the job (the queue retries it), so
 * no page is dropped; a retry may push this page twice (items carry their id). The pushes themselves are best effort:
 * the inbox rows are the notice.
 */
export async function pushMemberNotices(
  env: LiveEnv & Pick<Env, "JOBS">,
  db: Db,
  job: Omit<PushNoticesJob, "type">,
  pageSize = LIVE_PUSH_PAGE,
) {
  if (!MEMBER_NOTICES[job.status]) return;
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        inArray(
          notifications.userId,
          db
            .select({ id: groupBuyMembers.userId })
            .from(groupBuyMembers)
            .where(eq(groupBuyMembers.groupBuyId, job.groupBuyId)),
        ),
        // only members with a socket open: waking every member's channel cost a Durable Object each
        inArray(notifications.userId, db.select({ id: liveChannels.userId }).from(liveChannels)),
        eq(notifications.dedupeKey, dedupeKey(job.groupBuyId, job.status)),
        eq(notifications.createdAt, job.at),
        job.after === undefined ? undefined : gt(notifications.userId, job.after),
      ),
    )
    .orderBy(asc(notifications.userId))
    .limit(pageSize + 1)
    .all();
  const page = rows.slice(0, pageSize);
  if (rows.length > pageSize) {
    const next: PushNoticesJob = {
      type: "groupbuy.pushNotices",
      groupBuyId: job.groupBuyId,
      status: job.status,
      at: job.at,
      after: page[page.length - 1].userId,
    };
    await enqueue(env, next);
  }
  // A few at a time: waking all of a page's channels at once crowds out whatever else this isolate is answering.
  const results = await settleAllLimited(page, LIVE_PUSH_CONCURRENCY, (r) =>
    env.USER_CHANNEL.get(env.USER_CHANNEL.idFromName(r.userId)).push([
      { id: r.id, kind: r.kind, params: r.params, readAt: null, createdAt: r.createdAt } as NotificationItem,
    ]),
  );
  const failed = results.filter((r) => r.status === "rejected").length;
  if (failed > 0) {
    console.warn(
      JSON.stringify({ level: "warn", what: "groupbuy.pushMemberNotices", groupBuyId: job.groupBuyId, failed }),
    );
  }
}
