import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roomPath } from "../../shared/protocol";
import { MAX_ROOM_SOCKETS } from "../../worker/durable/roomSockets";
import { newResident, openBuy, room, until } from "./groupbuy-helpers";
import { BASE } from "./helpers";

type Capped = { socketCap: number };

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
    const cap = await runInDurableObject(room(gb.id), (instance) => {
      const capped = instance as unknown as Capped;
      const product = capped.socketCap;
      capped.socketCap = CAP;
      return product;
    });
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
    expect(await refused.text()).toBe("This room is full right now; try again in a minute.");

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
    for (const ws of sockets) ws.close(1000, "done");
  });
});
