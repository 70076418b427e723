import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { ChatMessage } from "../../shared/chat";
import { roomPath, type ServerFrame, serverFrameSchema } from "../../shared/protocol";
import { key, newResident, openBuy, type Person, until } from "./groupbuy-helpers";
import { BASE } from "./helpers";

export function upgrade(id: string, headers: Record<string, string>, query = "") {
  return exports.default.fetch(
    new Request(new URL(`${roomPath(id)}${query}`, BASE), { headers: { upgrade: "websocket", ...headers } }),
  );
}

/** A room socket that records every frame, each validated against the shared protocol. */
export async function connect(id: string, who: Person | { query: string }) {
  const res =
    "token" in who ? await upgrade(id, { authorization: `Bearer ${who.token}` }) : await upgrade(id, {}, who.query);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: ServerFrame[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.addEventListener("message", (e) => {
    frames.push(serverFrameSchema.parse(JSON.parse(String(e.data))));
  });
  ws.addEventListener("close", (e) => {
    closed = { code: e.code, reason: e.reason };
  });
  ws.accept();
  const next = <T extends ServerFrame["type"]>(type: T, after = 0) =>
    until(`a ${type} frame`, async () => frames.slice(after).find((f) => f.type === type), 5_000) as Promise<
      Extract<ServerFrame, { type: T }>
    >;
  /** Every chat message this socket has been sent so far (history + live), by id. */
  const messages = () => {
    const all = new Map<number, ChatMessage>();
    for (const f of frames) {
      if (f.type === "chat.history" || f.type === "chat.messages") for (const m of f.messages) all.set(m.id, m);
    }
    return [...all.values()].sort((a, b) => a.id - b.id);
  };
  const send = (frame: unknown) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  return { ws, frames, next, messages, send, closed: () => closed };
}

/** An OPEN buy with a member (joined), its seller and a verified neighbour who only reads. */
export async function roomWithPeople() {
  const { region, gb, seller } = await openBuy({ totalShares: 10 });
  const member = await newResident(region);
  await member.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
  const reader = await newResident(region, 0);
  return { region, gb, seller, member, reader };
}

export const texts = (ms: ChatMessage[]) => ms.filter((m) => m.kind === "user").map((m) => m.text);
