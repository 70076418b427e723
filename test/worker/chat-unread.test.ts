import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CHAT_UNREAD_CAP } from "../../shared/chat";
import { RoomChat } from "../../worker/durable/chat";
import { postInRoom } from "./chat-fixtures";
import { connect, roomWithPeople } from "./chat-sockets";
import { newAdmin } from "./community-helpers";
import { room, until } from "./groupbuy-helpers";

describe("unread chat counts in the lists of one's own buys", { timeout: 30_000 }, () => {
  it("counts other people's messages after the read marker; own, deleted and system lines don't count", async () => {
    const { gb, member, seller } = await roomWithPeople();
    const unreadOf = async (p: typeof member) =>
      (await p.api.groupBuys.mine.query({ limit: 20 })).items.find((x) => x.id === gb.id)?.unread;
    const sellerUnread = async () =>
      (await seller.api.seller.groupBuys.query({ limit: 20 })).items.find((x) => x.id === gb.id)?.unread;
    expect(await unreadOf(member)).toBe(0); // only the join line so far

    const first = await postInRoom(gb.id, seller.id, "안녕하세요, 판매자입니다");
    const second = await postInRoom(gb.id, seller.id, "픽업은 토요일이에요");
    await postInRoom(gb.id, member.id, "네 알겠습니다"); // the member's own
    const third = await postInRoom(gb.id, seller.id, "주차는 건물 뒤편에");
    expect(await unreadOf(member)).toBe(3);
    expect(await sellerUnread()).toBe(1); // the member's line

    // reading on the socket moves the marker
    const m = await connect(gb.id, member);
    await m.next("chat.history");
    m.send({ type: "chat.read", upTo: first.id });
    await until("the marker moved", async () => (await unreadOf(member)) === 2);

    const admin = await newAdmin();
    await admin.client.admin.moderation.deleteChatMessage.mutate({
      groupBuyId: gb.id,
      messageId: second.id,
      reason: "중복 안내",
    });
    expect(await unreadOf(member)).toBe(1);
    m.send({ type: "chat.read", upTo: third.id });
    await until("all read", async () => (await unreadOf(member)) === 0);
    m.ws.close();
  });

  it(`stops counting at ${CHAT_UNREAD_CAP}`, async () => {
    const { gb, member } = await roomWithPeople();
    await runInDurableObject(room(gb.id), async (_room, state) => {
      const chat = new RoomChat(state.storage.sql, () => 0);
      for (let i = 0; i <= CHAT_UNREAD_CAP; i++)
        chat.post({ userId: `U${i}`, displayName: "이웃" }, `${i}`, Date.now());
    });
    const [item] = (await member.api.groupBuys.mine.query({ limit: 1 })).items;
    expect(item).toMatchObject({ id: gb.id, unread: CHAT_UNREAD_CAP });
  });
});
