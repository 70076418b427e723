import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/chat";
import type { RoomChat } from "../../worker/durable/chat";
import { FANOUT_GROUPS, FanoutGroups, isFanoutTag } from "../../worker/durable/chatFanout";
import { connect, roomWithPeople } from "./chat-sockets";
import { room, until } from "./groupbuy-helpers";

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
      // a fresh instance after the deploy: it has not listed the sockets of each group yet
      const room = instance as unknown as { chat: RoomChat; groups: FanoutGroups };
      room.groups = new FanoutGroups(state);
      const chat = room.chat;
      chat.post({ userId: member.id, displayName: "이웃" }, "배포 전부터 연결된 소켓", Date.now());
      for (let i = 0; i < 100 && texts.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      client.close();
      return texts;
    });
    expect(received).toEqual(["배포 전부터 연결된 소켓"]);
  });

  it("keeps its own lists of each group's sockets current: newcomers fill the smallest group, closed sockets leave", async () => {
    const { gb, member, seller, reader } = await roomWithPeople();
    const sockets = [];
    for (const who of [member, seller, reader, member, seller]) {
      const s = await connect(gb.id, who);
      await s.next("chat.history");
      sockets.push(s);
    }
    type Lists = { groups: { of(g: number): WebSocket[] } };
    const sizes = () =>
      runInDurableObject(room(gb.id), async (instance, state) => {
        const lists = Array.from({ length: FANOUT_GROUPS }, (_, g) => (instance as unknown as Lists).groups.of(g));
        const listed = lists.flat();
        const runtime = state.getWebSockets();
        // the same sockets the runtime holds, each once and in the group its tag names
        expect(new Set(listed)).toEqual(new Set(runtime));
        expect(listed).toHaveLength(runtime.length);
        lists.forEach((list, g) => {
          for (const ws of list) expect(state.getTags(ws)).toContain(`fanout:${g}`);
        });
        return lists.map((l) => l.length);
      });
    /** Group sizes: the first ones as given, every other group empty. */
    const groupsOf = (...first: number[]) => [...first, ...Array(FANOUT_GROUPS - first.length).fill(0)];
    expect(await sizes()).toEqual(groupsOf(1, 1, 1, 1, 1));
    sockets[1].ws.close(1000, "bye");
    sockets[3].ws.close(1000, "bye");
    await until("the room handled both closes", async () => {
      const n = await runInDurableObject(room(gb.id), async (_i, state) => state.getWebSockets().length);
      return n === 3;
    });
    expect(await sizes()).toEqual(groupsOf(1, 0, 1, 0, 1));
    const newcomer = await connect(gb.id, reader);
    await newcomer.next("chat.history");
    expect(await sizes()).toEqual(groupsOf(1, 1, 1, 0, 1)); // the first of the smallest groups
    // and chat still reaches exactly the open sockets
    newcomer.send({ type: "chat.send", text: "hi" });
    sockets[0].send({ type: "chat.send", text: "새 목록으로" });
    for (const s of [sockets[0], sockets[2], sockets[4], newcomer]) {
      await until("the message", async () => s.messages().some((m) => m.text === "새 목록으로"));
    }
  });
});
