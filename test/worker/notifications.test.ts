import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { NotificationItem } from "../../shared/schemas/notifications";
import { notify, pushLive, sendNotifications } from "../../worker/community/notifications";
import { getDb, runBatch } from "../../worker/db/client";
import { newAdmin, openSocket } from "./community-helpers";
import { BASE, errorOf, newBuyer } from "./helpers";

const GB = "01JAAAAAAAAAAAAAAAAAAAAAAA";
const sqlFail = sql`INSERT INTO users (id) VALUES (NULL)`;

function titleOf(n: NotificationItem) {
  return n.kind === "groupbuy.failed" ? n.params.title : null;
}

async function applyAndDecide(decision: "approve" | "reject") {
  const applicant = await newBuyer("판매희망");
  const admin = await newAdmin();
  const app = await applicant.client.sellers.applyToSell.mutate({
    businessName: "동네과일가게",
    businessNumber: "123-45-67890",
  });
  await admin.client.admin.sellers[decision].mutate({
    applicationId: app.id,
    reason: decision === "reject" ? "사업자 번호를 확인할 수 없어요" : undefined,
  });
  return { applicant, admin, app };
}

function rowCount(userId: string) {
  return env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE user_id = ?")
    .bind(userId)
    .first<{ n: number }>()
    .then((r) => r?.n);
}

