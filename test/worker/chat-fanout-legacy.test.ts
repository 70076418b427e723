import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/chat";
import type { RoomChat } from "../../worker/durable/chat";
import { isFanoutTag } from "../../worker/durable/chatFanout";
import { roomWithPeople } from "./chat-sockets";
import { room } from "./groupbuy-helpers";

describe("chat fan-out groups", () => {
  it("still reaches a socket accepted before fan-out groups existed (no group tag)", async () => {
    const { gb, member } = await roomWithPeople();
    const received = await runInDurableObject(room(gb.id), async (instance, state) => {
      // as an older deploy accepted it: only the user tag
      const [client, server] = Object.values(new WebSocketPair());
      state.acceptWebSocket(server, [`user:${member.id}`]);
      expect(state.getTags(server).some(isFanoutTag)).toBe(false);
      const texts: string[] = [];
      client.accept();
      client.addEventListener("message", (e) => {
        const frame = JSON.parse(String(e.data)) as { type: string; messages?: ChatMessage[] };
        for (const m of frame.messages ?? []) if (m.text) texts.push(m.text);
      });
      // a fresh instance after the deploy: it has not looked for untagged sockets yet
      const room = instance as unknown as { chat: RoomChat; untagged: WebSocket[] | null };
      room.untagged = null;
      const chat = room.chat;
      chat.post({ userId: member.id, displayName: "이웃" }, "배포 전부터 연결된 소켓", Date.now());
      for (let i = 0; i < 100 && texts.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      client.close();
      return texts;
    });
    expect(received).toEqual(["배포 전부터 연결된 소켓"]);
  });
});
