import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { NotificationItem } from "../../shared/schemas/notifications";
import { pushMemberNotices } from "../../worker/community/groupBuyNotices";
import { getDb } from "../../worker/db/client";
import { liveChannels, membershipStatus } from "../../worker/db/schema";
import type { GroupBuyRoom } from "../../worker/durable/GroupBuyRoom";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { kstMonth } from "../../worker/membership/calendar";
import { openSocket } from "./community-helpers";
import { key, newResident, openBuy, type Person, room, until } from "./groupbuy-helpers";
import { checkLedgerAfterEachTest } from "./ledger-invariants";
import { deliver } from "./payments-helpers";

function liveRow(userId: string) {
  return getDb(env).select().from(liveChannels).where(eq(liveChannels.userId, userId)).get();
}

/** The real channel namespace, recording whose channel a push wakes (by user id, in call order) into `woken`. */
function recordingChannels(woken: string[]) {
  return {
    idFromName: (name: string) => {
      woken.push(name);
      return env.USER_CHANNEL.idFromName(name);
    },
    get: (id: DurableObjectId) => env.USER_CHANNEL.get(id),
  } as unknown as typeof env.USER_CHANNEL;
}

async function inbox(p: Person) {
  return (await p.api.notifications.list.query({ limit: 50 })).items;
}

function ofKind(items: NotificationItem[], kind: NotificationItem["kind"]) {
  return items.filter((n) => n.kind === kind);
}

// Issue 5: the ledger invariants hold after every test (each book the test wrote to).
checkLedgerAfterEachTest();

