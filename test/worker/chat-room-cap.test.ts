import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CHAT_ROOM_RATE } from "../../shared/chat";
import type { RoomChat } from "../../worker/durable/chat";
import { CHAT_ROOM_LIMIT_LIFT_MAX, chatRoomLimit } from "../../worker/durable/chatRoomCap";
import { GroupBuyRoom } from "../../worker/durable/GroupBuyRoom";

/**
 * The room-wide chat cap is the product's (CHAT_ROOM_RATE) unless bench:chat's capacity rows lift it with the
 * BENCH_CHAT_ROOM_LIMIT binding on their own wrangler dev command line; only a bounded lift counts.
 */

/** How many messages from different people, within one window (10 a ms), a room's chat takes before it refuses one. */
function acceptedInOneWindow(chat: RoomChat): number {
  const t = 7_000_000;
  for (let i = 0; i <= CHAT_ROOM_LIMIT_LIFT_MAX; i++) {
    if ("ok" in chat.post({ userId: `U${i}`, displayName: "x" }, "hi", t + Math.floor(i / 10))) return i;
  }
  return Number.POSITIVE_INFINITY;
}

/** The chat of a fresh room object, built with `bindings` on top of the test env (as wrangler dev --var adds them). */
function roomChatWith(bindings: Partial<Env>): Promise<number> {
  const stub = env.GROUP_BUY.get(env.GROUP_BUY.newUniqueId());
  return runInDurableObject(stub, (_instance, state) => {
    const room = new GroupBuyRoom(state, { ...env, ...bindings }) as unknown as { chat: RoomChat };
    return acceptedInOneWindow(room.chat);
  });
}

describe("room-wide chat cap", () => {
  it("is the product's in a room started without the override", async () => {
    expect((env as Env).BENCH_CHAT_ROOM_LIMIT).toBeUndefined();
    const stub = env.GROUP_BUY.get(env.GROUP_BUY.newUniqueId());
    const accepted = await runInDurableObject(stub, (instance) =>
      acceptedInOneWindow((instance as unknown as { chat: RoomChat }).chat),
    );
    expect(accepted).toBe(CHAT_ROOM_RATE.limit);
  });

  it("honours BENCH_CHAT_ROOM_LIMIT in the room object, up to its bound", async () => {
    expect(await roomChatWith({ BENCH_CHAT_ROOM_LIMIT: "3334" })).toBe(3334);
    expect(await roomChatWith({ BENCH_CHAT_ROOM_LIMIT: String(CHAT_ROOM_LIMIT_LIFT_MAX) })).toBe(
      CHAT_ROOM_LIMIT_LIFT_MAX,
    );
  });

  it("ignores an override above its bound, below the product's cap or not an integer", async () => {
    expect(await roomChatWith({ BENCH_CHAT_ROOM_LIMIT: String(CHAT_ROOM_LIMIT_LIFT_MAX + 1) })).toBe(
      CHAT_ROOM_RATE.limit,
    );
    for (const value of [String(CHAT_ROOM_RATE.limit - 1), "0", "-1500", "2500.5", "1e9", "abc", "", "Infinity"]) {
      expect(chatRoomLimit({ BENCH_CHAT_ROOM_LIMIT: value }), value).toBe(CHAT_ROOM_RATE.limit);
    }
    expect(chatRoomLimit({})).toBe(CHAT_ROOM_RATE.limit);
  });
});
