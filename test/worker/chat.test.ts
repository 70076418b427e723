import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { CHAT_HISTORY_ON_CONNECT, CHAT_USER_RATE } from "../../shared/chat";
import { MAX_CLIENT_FRAME_BYTES } from "../../shared/protocol";
import { FLUSH_RETRY_MS } from "../../worker/groupbuy/config";
import { postInRoom } from "./chat-fixtures";
import { connect, roomWithPeople, texts, upgrade } from "./chat-sockets";
import { newAdmin } from "./community-helpers";
import { insertUser } from "./fixtures";
import { db, key, newRegion, newResident, newSeller, openBuy, room, until } from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";

// Issue 5: the ledger invariants hold after every test (each book this file wrote to).
afterEach(() => assertLedgerInvariants(), 60_000);

describe("group-buy chat", { timeout: 30_000 }, () => {
  it("refuses anonymous, outsiders and suspended users before the upgrade", async () => {
    const { gb, reader } = await roomWithPeople();
    expect((await upgrade(gb.id, {})).status).toBe(401);
    const outsider = await newResident(await newRegion(), 0);
    expect((await upgrade(gb.id, { authorization: `Bearer ${outsider.token}` })).status).toBe(403);
    await env.DB.prepare("UPDATE users SET suspended_until = ? WHERE id = ?")
      .bind(Date.now() + 86_400_000, reader.id)
      .run();
    const refused = await upgrade(gb.id, { authorization: `Bearer ${reader.token}` });
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { message: string; details: Record<string, unknown> } };
    expect(body.error.message).toMatch(/suspended/);
    // why, for clients that word it themselves (the SPA asks rooms.history, which says the same)
    expect(body.error.details).toEqual({ reason: "suspended", until: expect.any(Number) });
    const history = await errorOf(reader.api.rooms.history.query({ id: gb.id }));
    expect(history.details).toEqual({ reason: "suspended", until: body.error.details.until });
  });

  it("members post; every connected socket gets the message; the sender gets an ack; readers can't post", async () => {
    const { gb, seller, member, reader } = await roomWithPeople();
    const m = await connect(gb.id, member);
    const s = await connect(gb.id, seller);
    const r = await connect(gb.id, reader);
    expect(await m.next("chat.history")).toMatchObject({ canPost: true });
    expect(await s.next("chat.history")).toMatchObject({ canPost: true });
    expect(await r.next("chat.history")).toMatchObject({ canPost: false });

    m.send({ type: "chat.send", text: "  내일 픽업 몇 시예요?  ", nonce: "n-1" });
    const ack = await m.next("chat.ack");
    expect(ack).toMatchObject({ nonce: "n-1" });
    for (const sock of [m, s, r]) {
      await until("the message", async () => sock.messages().find((x) => x.id === ack.id));
      expect(sock.messages().find((x) => x.id === ack.id)).toMatchObject({
        kind: "user",
        userId: member.id,
        text: "내일 픽업 몇 시예요?",
        deleted: false,
      });
    }
    s.send({ type: "chat.send", text: "오후 2시부터 가능합니다" });
    await until("the seller's reply", async () => texts(r.messages()).includes("오후 2시부터 가능합니다"));

    const before = r.frames.length;
    r.send({ type: "chat.send", text: "저도 끼워주세요" });
    expect(await r.next("error", before)).toMatchObject({ code: "FORBIDDEN" });
    await new Promise((x) => setTimeout(x, 50));
    expect(texts(m.messages())).not.toContain("저도 끼워주세요");
    for (const sock of [m, s, r]) sock.ws.close();
  });

  it("sends the last 50 on connect and older pages through rooms.history", async () => {
    const { gb, member } = await roomWithPeople();
    // 20 authors (each under CHAT_USER_RATE), real users: the room's alarm tells the recommender about them
    const authors = await Promise.all(Array.from({ length: 20 }, () => insertUser(db())));
    for (let i = 1; i <= 60; i++) await postInRoom(gb.id, authors[i % 20].id, `메시지 ${i}`);
    const c = await connect(gb.id, member);
    const history = await c.next("chat.history");
    expect(history.messages).toHaveLength(CHAT_HISTORY_ON_CONNECT);
    expect(history.hasMore).toBe(true);
    expect(history.messages.at(-1)?.text).toBe("메시지 60");
    const older = await member.api.rooms.history.query({ id: gb.id, before: history.messages[0].id, limit: 50 });
    // the two system lines (join) and the first ten messages
    expect(texts(older.messages)).toEqual(Array.from({ length: 10 }, (_, i) => `메시지 ${i + 1}`));
    expect(older.hasMore).toBe(false);
    const outsider = await newResident(await newRegion(), 0);
    expect((await errorOf(outsider.api.rooms.history.query({ id: gb.id }))).code).toBe("FORBIDDEN");
    c.ws.close();
  });

  it("survives hibernation: evicted room, sockets still get messages, history intact after reconnect", async () => {
    const { gb, member, seller } = await roomWithPeople();
    const m = await connect(gb.id, member);
    const s = await connect(gb.id, seller);
    await s.next("chat.history");
    m.send({ type: "chat.send", text: "퇴근하고 갈게요" });
    await until("first message", async () => texts(s.messages()).includes("퇴근하고 갈게요"));
    await evictDurableObject(room(gb.id));
    m.send({ type: "chat.send", text: "깨어났나요?" });
    await until("message after eviction", async () => texts(s.messages()).includes("깨어났나요?"));
    m.ws.close();
    const again = await connect(gb.id, member);
    const history = await again.next("chat.history");
    expect(texts(history.messages)).toEqual(["퇴근하고 갈게요", "깨어났나요?"]);
    again.ws.close();
    s.ws.close();
  });

  it("rate-limits a chatty member (5 per 10 s) and keeps only what was accepted", async () => {
    const { gb, member } = await roomWithPeople();
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    for (let i = 0; i <= CHAT_USER_RATE.limit; i++) m.send({ type: "chat.send", text: `도배 ${i}`, nonce: `${i}` });
    const limited = await m.next("error");
    expect(limited).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(limited.message).toMatch(/Try again in \d+ s/);
    // whose limit it is, for clients that word it: the sender's own pace, and when they may send again
    expect(limited.details).toEqual({ reason: "chat_too_fast", seconds: Math.ceil(limited.retryAfterMs! / 1000) });
    expect(limited.details?.seconds).toBeGreaterThanOrEqual(1);
    const page = await member.api.rooms.history.query({ id: gb.id });
    expect(texts(page.messages)).toEqual([0, 1, 2, 3, 4].map((i) => `도배 ${i}`));
    m.ws.close();
  });

  it("refuses a message over the room-wide cap as the room's limit, not the sender's", async () => {
    const { gb, member } = await roomWithPeople();
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    // the live room's cap lowered to one message per window (filling it for real is 1,000 messages)
    await runInDurableObject(room(gb.id), (instance) => {
      (instance as unknown as { chat: { roomLimit: number } }).chat.roomLimit = 1;
    });
    m.send({ type: "chat.send", text: "첫 메시지", nonce: "a" });
    await m.next("chat.ack");
    m.send({ type: "chat.send", text: "두 번째", nonce: "b" });
    const busy = await m.next("error");
    expect(busy).toMatchObject({ code: "TOO_MANY_REQUESTS", details: { reason: "chat_room_busy" } });
    expect(busy.details?.seconds).toBe(Math.ceil(busy.retryAfterMs! / 1000));
    expect(busy.message).toMatch(/this room is very busy/);
    m.ws.close();
  });

  it("answers oversized, malformed and too-long frames with error frames and keeps the room alive", async () => {
    const { gb, member } = await roomWithPeople();
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    m.send(JSON.stringify({ type: "chat.send", text: "가".repeat(3000) }).padEnd(9000, " ")); // > 8 KB
    m.send("{ not json");
    m.send({ type: "chat.send", text: "가".repeat(1001) }); // under 8 KB but over 1,000 characters
    m.send({ type: "chat.send", text: "   " });
    m.send({ type: "chat.send" });
    m.send(new TextEncoder().encode("binary").buffer as ArrayBuffer);
    await until("six error frames", async () => m.frames.filter((f) => f.type === "error").length === 6);
    m.send({ type: "chat.send", text: "가".repeat(1000) }); // exactly the limit is fine
    await until("the 1,000-character message", async () => m.messages().some((x) => x.text?.length === 1000));
    expect(m.closed()).toBeNull();
    m.ws.close();
  });

  it("limits frames by their UTF-8 bytes, not their characters, at exactly MAX_CLIENT_FRAME_BYTES", async () => {
    const { gb, member } = await roomWithPeople();
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    const bytes = (s: string) => new TextEncoder().encode(s).byteLength;
    // JSON allows whitespace after the value: pad a valid frame to an exact size in bytes
    const sized = (text: string, size: number) => {
      const json = JSON.stringify({ type: "chat.send", text });
      return json + " ".repeat(size - bytes(json));
    };
    m.send(sized("ascii at the limit", MAX_CLIENT_FRAME_BYTES));
    m.send(sized("가".repeat(1000), MAX_CLIENT_FRAME_BYTES)); // 3 bytes per syllable: fewer characters than bytes
    const posted = () => m.messages().filter((x) => x.kind === "user");
    await until("both frames at the limit posted", async () => posted().length === 2);
    m.send(sized("ascii one over", MAX_CLIENT_FRAME_BYTES + 1));
    m.send(sized("가".repeat(1000), MAX_CLIENT_FRAME_BYTES + 1));
    await until("two error frames", async () => m.frames.filter((f) => f.type === "error").length === 2);
    expect(m.frames.filter((f) => f.type === "error").map((f) => (f as { message: string }).message)).toEqual([
      `Frames are JSON text of at most ${MAX_CLIENT_FRAME_BYTES} bytes.`,
      `Frames are JSON text of at most ${MAX_CLIENT_FRAME_BYTES} bytes.`,
    ]);
    expect(posted().map((x) => x.text)).toEqual(["ascii at the limit", "가".repeat(1000)]);
    m.ws.close();
  });

  it("reports, admin deletion for everyone, the author told, and read markers", async () => {
    const { gb, member, seller, region } = await roomWithPeople();
    const other = await newResident(region);
    await other.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const m = await connect(gb.id, member);
    const s = await connect(gb.id, seller);
    m.send({ type: "chat.send", text: "계좌로 따로 보내주세요", nonce: "bad" });
    const { id } = await m.next("chat.ack");
    expect((await errorOf(member.api.rooms.report.mutate({ id: gb.id, messageId: id, reason: "fraud" }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(
      await other.api.rooms.report.mutate({ id: gb.id, messageId: id, reason: "fraud", note: "외부 송금 유도" }),
    ).toEqual({ reported: true, alreadyReported: false });
    expect(await other.api.rooms.report.mutate({ id: gb.id, messageId: id, reason: "fraud" })).toEqual({
      reported: true,
      alreadyReported: true,
    });
    const admin = await newAdmin();
    const queue = await admin.client.admin.moderation.queue.query();
    expect(queue.chatMessages.find((q) => q.groupBuyId === gb.id)).toMatchObject({
      messageId: id,
      authorId: member.id,
      text: "계좌로 따로 보내주세요",
      reports: 1,
    });
    await admin.client.admin.moderation.deleteChatMessage.mutate({
      groupBuyId: gb.id,
      messageId: id,
      reason: "외부 거래 유도",
    });
    for (const sock of [m, s]) expect(await sock.next("chat.deleted")).toEqual({ type: "chat.deleted", id });
    // the upheld report is on the author's trust record
    expect(await other.api.trust.get.query({ userId: member.id })).toMatchObject({ reports: 1 });
    const page = await seller.api.rooms.history.query({ id: gb.id });
    expect(page.messages.find((x) => x.id === id)).toMatchObject({ text: null, deleted: true, userId: member.id });
    expect(
      (await admin.client.admin.moderation.queue.query()).chatMessages.some(
        (q) => q.messageId === id && q.groupBuyId === gb.id,
      ),
    ).toBe(false);
    const [notice] = (await member.api.notifications.list.query()).items;
    expect(notice).toMatchObject({
      kind: "moderation.outcome",
      params: { targetType: "chat_message", outcome: "removed" },
    });
    const audit = await env.DB.prepare(
      "SELECT actor_id AS actorId, detail FROM audit_log WHERE action = 'chat.delete' AND target_id = ?",
    )
      .bind(`${gb.id}:${id}`)
      .first<{ actorId: string; detail: string }>();
    expect(audit?.actorId).toBe(admin.user.id);
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({
      text: "계좌로 따로 보내주세요",
      reason: "외부 거래 유도",
    });
    expect(
      (
        await errorOf(
          admin.client.admin.moderation.deleteChatMessage.mutate({ groupBuyId: gb.id, messageId: id, reason: "다시" }),
        )
      ).code,
    ).toBe("NOT_FOUND");

    s.send({ type: "chat.read", upTo: id });
    // the room takes a socket's frames in order: its pong says the read marker was stored (a 50 ms sleep raced it)
    const sent = s.frames.length;
    s.send({ type: "ping" });
    await s.next("pong", sent);
    s.ws.close();
    const again = await connect(gb.id, seller);
    expect((await again.next("chat.history")).readUpTo).toBe(id);
    again.ws.close();
    m.ws.close();
  });

  it("writes system lines for joins and status changes, and lets read-only neighbours go when the buy closes", async () => {
    const { gb, seller, reader, region } = await roomWithPeople();
    const s = await connect(gb.id, seller);
    const r = await connect(gb.id, reader);
    await s.next("chat.history");
    const joiner = await newResident(region);
    await joiner.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    await until("join line", async () => s.messages().some((x) => x.code === "join" && x.params?.shares === 2));
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "산지 사정으로 취소" });
    await until("cancel line", async () => s.messages().some((x) => x.code === "cancelled"));
    expect(s.messages().find((x) => x.code === "cancelled")).toMatchObject({
      kind: "system",
      params: { reason: "산지 사정으로 취소" },
    });
    await until("the reader was let go", async () => r.closed()?.code === 4004);
    expect(r.frames.find((f) => f.type === "error")).toMatchObject({ details: { reason: "room_closed" } });
    // and they can't come back: the room is for members now
    await until(
      "D1 mirror",
      async () => (await upgrade(gb.id, { authorization: `Bearer ${reader.token}` })).status === 403,
    );
    s.ws.close();
  });

  it("announces leave, filled, ordered and ready in the room; nobody leaves a filled buy", async () => {
    const { region, gb, seller } = await openBuy({ totalShares: 2, minShares: 1, maxPerPerson: 1 });
    const s = await connect(gb.id, seller);
    await s.next("chat.history");
    const [a, b, c] = await Promise.all([newResident(region), newResident(region), newResident(region)]);
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await a.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: key() });
    await b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await c.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    await until("FILLED", async () => s.frames.some((f) => f.type === "state" && f.status === "FILLED"));
    const leave = await errorOf(b.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: key() }));
    expect(leave.code).toBe("PRECONDITION_FAILED");
    await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
    await seller.api.groupBuys.markReady.mutate({ id: gb.id });
    const codes = () => s.messages().flatMap((m) => (m.kind === "system" ? [m.code] : []));
    await until("ready line", async () => codes().includes("ready"));
    expect(codes()).toEqual(["join", "leave", "join", "join", "filled", "ordered", "ready"]);
    s.ws.close();
  });

  it("disconnects a member the moment an admin suspends them", async () => {
    const { gb, member } = await roomWithPeople();
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    const admin = await newAdmin();
    await admin.client.admin.users.suspend.mutate({ userId: member.id, days: 3, reason: "반복된 욕설" });
    await until("the socket closed", async () => m.closed()?.code === 4003);
    // the reason and until when, so the app can say it in the reader's words
    expect(m.frames.find((f) => f.type === "error")).toMatchObject({
      code: "FORBIDDEN",
      details: { reason: "suspended", until: expect.any(Number) },
    });
    expect((await upgrade(gb.id, { authorization: `Bearer ${member.token}` })).status).toBe(403);
  });

  it("opens with a single-use room ticket for SDK clients", async () => {
    const { gb, member } = await roomWithPeople();
    const { ticket, path } = await member.api.rooms.ticket.mutate({ id: gb.id });
    expect(path).toBe(`/api/rooms/${gb.id}/ws?ticket=${ticket}`);
    const c = await connect(gb.id, { query: `?ticket=${ticket}` });
    expect(await c.next("snapshot")).toMatchObject({ you: { userId: member.id } });
    expect((await upgrade(gb.id, {}, `?ticket=${ticket}`)).status).toBe(401); // used
    const other = await openBuy();
    const { ticket: t2 } = await member.api.rooms.ticket.mutate({ id: gb.id });
    expect((await upgrade(other.gb.id, {}, `?ticket=${t2}`)).status).toBe(401); // another room's ticket
    c.ws.close();
    void newSeller;
  });

  it("tells the recommender once per person who chats, from the room's alarm", async () => {
    const { gb, member } = await roomWithPeople();
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    const chatSignals = () => chatSignalsOf(gb.id);
    for (const text of ["안녕하세요", "픽업 장소 확인했어요"]) {
      m.send({ type: "chat.send", text });
      await m.next("chat.ack", m.frames.length);
    }
    expect(await chatSignals()).toEqual([]); // not a D1 write per message
    await runDurableObjectAlarm(room(gb.id));
    expect(await chatSignals()).toEqual([member.id]);
    await runDurableObjectAlarm(room(gb.id)); // an alarm firing again writes nothing new
    expect(await chatSignals()).toEqual([member.id]);
    m.ws.close();
  });

  it("a chatter D1 has no user row for is dropped from the recommender's signals, not retried before the others'", async () => {
    const { gb, member } = await roomWithPeople();
    await postInRoom(gb.id, "U-not-in-d1", "누구?"); // straight into the room's storage: no users row behind it
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    m.send({ type: "chat.send", text: "안녕하세요" });
    await m.next("chat.ack", m.frames.length);
    await runDurableObjectAlarm(room(gb.id));
    expect(await chatSignalsOf(gb.id)).toEqual([member.id]);
    const after = await runInDurableObject(room(gb.id), async (_r, state) => ({
      unsent: state.storage.sql.exec("SELECT count(*) AS n FROM chat_signals WHERE sent = 0").one().n,
      alarm: await state.storage.getAlarm(),
    }));
    // nothing left to send, so no alarm FLUSH_RETRY_MS later for it (before: one failing batch every 10 s, forever)
    expect(after.unsent).toBe(0);
    expect(after.alarm).toBeGreaterThan(Date.now() + FLUSH_RETRY_MS);
    m.ws.close();
  });
});

async function chatSignalsOf(groupBuyId: string) {
  const rows = await env.DB.prepare("SELECT user_id FROM rec_interactions WHERE item_id = ? AND kind = 'chat'")
    .bind(groupBuyId)
    .all<{ user_id: string }>();
  return rows.results.map((r) => r.user_id);
}