describe("group-buy events notify every member", { timeout: 30_000 }, () => {
  it("filled, then ready for pickup: once per member, live to an open tab too", async () => {
    const { region, gb, seller, pricing } = await openBuy({ totalShares: 2, minShares: 2, maxPerPerson: 1 });
    const [a, b] = [await newResident(region), await newResident(region)];
    const { socket } = await openSocket("/api/notifications/ws", { bearer: a.token });
    await socket!.next((f) => f.type === "hello");
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    for (const p of [a, b]) {
      await until("filled notice", async () => ofKind(await inbox(p), "groupbuy.filled").length === 1);
    }
    expect(ofKind(await inbox(a), "groupbuy.filled")[0].params).toEqual({ groupBuyId: gb.id, title: gb.title });
    const live = await socket!.next((f) => f.type === "notification", 5_000);
    expect(live).toMatchObject({ notification: { kind: "groupbuy.filled" } });

    await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
    await seller.api.groupBuys.markReady.mutate({ id: gb.id });
    for (const p of [a, b]) {
      await until("ready notice", async () => ofKind(await inbox(p), "groupbuy.ready").length === 1);
    }
    // the room flushes again (alarms, retries): nobody is told twice
    await runDurableObjectAlarm(room(gb.id));
    await room(gb.id).reconcile(gb.id);
    for (const p of [a, b]) {
      const items = await inbox(p);
      expect(ofKind(items, "groupbuy.filled")).toHaveLength(1);
      expect(ofKind(items, "groupbuy.ready")).toHaveLength(1);
    }
    expect(await inbox(seller)).toEqual([]);
    void pricing;
    socket!.ws.close();
  });

  it("the live push is a queue job (not the room's work): a redelivery relays the same notice again, acked", async () => {
    const { region, gb } = await openBuy({ totalShares: 2, minShares: 2, maxPerPerson: 1 });
    const [a, b] = [await newResident(region), await newResident(region)];
    const { socket } = await openSocket("/api/notifications/ws", { bearer: a.token });
    await socket!.next((f) => f.type === "hello");
    for (const p of [a, b]) await p.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const first = await socket!.next((f) => f.type === "notification", 5_000);
    const notice = (first as { notification: NotificationItem }).notification;
    expect(notice.kind).toBe("groupbuy.filled");
    const job = { type: "groupbuy.pushNotices", groupBuyId: gb.id, status: "FILLED", at: notice.createdAt };
    const result = await deliver([{ body: job }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const again = await socket!.next((f) => f.type === "notification", 5_000);
    expect(again).toMatchObject({ notification: { id: notice.id, kind: "groupbuy.filled" } });
    expect(ofKind(await inbox(a), "groupbuy.filled")).toHaveLength(1);
    socket!.ws.close();
  });

  it("the push wakes only the channels of members with a socket open (live_channels), and a closed one leaves", async () => {
    const { region, gb } = await openBuy({ totalShares: 2, minShares: 2, maxPerPerson: 1 });
    const [online, offline] = [await newResident(region), await newResident(region)];
    const { socket } = await openSocket("/api/notifications/ws", { bearer: online.token });
    await socket!.next((f) => f.type === "hello");
    expect(await liveRow(online.id)).toBeTruthy();
    expect(await liveRow(offline.id)).toBeUndefined();
    for (const p of [online, offline])
      await p.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const live = await socket!.next((f) => f.type === "notification", 5_000);
    const at = (live as { notification: NotificationItem }).notification.createdAt;
    await until("both told in the inbox", async () => ofKind(await inbox(offline), "groupbuy.filled").length === 1);
    // a redelivery of the push, through a channel namespace that records whom it wakes
    const woken: string[] = [];
    const channels = recordingChannels(woken);
    const batch = createMessageBatch("gonggu-jobs", [
      {
        id: newId(),
        timestamp: new Date(),
        attempts: 1,
        body: { type: "groupbuy.pushNotices", groupBuyId: gb.id, status: "FILLED", at },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, USER_CHANNEL: channels }, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect(woken).toEqual([online.id]);
    socket!.ws.close();
    await until("the closed channel left live_channels", async () => (await liveRow(online.id)) === undefined);
  });

  it("the push pages through the members online: a page per job, the next page sent first as its own job", async () => {
    const { region, gb } = await openBuy({ totalShares: 3, minShares: 3, maxPerPerson: 1 });
    const people = [await newResident(region), await newResident(region), await newResident(region)];
    const sockets = [];
    for (const p of people) {
      const { socket } = await openSocket("/api/notifications/ws", { bearer: p.token });
      await socket!.next((f) => f.type === "hello");
      sockets.push(socket!);
    }
    for (const p of people) await p.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const live = await sockets[0].next((f) => f.type === "notification", 5_000);
    const at = (live as { notification: NotificationItem }).notification.createdAt;
    const byId = people.map((p) => p.id).sort();
    // the same job, run by hand with pages of 2, through bindings that record whom it wakes and what it sends
    const woken: string[] = [];
    const sent: unknown[] = [];
    const recording = (failSend = false) => ({
      ...env,
      USER_CHANNEL: recordingChannels(woken),
      JOBS: {
        send: async (body: unknown) => {
          if (failSend) throw new Error("queue unavailable");
          sent.push(body);
        },
      } as unknown as typeof env.JOBS,
    });
    const first = { groupBuyId: gb.id, status: "FILLED" as const, at };
    await pushMemberNotices(recording(), getDb(env), first, 2);
    expect(woken.sort()).toEqual(byId.slice(0, 2));
    expect(sent).toEqual([{ type: "groupbuy.pushNotices", ...first, after: byId[1] }]);
    woken.length = 0;
    await pushMemberNotices(recording(), getDb(env), sent[0] as typeof first, 2);
    expect(woken).toEqual([byId[2]]);
    expect(sent).toHaveLength(1); // the last page sends nothing more
    // the next page cannot be queued: the job fails (the queue retries it) before waking anyone
    woken.length = 0;
    await expect(pushMemberNotices(recording(true), getDb(env), first, 2)).rejects.toThrow("queue unavailable");
    expect(woken).toEqual([]);
    for (const socket of sockets) socket.ws.close();
  });

  it("a cancellation tells each member their own refund and the reason", async () => {
    const { region, gb, seller, pricing } = await openBuy({ totalShares: 10, maxPerPerson: 5 });
    const a = await newResident(region);
    const b = await newResident(region);
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 3, idempotencyKey: key() });
    await b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "산지 기상 악화" });
    for (const [p, shares] of [
      [a, 3],
      [b, 1],
    ] as const) {
      await until("cancel notice", async () => ofKind(await inbox(p), "groupbuy.cancelled").length === 1);
      expect(ofKind(await inbox(p), "groupbuy.cancelled")[0].params).toEqual({
        groupBuyId: gb.id,
        title: gb.title,
        refundWon: pricing.pricePerShare * shares,
        reason: "산지 기상 악화",
      });
    }
  });

  it("a member with a tier discount is told the refund they paid, not the gross price", async () => {
    const { region, gb, seller } = await openBuy(
      { totalShares: 2, minShares: 2, maxPerPerson: 2 },
      { totalPrice: 10_000 },
    );
    const vip = await newResident(region, 30_000);
    const now = Date.now();
    await getDb(env)
      .insert(membershipStatus)
      .values({ userId: vip.id, tierLevel: 3, tierSince: now, recalcMonth: kstMonth(now), updatedAt: now });
    const joined = await vip.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    expect(joined).toMatchObject({ amount: 10_000, paid: 9_700 }); // VIP: 3 %
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "출고 지연으로 취소" });
    await until("cancel notice", async () => ofKind(await inbox(vip), "groupbuy.cancelled").length === 1);
    expect(ofKind(await inbox(vip), "groupbuy.cancelled")[0].params).toMatchObject({ refundWon: 9_700 });
  });

  it("a buy that misses its minimum tells members it failed, with the refund", async () => {
    const { region, gb, pricing } = await openBuy({ totalShares: 10, minShares: 5 });
    const a = await newResident(region, 20_000);
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    const stub = room(gb.id);
    await runInDurableObject(stub, (instance: GroupBuyRoom) =>
      instance.debugExec("UPDATE meta SET deadline = ?", Date.now() - 1),
    );
    await runDurableObjectAlarm(stub);
    await until("failed notice", async () => ofKind(await inbox(a), "groupbuy.failed").length === 1);
    expect(ofKind(await inbox(a), "groupbuy.failed")[0].params).toEqual({
      groupBuyId: gb.id,
      title: gb.title,
      refundWon: pricing.pricePerShare * 2,
    });
  });

  it("someone who left while OPEN is not told about the outcome", async () => {
    const { region, gb } = await openBuy({ totalShares: 2, minShares: 2, maxPerPerson: 1 });
    const [a, b, c] = [await newResident(region), await newResident(region), await newResident(region)];
    await c.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await c.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: key() });
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await until("filled notice", async () => ofKind(await inbox(b), "groupbuy.filled").length === 1);
    expect(await inbox(c)).toEqual([]);
  });
});
