import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../shared/protocol";
import { newSessionRow } from "../../worker/accounts/sessions";
import { sendNotifications } from "../../worker/community/notifications";
import { KICK_JOB_PAGE, KICK_ROOMS_MAX } from "../../worker/community/rooms";
import { getDb, runBatch } from "../../worker/db/client";
import { groupBuyMembers, groupBuys, sessions } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { connect, roomWithPeople } from "./chat-sockets";
import { newAdmin, openSocket, type Socket } from "./community-helpers";
import { tokenFor } from "./fixtures";
import {
  buyInput,
  key,
  newProduct,
  newRegion,
  newResident,
  newSeller,
  room,
  until,
  untilStatus,
} from "./groupbuy-helpers";
import { BASE, bearerClient, newBuyer } from "./helpers";

/**
 * Live sockets belong to the session that opened them: its logout (or expiry) ends exactly those, on the notification
 * channel and in group-buy rooms, and the user's other sessions (other devices) keep theirs.
 */
const path = "/api/notifications/ws";
const GB = "01JAAAAAAAAAAAAAAAAAAAAAAA";
const channel = (userId: string) => env.USER_CHANNEL.get(env.USER_CHANNEL.idFromName(userId));

async function push(userId: string, title: string) {
  await sendNotifications(getDb(env), env, [
    { userId, now: Date.now(), kind: "groupbuy.tipped", params: { groupBuyId: GB, title } },
  ]);
}

const titles = (s: Socket) =>
  s.frames.flatMap((f) =>
    f.type === "notification" ? [(f.notification as { params: { title: string } }).params.title] : [],
  );

/** A buyer with two sessions: the SPA's cookie (`a`) and another device's bearer token (`b`). */
async function twoSessions() {
  const buyer = await newBuyer();
  const tokenB = await tokenFor(getDb(env), buyer.user);
  return { ...buyer, cookieA: buyer.jar.cookies.get("__Host-gonggu_session")!, tokenB };
}

/** The close code within 10 s, or "open" (every use expects a close: the bound only ends a wait that failed; 2 s was
 * tight for a close that first wakes an evicted channel on a loaded machine). */
const closeCode = (s: Socket) =>
  Promise.race([s.closed.then((c) => c.code), new Promise((r) => setTimeout(() => r("open"), 10_000))]);

async function open(opts: Parameters<typeof openSocket>[1], ticketPath?: string): Promise<Socket> {
  const { socket, response } = await openSocket(ticketPath ?? path, opts);
  expect(response.status).toBe(101);
  await socket!.next((f) => f.type === "hello");
  return socket!;
}

describe("notification sockets end with their session", () => {
  it("logout closes that session's tabs and its SDK ticket socket (4001), not the other device's", async () => {
    const buyer = await twoSessions();
    const tabs = [
      await open({ cookie: buyer.cookieA, origin: BASE }),
      await open({ cookie: buyer.cookieA, origin: BASE }),
    ];
    const ticket = await buyer.client.notifications.ticket.mutate(); // asked for by session a
    const sdk = await open({}, ticket.path);
    const other = await open({ bearer: buyer.tokenB });
    await push(buyer.user.id, "before");
    for (const s of [...tabs, sdk, other]) await s.next((f) => f.type === "notification");

    await buyer.client.auth.logout.mutate();
    // closed before logout answered
    for (const s of [...tabs, sdk]) {
      expect(await closeCode(s)).toBe(CLOSE_CODES.sessionEnded);
    }
    await push(buyer.user.id, "after");
    await other.next((f) => f.type === "notification" && titles(other).includes("after"));
    for (const s of [...tabs, sdk]) expect(titles(s)).toEqual(["before"]);
    expect(other.ws.readyState).toBe(WebSocket.OPEN);
    other.ws.close(1000);
  });

  it("keeps each socket's session across hibernation (the channel evicted between open and logout)", async () => {
    const buyer = await twoSessions();
    const a = await open({ cookie: buyer.cookieA, origin: BASE });
    const b = await open({ bearer: buyer.tokenB });
    await evictDurableObject(channel(buyer.user.id));
    await bearerClient(buyer.tokenB).auth.logout.mutate();
    expect(await closeCode(b)).toBe(CLOSE_CODES.sessionEnded);
    await push(buyer.user.id, "after");
    await a.next((f) => f.type === "notification");
    expect(titles(b)).toEqual([]);
    a.ws.close(1000);
  });

  it("pushes nothing to a socket whose session expired: the push closes it instead", async () => {
    const buyer = await newBuyer();
    const now = Date.now();
    const { token, row } = await newSessionRow(env.PASSWORD_PEPPER, buyer.user.id, "bearer", now + 1_000, now);
    await getDb(env).insert(sessions).values(row);
    const expiring = await open({ bearer: token });
    const live = await open({ cookie: buyer.jar.cookies.get("__Host-gonggu_session")!, origin: BASE });
    await new Promise((r) => setTimeout(r, 1_100));
    await push(buyer.user.id, "after expiry");
    expect(await closeCode(expiring)).toBe(CLOSE_CODES.sessionEnded);
    await live.next((f) => f.type === "notification");
    expect(titles(expiring)).toEqual([]);
    live.ws.close(1000);
  });

  it("a ticket asked for by a session that has logged out since opens nothing", async () => {
    const buyer = await newBuyer();
    const ticket = await buyer.client.notifications.ticket.mutate();
    await buyer.client.auth.logout.mutate();
    expect((await openSocket(ticket.path)).response.status).toBe(401);
  });

  it("ending all of a user's sockets (every session revoked) closes every tab of every session", async () => {
    const buyer = await twoSessions();
    const all = [await open({ cookie: buyer.cookieA, origin: BASE }), await open({ bearer: buyer.tokenB })];
    expect(await channel(buyer.user.id).endSockets({ all: true }, "Every session was signed out.")).toBe(2);
    for (const s of all) expect(await closeCode(s)).toBe(CLOSE_CODES.sessionEnded);
  });

  it("a suspension leaves the channel open: a suspended account still reads its own inbox", async () => {
    const buyer = await newBuyer();
    const tab = await open({ cookie: buyer.jar.cookies.get("__Host-gonggu_session")!, origin: BASE });
    const admin = await newAdmin();
    await admin.client.admin.users.suspend.mutate({ userId: buyer.user.id, days: 3, reason: "반복된 욕설" });
    await push(buyer.user.id, "while suspended");
    await tab.next((f) => f.type === "notification");
    tab.ws.close(1000);
  });
});

