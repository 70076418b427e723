import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CHAT_ROOM_RATE, CHAT_TEXT_MAX, CHAT_USER_RATE, type ChatMessage } from "../../shared/chat";
import { CHAT_FRAME_MAX_BYTES, chatFrames, FLUSH_MS_MAX, RoomChat } from "../../worker/durable/chat";

/** Runs `fn` inside a fresh room object with a RoomChat whose broadcasts are recorded. */
/** `sockets`: how many sockets the fake broadcast reports reaching (sizes the flush window). */
type Sent = { type: string; messages?: ChatMessage[]; id?: number; bytes: number };
function inRoom<T>(fn: (chat: RoomChat, sent: Sent[]) => T, sockets = 1) {
  const stub = env.GROUP_BUY.get(env.GROUP_BUY.newUniqueId());
  return runInDurableObject(stub, async (_instance, state) => {
    const sent: Sent[] = [];
    const chat = new RoomChat(state.storage.sql, (text) => {
      sent.push({ ...JSON.parse(text), bytes: new TextEncoder().encode(text).byteLength });
      return sockets;
    });
    return fn(chat, sent);
  });
}

const kim = { userId: "U1", displayName: "김이웃" };
const lee = { userId: "U2", displayName: "이이웃" };

describe("RoomChat (the room's chat storage and fan-out)", () => {
  it("stores messages with increasing ids and pages history oldest first", async () => {
    await inRoom((chat) => {
      const t = 1_000_000;
      for (let i = 0; i < 7; i++) chat.post(i % 2 ? kim : lee, `메시지 ${i}`, t + i * 3_000);
      chat.system("filled", null, t + 30_000);
      const latest = chat.history(null, 3);
      expect(latest.messages.map((m) => m.text ?? m.code)).toEqual(["메시지 5", "메시지 6", "filled"]);
      expect(latest.hasMore).toBe(true);
      const older = chat.history(latest.messages[0].id, 10);
      expect(older.messages.map((m) => m.text)).toEqual([0, 1, 2, 3, 4].map((i) => `메시지 ${i}`));
      expect(older.hasMore).toBe(false);
      expect(older.messages[1]).toMatchObject({ kind: "user", userId: "U1", displayName: "김이웃", deleted: false });
    });
  });

  it("limits each person to 5 messages per 10 s, counted from storage", async () => {
    await inRoom((chat) => {
      const t = 2_000_000;
      for (let i = 0; i < CHAT_USER_RATE.limit; i++) expect(chat.post(kim, `${i}`, t + i)).toHaveProperty("id");
      const refused = chat.post(kim, "6th", t + 100);
      expect(refused).toMatchObject({ ok: false, code: "TOO_MANY_REQUESTS" });
      expect(chat.post(lee, "someone else is fine", t + 100)).toHaveProperty("id");
      expect(chat.post(kim, "after the window", t + CHAT_USER_RATE.windowMs + 1)).toHaveProperty("id");
    });
  });

  it("caps the whole room", async () => {
    await inRoom((chat) => {
      const t = 3_000_000;
      for (let i = 0; i < CHAT_ROOM_RATE.limit; i++) chat.post({ userId: `U${i}`, displayName: "x" }, "hi", t + i);
      expect(chat.post({ userId: "fresh", displayName: "x" }, "hi", t + 400)).toMatchObject({
        ok: false,
        code: "TOO_MANY_REQUESTS",
      });
    });
  });

  it("in a full room sends a lone message at once and batches a burst into one frame", async () => {
    await inRoom(async (chat, sent) => {
      const now = Date.now();
      chat.post(kim, "first", now);
      expect(sent).toHaveLength(1); // quiet room: no delay
      chat.post(lee, "second", now);
      chat.post({ userId: "U3", displayName: "박" }, "third", now);
      expect(sent).toHaveLength(1); // within the flush window (1,000 sockets → 40 ms): held
      await new Promise((r) => setTimeout(r, FLUSH_MS_MAX + 20));
      expect(sent).toHaveLength(2);
      expect(sent[1].messages?.map((m) => m.text)).toEqual(["second", "third"]);
    }, 1000);
  });

  it("in a busy full room holds a message that comes right after a flush (no flush per message)", async () => {
    await inRoom(async (chat, sent) => {
      const t = Date.now();
      chat.post(kim, "first", t);
      expect(sent).toHaveLength(1);
      // 45 ms later by the room's clock: past the window, but the last flush (1,000 sends) may have only just ended;
      // flushing again at once is what made a busy room send one message per flush and fall behind.
      chat.post(lee, "second", t + 45);
      expect(sent).toHaveLength(1);
      await new Promise((r) => setTimeout(r, FLUSH_MS_MAX + 20)); // the window closes promptly
      expect(sent.map((f) => f.messages?.map((m) => m.text))).toEqual([["first"], ["second"]]);
      chat.post(kim, "after a quiet spell", Date.now() + 1_000);
      expect(sent).toHaveLength(3);
    }, 1000);
  });

  it("keeps a burst in order and never sends a frame above the size limit", async () => {
    await inRoom(async (chat, sent) => {
      const t = Date.now();
      chat.post(kim, "open the window", t);
      // 150 maximal messages of characters JSON escapes as \uXXXX (the worst case per character): ~900 KB in all
      const long = "\u0001".repeat(CHAT_TEXT_MAX);
      const posted: number[] = [];
      for (let i = 0; i < 150; i++) {
        const m = chat.post(
          { userId: `S${i}`, displayName: "가".repeat(40) },
          `${i}${long}`.slice(0, CHAT_TEXT_MAX),
          t + 1,
        );
        posted.push((m as ChatMessage).id);
      }
      chat.flush();
      const frames = sent.slice(1);
      expect(frames.length).toBeGreaterThan(1); // split, and full frames went out without waiting for the window
      for (const f of frames) expect(f.bytes).toBeLessThanOrEqual(CHAT_FRAME_MAX_BYTES);
      expect(frames.flatMap((f) => f.messages!.map((m) => m.id))).toEqual(posted);
    }, 1000);
  });

  it("chatFrames splits by size, keeps order, and always sends a message even alone", () => {
    const msg = (id: number, text: string): ChatMessage => ({
      id,
      kind: "user",
      userId: "U",
      displayName: "x",
      text,
      code: null,
      params: null,
      at: 0,
      deleted: false,
    });
    expect(chatFrames([msg(1, "a"), msg(2, "b")]).map((f) => JSON.parse(f).messages.length)).toEqual([2]);
    const big = Array.from({ length: 30 }, (_, i) => msg(i, "한".repeat(CHAT_TEXT_MAX)));
    const frames = chatFrames(big);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.flatMap((f) => JSON.parse(f).messages.map((m: ChatMessage) => m.id))).toEqual(big.map((m) => m.id));
    for (const f of frames) expect(new TextEncoder().encode(f).byteLength).toBeLessThanOrEqual(CHAT_FRAME_MAX_BYTES);
  });

  it("in a small room sends every message at once", async () => {
    await inRoom((chat, sent) => {
      const now = Date.now();
      for (const text of ["a", "b", "c"]) chat.post({ userId: text, displayName: text }, text, now);
      expect(sent.map((f) => f.messages?.map((m) => m.text))).toEqual([["a"], ["b"], ["c"]]);
    }, 10);
  });

  it("admin deletion withholds the text and tells everyone, after anything pending", async () => {
    await inRoom((chat, sent) => {
      const now = Date.now();
      const a = chat.post(kim, "나쁜 말", now) as ChatMessage;
      chat.post(lee, "pending", now);
      const deleted = chat.delete(a.id, "ADMIN", now + 1);
      expect(deleted).toMatchObject({ id: a.id, text: null, deleted: true });
      expect(sent.map((f) => f.type)).toEqual(["chat.messages", "chat.messages", "chat.deleted"]);
      expect(chat.get(a.id)).toMatchObject({ text: null, deleted: true });
      expect(chat.delete(a.id, "ADMIN", now + 2)).toBeNull(); // once
      const sys = chat.system("ready", null, now);
      expect(chat.delete(sys.id, "ADMIN", now)).toBeNull(); // system lines are not deletable
    });
  });

  it("keeps read markers moving forward only, never past the last message", async () => {
    await inRoom((chat) => {
      const now = Date.now();
      const ids = [1, 2, 3].map((i) => (chat.post({ userId: `U${i}`, displayName: "x" }, "m", now) as ChatMessage).id);
      expect(chat.markRead("U9", ids[1], now)).toBe(ids[1]);
      expect(chat.markRead("U9", ids[0], now)).toBe(ids[1]);
      expect(chat.markRead("U9", 999_999, now)).toBe(ids[2]);
      expect(chat.readUpTo("U9")).toBe(ids[2]);
      expect(chat.readUpTo("nobody")).toBe(0);
    });
  });
});