describe("notifications inbox", () => {
  it("notifies the applicant when a seller application is approved", async () => {
    const { applicant, app } = await applyAndDecide("approve");
    const { items } = await applicant.client.notifications.list.query();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: "seller.approved",
      params: { applicationId: app.id, businessName: "동네과일가게" },
      readAt: null,
    });
    expect(await applicant.client.notifications.unreadCount.query()).toEqual({ unread: 1 });
  });

  it("notifies the applicant of a rejection with the reason", async () => {
    const { applicant } = await applyAndDecide("reject");
    const { items } = await applicant.client.notifications.list.query();
    expect(items[0]).toMatchObject({ kind: "seller.rejected", params: { reason: "사업자 번호를 확인할 수 없어요" } });
  });

  it("a second decision on the same application neither succeeds nor notifies twice", async () => {
    const { applicant, admin, app } = await applyAndDecide("approve");
    const err = await errorOf(
      admin.client.admin.sellers.reject.mutate({ applicationId: app.id, reason: "다시 봤어요" }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(await rowCount(applicant.user.id)).toBe(1);
  });

  it("paginates newest first with a cursor and marks read by id or all", async () => {
    const { user, client } = await newBuyer();
    const db = getDb(env);
    const t0 = Date.now();
    await sendNotifications(
      db,
      env,
      Array.from({ length: 5 }, (_, i) => ({
        userId: user.id,
        now: t0 + i,
        kind: "groupbuy.failed" as const,
        params: { groupBuyId: GB, title: `공구 ${i}`, refundWon: 1000 * i },
      })),
    );
    const first = await client.notifications.list.query({ limit: 2 });
    expect(first.items.map(titleOf)).toEqual(["공구 4", "공구 3"]);
    const second = await client.notifications.list.query({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map(titleOf)).toEqual(["공구 2", "공구 1"]);
    const third = await client.notifications.list.query({ limit: 2, cursor: second.nextCursor ?? undefined });
    expect(third.items.map(titleOf)).toEqual(["공구 0"]);
    expect(third.nextCursor).toBeNull();

    expect(await client.notifications.markRead.mutate({ ids: [first.items[0].id] })).toEqual({ unread: 4 });
    const unread = await client.notifications.list.query({ unreadOnly: true });
    expect(unread.items).toHaveLength(4);
    expect(await client.notifications.markRead.mutate({ all: true })).toEqual({ unread: 0 });
    expect((await client.notifications.list.query()).items.every((n) => n.readAt !== null)).toBe(true);
  });

  it("never shows or marks another user's notifications", async () => {
    const { applicant } = await applyAndDecide("approve");
    const [mine] = (await applicant.client.notifications.list.query()).items;
    const other = await newBuyer();
    expect((await other.client.notifications.list.query()).items).toEqual([]);
    expect(await other.client.notifications.markRead.mutate({ ids: [mine.id] })).toEqual({ unread: 0 });
    expect(await applicant.client.notifications.unreadCount.query()).toEqual({ unread: 1 });
  });

  it("requires login and rejects bad input with nothing written", async () => {
    const anon = (await newBuyer()).client;
    await anon.auth.logout.mutate();
    expect((await errorOf(anon.notifications.list.query())).code).toBe("UNAUTHORIZED");
    const { client, user } = await newBuyer();
    expect((await errorOf(client.notifications.markRead.mutate({ ids: [] }))).code).toBe("BAD_REQUEST");
    const tooMany = Array.from({ length: 51 }, () => GB);
    expect((await errorOf(client.notifications.markRead.mutate({ ids: tooMany }))).code).toBe("BAD_REQUEST");
    const badCursor = await errorOf(client.notifications.list.query({ cursor: "x'; DROP TABLE notifications" }));
    expect(badCursor.code).toBe("BAD_REQUEST");
    expect(await rowCount(user.id)).toBe(0);
  });

  it("dedupes by key: a retried job writes one row", async () => {
    const { user } = await newBuyer();
    const db = getDb(env);
    const args = {
      userId: user.id,
      now: Date.now(),
      kind: "charge.failed" as const,
      params: { groupBuyId: GB, title: "사과 공구", amountWon: 12_000, reason: "카드 한도 초과" },
      dedupeKey: `charge.failed:${GB}`,
    };
    await sendNotifications(db, env, [args]);
    await runBatch(db, [notify(db, { ...args, now: args.now + 1 })]);
    expect(await rowCount(user.id)).toBe(1);
  });

  it("refuses params that do not match the kind", () => {
    const db = getDb(env);
    expect(() =>
      notify(db, {
        userId: GB,
        now: 0,
        kind: "groupbuy.failed",
        params: { groupBuyId: GB, title: "x", refundWon: -5 },
      }),
    ).toThrow();
  });
});

describe("live notification channel", () => {
  const path = "/api/notifications/ws";

  it("refuses anonymous and cross-site upgrades, and plain GETs", async () => {
    expect((await openSocket(path)).response.status).toBe(401);
    const { jar } = await newBuyer();
    const cookie = jar.cookies.get("__Host-gonggu_session");
    expect((await openSocket(path, { cookie })).response.status).toBe(403);
    expect((await openSocket(path, { cookie, origin: "https://evil.example" })).response.status).toBe(403);
    expect((await openSocket(path, { cookie: "not-a-real-session-token-at-all", origin: BASE })).response.status).toBe(
      401,
    );
    const { exports } = await import("cloudflare:workers");
    expect((await exports.default.fetch(`${BASE}${path}`)).status).toBe(426);
  });

  it("says hello with the unread count and pushes a new notification to every open tab", async () => {
    const applicant = await newBuyer("판매희망");
    const admin = await newAdmin();
    const cookie = applicant.jar.cookies.get("__Host-gonggu_session");
    const tabs = await Promise.all([
      openSocket(path, { cookie, origin: BASE }),
      openSocket(path, { cookie, origin: BASE }),
    ]);
    const sockets = tabs.map((t) => t.socket!);
    for (const s of sockets) expect(await s.next((f) => f.type === "hello")).toEqual({ type: "hello", unread: 0 });
    const app = await applicant.client.sellers.applyToSell.mutate({
      businessName: "두부공방",
      businessNumber: "1234567890",
    });
    await admin.client.admin.sellers.approve.mutate({ applicationId: app.id });
    for (const s of sockets) {
      const frame = await s.next((f) => f.type === "notification");
      expect(frame).toMatchObject({ notification: { kind: "seller.approved", params: { applicationId: app.id } } });
    }
    // ...and it is the inbox row, so a reload shows the same thing.
    const [stored] = (await applicant.client.notifications.list.query()).items;
    expect(stored.id).toBe(
      (sockets[0].frames.find((f) => f.type === "notification") as { notification: { id: string } }).notification.id,
    );
    for (const s of sockets) s.ws.close(1000);
  });

  it("answers client frames with an error frame and keeps the socket open", async () => {
    const { jar, user } = await newBuyer();
    const { socket } = await openSocket(path, { cookie: jar.cookies.get("__Host-gonggu_session"), origin: BASE });
    socket!.ws.send("{not json");
    expect(await socket!.next((f) => f.type === "error")).toMatchObject({ code: "BAD_REQUEST" });
    await sendNotifications(getDb(env), env, [
      { userId: user.id, now: Date.now(), kind: "groupbuy.tipped", params: { groupBuyId: GB, title: "귤 공구" } },
    ]);
    expect(await socket!.next((f) => f.type === "notification")).toMatchObject({
      notification: { kind: "groupbuy.tipped" },
    });
    socket!.ws.close(1000);
  });

  it("opens with a single-use ticket for SDK clients", async () => {
    const { client } = await newBuyer();
    const { ticket, path: ticketPath } = await client.notifications.ticket.mutate();
    expect(ticket.length).toBeGreaterThan(20);
    const first = await openSocket(ticketPath);
    expect(first.response.status).toBe(101);
    expect(await first.socket!.next((f) => f.type === "hello")).toMatchObject({ type: "hello" });
    expect((await openSocket(ticketPath)).response.status).toBe(401); // replay
    first.socket!.ws.close(1000);
  });

  it("issues at most 30 connection tickets a minute per person, also when they are asked for at once", async () => {
    const { client } = await newBuyer();
    const asked = await Promise.allSettled(Array.from({ length: 34 }, () => client.notifications.ticket.mutate()));
    expect(asked.filter((a) => a.status === "fulfilled")).toHaveLength(30);
    expect((await errorOf(client.notifications.ticket.mutate())).code).toBe("TOO_MANY_REQUESTS");
  });

  it("does not push a notification whose batch failed", async () => {
    const { jar, user } = await newBuyer();
    const { socket } = await openSocket(path, { cookie: jar.cookies.get("__Host-gonggu_session"), origin: BASE });
    await socket!.next((f) => f.type === "hello");
    const db = getDb(env);
    const statement = notify(db, {
      userId: user.id,
      now: Date.now(),
      kind: "groupbuy.filled",
      params: { groupBuyId: GB, title: "배 공구" },
    });
    // A batch that fails as a whole (the second statement violates a NOT NULL constraint) rolls the row back...
    await expect(runBatch(db, [statement, db.run(sqlFail)])).rejects.toThrow();
    // ...and pushing it anyway delivers nothing.
    await pushLive(env, db, [statement]);
    await new Promise((r) => setTimeout(r, 100));
    expect(socket!.frames.filter((f) => f.type === "notification")).toEqual([]);
    expect(await rowCount(user.id)).toBe(0);
    socket!.ws.close(1000);
  });
});
