import { evictDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roomPath, type ServerFrame, serverFrameSchema } from "../../shared/protocol";
import { encodeRoomIdentity, ROOM_IDENTITY_HEADER } from "../../worker/durable/roomIdentity";
import { key, newRegion, newResident, newSeller, openBuy, room, until } from "./groupbuy-helpers";
import { BASE } from "./helpers";
import { checkLedgerAfterEachTest } from "./ledger-invariants";

function upgrade(id: string, headers: Record<string, string>) {
  return exports.default.fetch(
    new Request(new URL(roomPath(id), BASE), { headers: { upgrade: "websocket", ...headers } }),
  );
}

/** Opens a room socket and records every frame (validated against the shared protocol schema). */
async function connect(id: string, token: string, extra: Record<string, string> = {}) {
  const res = await upgrade(id, { authorization: `Bearer ${token}`, ...extra });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: ServerFrame[] = [];
  // a block: a handler that returns push()'s count makes workerd warn ("An event handler returned a value …")
  ws.addEventListener("message", (e) => {
    frames.push(serverFrameSchema.parse(JSON.parse(String(e.data))));
  });
  ws.accept();
  const next = (type: ServerFrame["type"], after = 0) =>
    until(`a ${type} frame`, async () => frames.slice(after).find((f) => f.type === type), 5_000);
  return { ws, frames, next };
}

// Issue 5: the ledger invariants hold after every test (each book the test wrote to).
checkLedgerAfterEachTest();

describe("the room socket", { timeout: 30_000 }, () => {
  it("authenticates before the upgrade and never trusts a client-sent identity", async () => {
    const { region, gb } = await openBuy();
    const resident = await newResident(region, 0);
    expect((await upgrade(gb.id, {})).status).toBe(401);
    expect(
      (
        await upgrade(gb.id, {
          cookie: "__Host-gonggu_session=nope-nope-nope-nope-nope",
          origin: "https://evil.example",
        })
      ).status,
    ).toBe(403);
    const outsider = await newResident(await newRegion(), 0);
    expect((await upgrade(gb.id, { authorization: `Bearer ${outsider.token}` })).status).toBe(403);
    expect((await upgrade("not-an-id", { authorization: `Bearer ${resident.token}` })).status).toBe(400);
    const plain = await exports.default.fetch(new Request(new URL(roomPath(gb.id), BASE)));
    expect(plain.status).toBe(426);
    const forged = encodeRoomIdentity({
      groupBuyId: gb.id,
      userId: outsider.id,
      displayName: "x",
      role: "admin",
      access: "staff",
      connectedAt: 0,
    });
    const { ws, next } = await connect(gb.id, resident.token, { [ROOM_IDENTITY_HEADER]: forged });
    const snapshot = await next("snapshot");
    expect(snapshot).toMatchObject({ type: "snapshot", you: { userId: resident.id } });
    ws.close();
  });

  it("sends a snapshot, then fill and state frames as people join and the seller cancels", async () => {
    const { region, gb, seller } = await openBuy({ totalShares: 10 });
    const watcher = await newResident(region, 0);
    const buyer = await newResident(region);
    const { ws, frames, next } = await connect(gb.id, watcher.token);
    const snapshot = await next("snapshot");
    expect(snapshot).toMatchObject({ status: "OPEN", fill: { totalShares: 10, takenShares: 0 }, pricePerShare: 5_000 });
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 3, idempotencyKey: key() });
    const fill = await next("fill");
    expect(fill).toMatchObject({ fill: { confirmedShares: 3, remainingShares: 7, participantCount: 1 } });
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "판매자 사정으로 취소" });
    expect(await next("state")).toMatchObject({ status: "CANCELLED", reason: "판매자 사정으로 취소" });
    // the one error is the room letting this read-only neighbour go now that the buy is closed, with its reason
    const errors = frames.filter((f) => f.type === "error");
    expect(errors.every((f) => f.type === "error" && f.details?.reason === "room_closed")).toBe(true);
    expect(errors.length).toBeLessThanOrEqual(1);
    ws.close();
  });

  it("answers malformed, unknown and oversized frames with an error frame and keeps the room alive", async () => {
    const { region, gb } = await openBuy();
    const me = await newResident(region, 0);
    const { ws, frames, next } = await connect(gb.id, me.token);
    await next("snapshot");
    ws.send("not json");
    ws.send(JSON.stringify({ type: "chat.nope", text: "unknown type" }));
    ws.send(JSON.stringify({ type: "sync", extra: "x".repeat(9_000) })); // over MAX_CLIENT_FRAME_BYTES
    await until("three error frames", async () => frames.filter((f) => f.type === "error").length === 3, 5_000);
    const count = frames.length;
    ws.send(JSON.stringify({ type: "sync" }));
    expect(await next("snapshot", count)).toMatchObject({ type: "snapshot" });
    ws.send(JSON.stringify({ type: "ping" }));
    expect(await next("pong")).toEqual({ type: "pong" });
    ws.close();
  });

  it("keeps delivering after the object is evicted (hibernation)", async () => {
    const { region, gb } = await openBuy();
    const watcher = await newResident(region, 0);
    const buyer = await newResident(region);
    const { ws, frames, next } = await connect(gb.id, watcher.token);
    await next("snapshot");
    await evictDurableObject(room(gb.id));
    const count = frames.length;
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    expect(await next("fill", count)).toMatchObject({ fill: { confirmedShares: 1 } });
    ws.send(JSON.stringify({ type: "sync" }));
    expect(await next("snapshot", count)).toMatchObject({ you: { userId: watcher.id, shares: 0 } });
    ws.close();
  });

  it("lets the seller in and tells members their own shares", async () => {
    const { region, gb, seller } = await openBuy();
    const buyer = await newResident(region);
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    const s = await connect(gb.id, seller.token);
    expect(await s.next("snapshot")).toMatchObject({ you: { userId: seller.id, shares: 0 } });
    const b = await connect(gb.id, buyer.token);
    expect(await b.next("snapshot")).toMatchObject({ you: { userId: buyer.id, shares: 2 } });
    s.ws.close();
    b.ws.close();
    const stranger = await newSeller();
    expect((await upgrade(gb.id, { authorization: `Bearer ${stranger.token}` })).status).toBe(403);
  });
});
