import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { connectRoom, createGongguClient, gongguErrorOf, type WebSocketLike } from "gonggu/sdk";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES, roomPath } from "../../shared/protocol";
import { MAX_ROOM_SOCKETS, MAX_ROOM_SOCKETS_PER_USER } from "../../worker/durable/roomSockets";
import { newResident, openBuy, room, until } from "./groupbuy-helpers";
import { BASE, errorOf } from "./helpers";

type Capped = { socketCap: number };

/** Lowers the live room object's socket cap to `cap`; returns the cap it had. */
const capRoom = (groupBuyId: string, cap: number) =>
  runInDurableObject(room(groupBuyId), (instance) => {
    const capped = instance as unknown as Capped;
    const before = capped.socketCap;
    capped.socketCap = cap;
    return before;
  });

type Listener = (event: never) => void;
/**
 * A WebSocket as a browser or Node has one, over the worker's own fetch (no network in workerd): a refused upgrade
 * only fails, with 1006 and nothing to read, as it does there.
 */
class WorkerWebSocket implements WebSocketLike {
  readyState = 0;
  private ws: WebSocket | null = null;
  private readonly listeners: Record<string, Listener[]> = { open: [], message: [], close: [], error: [] };
  constructor(url: string) {
    const request = new Request(url.replace(/^ws/, "http"), { headers: { upgrade: "websocket" } });
    void exports.default.fetch(request).then((res) => {
      if (!res.webSocket) {
        this.readyState = 3;
        this.emit("error", {});
        return this.emit("close", { code: 1006, reason: "" });
      }
      const ws = res.webSocket;
      this.ws = ws;
      ws.accept();
      this.readyState = 1;
      ws.addEventListener("message", (e) => this.emit("message", { data: e.data }));
      ws.addEventListener("close", (e) => {
        this.readyState = 3;
        this.emit("close", { code: e.code, reason: e.reason });
      });
      this.emit("open", {});
    });
  }
  addEventListener(type: "open" | "message" | "close" | "error", listener: Listener) {
    this.listeners[type].push(listener);
  }
  send(data: string) {
    this.ws?.send(data);
  }
  close(code?: number, reason?: string) {
    this.ws?.close(code, reason);
  }
  private emit(type: string, event: object) {
    for (const listener of this.listeners[type]) (listener as (e: object) => void)(event);
  }
}

/**
 * A group buy's room takes at most MAX_ROOM_SOCKETS sockets (its fan-out bound). Filling a room for real took 52 s for
 * 5,000 sockets at load 10, so the test lowers the cap of the live room object (its `socketCap` field) and opens
 * sockets through the real route, as a browser does.
 */
describe("the room's socket cap", () => {
  it("refuses the socket past the cap with 503 before the upgrade, and takes one again once a socket left", async () => {
    const { region, gb } = await openBuy();
    const resident = await newResident(region, 0);
    const upgrade = () =>
      exports.default.fetch(
        new Request(new URL(roomPath(gb.id), BASE), {
          headers: { upgrade: "websocket", authorization: `Bearer ${resident.token}` },
        }),
      );
    const CAP = 3;
    const cap = await capRoom(gb.id, CAP);
    expect(cap).toBe(MAX_ROOM_SOCKETS);
    expect(MAX_ROOM_SOCKETS).toBe(5_000);

    const sockets: WebSocket[] = [];
    for (let i = 0; i < CAP; i++) {
      const res = await upgrade();
      expect(res.status).toBe(101);
      res.webSocket!.accept();
      sockets.push(res.webSocket!);
    }
    // one past the cap: a plain HTTP answer and no socket (a client sees its handshake fail with this status)
    const refused = await upgrade();
    expect(refused.status).toBe(503);
    expect(refused.webSocket).toBeNull();
    // in the shape of the route's other refusals, with a reason clients word
    expect(await refused.json()).toEqual({
      error: {
        code: "SERVICE_UNAVAILABLE",
        message: "This room is full right now; try again in a minute.",
        details: { reason: "room_full" },
      },
    });
    // a browser cannot read that answer: rooms.knock says the same over HTTP (the SPA asks it after a failed upgrade)
    const knocked = await errorOf(resident.api.rooms.knock.query({ id: gb.id }));
    expect(knocked).toMatchObject({ code: "SERVICE_UNAVAILABLE", details: { reason: "room_full" } });

    // a socket that leaves makes room for the next one
    sockets.pop()?.close(1000, "bye");
    const next = await until("a free place in the room", async () => {
      const res = await upgrade();
      if (res.status === 101) return res;
      expect(res.status).toBe(503);
      return null;
    });
    next.webSocket!.accept();
    sockets.push(next.webSocket!);
    expect((await upgrade()).status).toBe(503);
    sockets.pop()?.close(1000, "bye");
    await until("rooms.knock lets them in again", async () =>
      resident.api.rooms.knock.query({ id: gb.id }).then(
        (answer) => answer.ok,
        () => false,
      ),
    );
    for (const ws of sockets) ws.close(1000, "done");
  });

  it(`one person holds at most ${MAX_ROOM_SOCKETS_PER_USER} sockets in a room: one more lets their oldest go (4008)`, async () => {
    const { region, gb } = await openBuy();
    const resident = await newResident(region, 0);
    const closes = new Map<WebSocket, number>();
    const sockets: WebSocket[] = [];
    for (let i = 0; i <= MAX_ROOM_SOCKETS_PER_USER; i++) {
      const res = await exports.default.fetch(
        new Request(new URL(roomPath(gb.id), BASE), {
          headers: { upgrade: "websocket", authorization: `Bearer ${resident.token}` },
        }),
      );
      expect(res.status).toBe(101);
      const ws = res.webSocket!;
      ws.addEventListener("close", (e) => closes.set(ws, e.code));
      ws.accept();
      sockets.push(ws);
    }
    await until("the oldest socket let go", async () => closes.get(sockets[0]) === CLOSE_CODES.tooMany);
    expect([...closes.keys()]).toEqual([sockets[0]]);
    for (const ws of sockets.slice(1)) ws.close(1000, "done");
  });

  it("the SDK's connectRoom rejects with a typed room_full refusal (SERVICE_UNAVAILABLE) while the room is full", async () => {
    const { region, gb } = await openBuy();
    const resident = await newResident(region, 0);
    const workerFetch: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));
    const sdk = createGongguClient({ url: BASE, token: resident.token, fetch: workerFetch });
    const options = { groupBuyId: gb.id, WebSocket: WorkerWebSocket, reconnect: false } as const;
    await capRoom(gb.id, 0);
    const refused = gongguErrorOf(await connectRoom(sdk, options).catch((e) => e));
    expect(refused).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503, reason: "room_full" });

    await capRoom(gb.id, MAX_ROOM_SOCKETS);
    const inside = await connectRoom(sdk, options);
    expect(inside.snapshot.groupBuyId).toBe(gb.id);
    await inside.close();
  });
});
