import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CHAT_TYPING } from "../../shared/chat";
import { connect, roomWithPeople } from "./chat-sockets";
import { key, newResident, until } from "./groupbuy-helpers";

const typingFrames = (c: Awaited<ReturnType<typeof connect>>) => c.frames.filter((f) => f.type === "chat.typing");
const nameOf = async (id: string) =>
  (await env.DB.prepare("SELECT display_name AS n FROM users WHERE id = ?").bind(id).first<{ n: string }>())?.n;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("chat typing indicator", { timeout: 30_000 }, () => {
  it("announces a member typing to everyone, once per interval, and never stores it", async () => {
    const { gb, member, seller, reader } = await roomWithPeople();
    const m = await connect(gb.id, member);
    const s = await connect(gb.id, seller);
    const r = await connect(gb.id, reader);
    for (const c of [m, s, r]) await c.next("chat.history");

    // read before the first keystroke: the repeats below must come inside the member's interval (3 s), and a D1 read
    // between them stretched that gap on a loaded machine
    const people = [{ userId: member.id, displayName: await nameOf(member.id) }];
    m.send({ type: "chat.typing" });
    for (const c of [s, r]) expect(await c.next("chat.typing")).toEqual({ type: "chat.typing", people });
    // a client that keeps saying so is announced once per CHAT_TYPING.userIntervalMs, and nothing is answered
    for (let i = 0; i < 5; i++) m.send({ type: "chat.typing" });
    await pause(CHAT_TYPING.roomIntervalMs + 200);
    expect(typingFrames(s)).toHaveLength(1);
    expect(m.frames.some((f) => f.type === "error")).toBe(false);

    // a read-only neighbour cannot post, so their typing is not passed on
    r.send({ type: "chat.typing" });
    await pause(CHAT_TYPING.roomIntervalMs + 200);
    expect(typingFrames(s)).toHaveLength(1);

    const page = await member.api.rooms.history.query({ id: gb.id });
    expect(page.messages.every((x) => x.kind === "system")).toBe(true); // only the join lines
    for (const c of [m, s, r]) c.ws.close();
  });

  it("gathers several people into one frame per room interval; a sent message ends the limit", async () => {
    const { gb, region, member, seller } = await roomWithPeople();
    const second = await newResident(region);
    await second.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const m = await connect(gb.id, member);
    const two = await connect(gb.id, second);
    const s = await connect(gb.id, seller);
    for (const c of [m, two, s]) await c.next("chat.history");

    const everyone = [
      { userId: member.id, displayName: await nameOf(member.id) },
      { userId: second.id, displayName: await nameOf(second.id) },
      { userId: seller.id, displayName: await nameOf(seller.id) },
    ];
    // Sent back to back, so all three reach the room within the interval its first frame opens, however loaded the
    // machine is: whoever the room reads first goes out at once (the room was quiet), the other two wait for the next
    // frame. That they share one frame, and do not each get their own, is the gathering; no clock window decides it.
    const sentAt = Date.now();
    for (const c of [m, two, s]) c.send({ type: "chat.typing" });
    await until("the gathered frame", async () => typingFrames(m).length >= 2);
    // and it went out no sooner than one room interval after the first (a lower bound: load only makes it later)
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(CHAT_TYPING.roomIntervalMs - 50);
    const frames = typingFrames(m);
    expect(frames.map((f) => f.people.length)).toEqual([1, 2]);
    expect(frames.flatMap((f) => f.people)).toEqual(expect.arrayContaining(everyone));

    // after sending a message, the member's next keystroke is announced again without waiting out their interval
    m.send({ type: "chat.send", text: "곧 갈게요" });
    await m.next("chat.ack");
    m.send({ type: "chat.typing" });
    await until("the member announced again", async () =>
      typingFrames(s)
        .slice(2)
        .some((f) => f.people.some((p) => p.userId === member.id)),
    );
    for (const c of [m, two, s]) c.ws.close();
  });
});