describe("room sockets end with their session", () => {
  it("logout closes the room sockets that session opened (its ticket's too), even after hibernation", async () => {
    const { gb, member } = await roomWithPeople();
    const otherDevice = await tokenFor(getDb(env), { id: member.id });
    const mine = await connect(gb.id, member);
    const { path: ticketPath } = await member.api.rooms.ticket.mutate({ id: gb.id });
    const mySdk = await connect(gb.id, { query: ticketPath.slice(ticketPath.indexOf("?")) });
    const theirs = await connect(gb.id, { id: member.id, token: otherDevice, api: bearerClient(otherDevice) });
    for (const s of [mine, mySdk, theirs]) await s.next("chat.history");
    await evictDurableObject(room(gb.id));

    await member.api.auth.logout.mutate();
    for (const s of [mine, mySdk]) {
      await until("the session's room socket closed", async () => s.closed()?.code === CLOSE_CODES.sessionEnded);
      expect(s.frames.at(-1)).toMatchObject({ type: "error", code: "UNAUTHORIZED" });
    }
    await theirs.send({ type: "chat.send", text: "다른 기기에서 안녕하세요" });
    await until("the other device's message", async () =>
      theirs.messages().some((m) => m.kind === "user" && m.text === "다른 기기에서 안녕하세요"),
    );
    expect(theirs.closed()).toBeNull();
    for (const s of [mine, mySdk]) expect(s.messages().some((m) => m.text === "다른 기기에서 안녕하세요")).toBe(false);
    theirs.ws.close();
  });

  it("a finished buy's room too: logout (4001) and a suspension (4003) end the sockets of someone who may still post there", async () => {
    // the host of a cancelled buy still posts in its room (members of a completed one do too)
    const region = await newRegion();
    const product = await newProduct(await newSeller(region), { allowHosts: true });
    const host = await newResident(region, 20_000);
    const { groupBuy } = await host.api.groupBuys.create.mutate(
      buyInput(product.id, region, { hostShares: 1, idempotencyKey: key() }),
    );
    await host.api.groupBuys.cancel.mutate({ id: groupBuy.id, reason: "이웃들 반응이 없어 취소해요" });
    await untilStatus(groupBuy.id, "CANCELLED");
    const otherDevice = await tokenFor(getDb(env), { id: host.id });
    const mine = await connect(groupBuy.id, host);
    const theirs = await connect(groupBuy.id, { ...host, token: otherDevice });
    for (const s of [mine, theirs]) await s.next("chat.history");
    mine.send({ type: "chat.send", text: "취소됐지만 아직 말할 수 있어요" });
    await mine.next("chat.ack");

    await host.api.auth.logout.mutate();
    await until("the logged-out session's socket closed", async () => mine.closed()?.code === CLOSE_CODES.sessionEnded);
    expect(theirs.closed()).toBeNull();

    const admin = await newAdmin();
    await admin.client.admin.users.suspend.mutate({ userId: host.id, days: 3, reason: "채팅 도배" });
    await until("the suspended user's socket closed", async () => theirs.closed()?.code === CLOSE_CODES.suspended);
  });

  it(`a suspension reaches a room past the newest ${KICK_ROOMS_MAX} of the user's (a page per queue job after those)`, async () => {
    const { gb, member } = await roomWithPeople();
    // the member joined many newer buys since: the room with the open socket is the oldest of theirs
    const [buy] = await getDb(env).select().from(groupBuys).where(eq(groupBuys.id, gb.id)).all();
    const [membership] = await getDb(env)
      .select()
      .from(groupBuyMembers)
      .where(eq(groupBuyMembers.groupBuyId, gb.id))
      .all();
    const newer = Array.from({ length: KICK_ROOMS_MAX + KICK_JOB_PAGE + 5 }, (_, i) => buy.createdAt + 1_000 + i);
    // a buy and its member row per statement pair, 20 buys a round trip
    for (let i = 0; i < newer.length; i += 20) {
      const ids = newer.slice(i, i + 20).map((at) => ({ id: newId(at), at }));
      await runBatch(
        getDb(env),
        ids.flatMap(({ id, at }) => [
          getDb(env)
            .insert(groupBuys)
            .values({ ...buy, id, createdAt: at }),
          getDb(env)
            .insert(groupBuyMembers)
            .values({ ...membership, groupBuyId: id }),
        ]),
      );
    }
    const socket = await connect(gb.id, member);
    await socket.next("chat.history");
    const admin = await newAdmin();
    await admin.client.admin.users.suspend.mutate({ userId: member.id, days: 3, reason: "채팅 도배" });
    await until(
      "the socket in the oldest room closed",
      async () => socket.closed()?.code === CLOSE_CODES.suspended,
      60_000,
    );
  }, 120_000);

  it("a session's expiry ends its room sockets (4001): at once when one sends, at the room's alarm when idle", async () => {
    const { gb, member } = await roomWithPeople();
    /** `member` with another bearer session, expiring in `ms`. */
    const expiringIn = async (ms: number) => {
      const now = Date.now();
      const { token, row } = await newSessionRow(env.PASSWORD_PEPPER, member.id, "bearer", now + ms, now);
      await getDb(env).insert(sessions).values(row);
      return { ...member, token, expiresAt: now + ms };
    };
    // Neither part races the other: while the talker's session runs out the room schedules no alarm at all (it
    // believes one is already due), so only the talker's own frame can end it; the idle socket joins afterwards.
    const setAlarmAt = (at: number | null) =>
      runInDurableObject(room(gb.id), async (instance, state) => {
        await state.storage.deleteAlarm();
        (instance as unknown as { alarmAt: number | null }).alarmAt = at;
      });
    await setAlarmAt(Number.NEGATIVE_INFINITY);
    const talkerSession = await expiringIn(1_000);
    const talker = await connect(gb.id, talkerSession);
    await talker.next("chat.history");
    await new Promise((r) => setTimeout(r, talkerSession.expiresAt - Date.now() + 50));
    expect(talker.closed()).toBeNull(); // expired, but nothing has checked it yet
    talker.send({ type: "chat.send", text: "만료된 세션의 메시지" });
    await until("the talker's socket closed", async () => talker.closed()?.code === CLOSE_CODES.sessionEnded);
    expect(talker.frames.at(-1)).toMatchObject({ type: "error", code: "UNAUTHORIZED", message: /expired/ });

    // the idle socket sends nothing (pings are answered by the runtime): the room's alarm ends it at its expiry
    await setAlarmAt(null);
    const idleSession = await expiringIn(1_000);
    const idle = await connect(gb.id, idleSession);
    const live = await connect(gb.id, member);
    for (const s of [idle, live]) await s.next("chat.history");
    await until(
      "the idle socket closed",
      async () => idle.closed()?.code === CLOSE_CODES.sessionEnded,
      idleSession.expiresAt - Date.now() + 5_000,
    );
    expect(idle.frames.at(-1)).toMatchObject({ type: "error", code: "UNAUTHORIZED" });

    await live.send({ type: "chat.send", text: "살아 있는 세션" });
    await until("the live session's message", async () => live.messages().some((m) => m.text === "살아 있는 세션"));
    expect(live.closed()).toBeNull();
    const page = await member.api.rooms.history.query({ id: gb.id });
    expect(page.messages.map((m) => m.text)).not.toContain("만료된 세션의 메시지");
    live.ws.close();
  });
});
