import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ChatMessage } from "../../shared/chat";
import { RoomChat } from "../../worker/durable/chat";
import { roomStub } from "../../worker/groupbuy/service";
import type { Fixtures } from "./fixtures";
import { insertUser } from "./fixtures";
import { fixtureBuy } from "./groupbuy-fixtures";

/** Writes a person's message straight into a room's chat storage (as the room does for a chat.send frame). */
export async function postInRoom(groupBuyId: string, userId: string, text: string, displayName = "픽스처") {
  return runInDurableObject(roomStub(env, groupBuyId), async (_room, state) => {
    const chat = new RoomChat(state.storage.sql, () => 0);
    return chat.post({ userId, displayName }, text, Date.now()) as ChatMessage;
  });
}

/** An OPEN buy in the fixture region with one message by a fresh user. */
export async function chatMessageFixture(fx: Fixtures) {
  const gb = await fixtureBuy(fx.db, fx.region.id);
  const author = await insertUser(fx.db, "buyer");
  const message = await postInRoom(gb.id, author.id, "픽스처 메시지");
  return { groupBuyId: gb.id, messageId: message.id };
}
