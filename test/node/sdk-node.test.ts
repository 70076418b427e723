import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomClientIp } from "../../scripts/lib/clientIp.ts";
import { runSdkExample } from "../../scripts/sdk-example.ts";
import { DEMO_ADMIN, DEMO_PASSWORD, DEMO_REGIONS, DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import {
  connectRoom,
  createGongguClient,
  type GongguClient,
  gongguErrorOf,
  isGongguError,
  newIdempotencyKey,
  type Room,
  type RoomConnection,
} from "../../shared/sdk.ts";
import { offerInSeogyo } from "../browser/lib/offers.ts";

const run = promisify(execFile);

// Vitest resolves imports more leniently than Node does; this proves plain Node 22 can load the SDK the way the README
// runs it (`node scripts/sdk-example.ts <url>`): package self-reference, type stripping, explicit .ts extensions.
describe("SDK in plain Node", () => {
  it("loads gonggu/sdk and scripts/sdk-example.ts without a bundler", async () => {
    const code = `
      const sdk = await import("gonggu/sdk");
      const example = await import("./scripts/sdk-example.ts");
      console.log(typeof sdk.createGongguClient, typeof sdk.connectRoom, typeof example.runSdkExample);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code], { cwd: process.cwd() });
    expect(stdout.trim()).toBe("function function function");
  });

  it("README's SDK section shows scripts/sdk-example.ts as it is", () => {
    const readme = readFileSync("README.md", "utf8");
    const shown = readme.split("<!-- scripts/sdk-example.ts -->\n```ts\n")[1]?.split("\n```\n")[0];
    expect(`${shown}\n`).toBe(readFileSync("scripts/sdk-example.ts", "utf8"));
  });
});

/** Waits until the run's app server (test/node/sdk-setup.ts) answers. */
async function serverReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const health = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (health?.ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs / 1000}s; see test-results/browser-server.log`);
}

// The SDK against a real `wrangler dev` with the demo data (the run's app server: temp state, migrations, seed), over
// real HTTP and WebSockets: nothing of ours is mocked. The server is the browser files' (test/node/sdk-setup.ts), so
// every test here makes its own buyers and group buys: what those files changed in the demo data cannot move it.
describe("SDK against wrangler dev", () => {
  const url = inject("sdkUrl");
  const rooms: Room[] = [];

  beforeAll(() => serverReady(url, 180_000), 180_000);
  afterAll(async () => {
    await Promise.all(rooms.map((r) => r.close()));
  }, 30_000);

  async function logIn(email: string, password = DEMO_PASSWORD): Promise<GongguClient> {
    const { token } = await createGongguClient({ url }).auth.login.mutate({ email, password, tokenKind: "bearer" });
    return createGongguClient({ url, token: token ?? undefined });
  }

  /**
   * A fresh buyer verified in `region` (default 서교동, the demo sellers' neighbourhood), with `points` granted by the
   * admin. Signed up from an address of its own: sign-ups are limited per network, and the browser files sign up from
   * this server's 127.0.0.1 too.
   */
  async function neighbour(name: string, points: number, region: (typeof DEMO_REGIONS)[number] = DEMO_REGIONS[0]) {
    const email = `sdk-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@gonggu.test`;
    const newcomer = createGongguClient({ url, headers: { "cf-connecting-ip": randomClientIp() } });
    const { user } = await newcomer.auth.signup.mutate({ email, password: DEMO_PASSWORD, displayName: name });
    const sdk = await logIn(email);
    await sdk.regions.verify.mutate({ regionId: region.id, lat: region.lat, lng: region.lng });
    if (points > 0) {
      const admin = await logIn(DEMO_ADMIN.email);
      await admin.admin.wallet.grant.mutate({
        userId: user.id,
        amount: points,
        reason: "SDK test points",
        idempotencyKey: newIdempotencyKey(),
      });
    }
    return { id: user.id, email, sdk };
  }

  /** A new 4-share group buy (at most 2 a person) by the demo seller in 서교동: 10,000 won a share. */
  async function smallOffer() {
    const seller = await logIn(DEMO_SELLERS[0].email);
    const product = { title: `SDK 사과 ${Date.now()}`, totalQuantity: 4, unit: "kg", totalPrice: 40_000 };
    const offer = await offerInSeogyo(
      seller,
      { ...product, category: "fresh" },
      { totalShares: 4, minShares: 2, maxPerPerson: 2 },
    );
    return offer.groupBuy;
  }

  const join = (sdk: GongguClient, id: string, shares = 1) =>
    sdk.groupBuys.join.mutate({ id, shares, idempotencyKey: newIdempotencyKey() });

  async function open(sdk: GongguClient, groupBuyId: string, options = {}) {
    const room = await connectRoom(sdk, { groupBuyId, ...options });
    rooms.push(room);
    return room;
  }

  it("runs the README example (scripts/sdk-example.ts) on the demo data", async () => {
    // as a demo buyer would (no points: it tops up with a card), on the neighbourhood's newest buy: its own
    const gb = await smallOffer();
    const buyer = await neighbour("예제", 0);
    const lines: string[] = [];
    const result = await runSdkExample(url, { email: buyer.email, log: (line) => lines.push(line) });
    expect(result.groupBuyId).toBe(gb.id);
    expect(result.refusal).toMatchObject({ code: "PRECONDITION_FAILED", reason: "max_per_person" });
    expect(result.joined).toMatchObject({ shares: 1, replay: false });
    expect(result.retried).toMatchObject({ replay: true, holdId: result.joined.holdId });
    expect(result.fill).toEqual(result.startFill); // left again: the room's numbers are back where they started
    expect(lines.some((l) => /^ {2}live: \d+\/\d+ taken/.test(l))).toBe(true); // fill updates from the room
    expect(lines.at(-1)).toBe("Room closed");

    // as a developer runs it: `node scripts/sdk-example.ts` with GONGGU_URL, and it exits once done
    const again = await neighbour("예제2", 0);
    const env = { ...process.env, GONGGU_URL: url, GONGGU_EMAIL: again.email, GONGGU_PASSWORD: DEMO_PASSWORD };
    const { stdout } = await run(process.execPath, ["scripts/sdk-example.ts"], { env, timeout: 30_000 });
    expect(stdout).toContain(`Gonggu at ${url}`);
    expect(stdout).toMatch(/Same join retried: replay=true, same hold: true\n[\s\S]*Room closed\n$/);
  }, 60_000);

  it("connectRoom: snapshot, a neighbour's join live, chat both ways, typed refusals, a clean close", async () => {
    const gb = await smallOffer();
    const alice = await neighbour("앨리스", 50_000);
    const bob = await neighbour("보람", 50_000);
    await join(alice.sdk, gb.id);

    const aliceRoom = await open(alice.sdk, gb.id);
    expect(aliceRoom.snapshot).toMatchObject({
      type: "snapshot",
      groupBuyId: gb.id,
      status: "OPEN",
      pricePerShare: 10_000,
      you: { userId: alice.id, shares: 1 },
      fill: { totalShares: 4, confirmedShares: 1, remainingShares: 3, participantCount: 1 },
    });
    const bobRoom = await open(bob.sdk, gb.id); // a verified neighbour reads an OPEN buy's room
    expect(bobRoom.snapshot.you).toEqual({ userId: bob.id, shares: 0 });

    // readers may not post: the room's refusal comes back typed
    const forbidden = await bobRoom.chat("저도 살래요").catch((e: unknown) => e);
    expect(isGongguError(forbidden, "FORBIDDEN")).toBe(true);
    const refusedFrame = bobRoom.next("error"); // a raw chat.send's refusal is an event
    bobRoom.send({ type: "chat.send", text: "저요" });
    expect((await refusedFrame).info).toMatchObject({ code: "FORBIDDEN", httpStatus: null, requestId: null });

    const filled = aliceRoom.next("fill", (f) => f.confirmedShares === 2);
    await join(bob.sdk, gb.id);
    expect(await filled).toMatchObject({ confirmedShares: 2, remainingShares: 2, participantCount: 2 });
    expect(aliceRoom.snapshot.fill.confirmedShares).toBe(2);

    const heard = bobRoom.next("messages", (m) => m.some((line) => line.text === "사과 같이 사요"));
    const { id } = await aliceRoom.chat("사과 같이 사요");
    const line = (await heard).find((l) => l.text === "사과 같이 사요");
    expect(line).toMatchObject({ id, kind: "user", userId: alice.id, displayName: "앨리스" });

    // a malformed send fails before it leaves, typed like the API's bad input (the room would refuse it too)
    const empty = gongguErrorOf(await aliceRoom.chat("   ").catch((e: unknown) => e));
    expect(empty).toMatchObject({ code: "BAD_REQUEST", issues: [{ path: "text", code: "too_small" }] });
    expect(empty?.zodError?.fieldErrors).toHaveProperty("text");
    const unknownFrame = () => aliceRoom.send({ type: "chat.shout" } as never);
    expect(unknownFrame).toThrow(/Invalid frame/);

    // the per-person chat rate (5 in 10 s): the room's TOO_MANY_REQUESTS says when to try again
    const sends = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => aliceRoom.chat(`메시지 ${n}`)));
    const limited = sends.find((s) => s.status === "rejected");
    expect(limited && gongguErrorOf(limited.reason)).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(gongguErrorOf(limited?.status === "rejected" ? limited.reason : null)?.retryAfterSeconds).toBeGreaterThan(0);
    expect(sends.filter((s) => s.status === "fulfilled")).toHaveLength(4); // one before + four = five

    const soldOut = aliceRoom.next("state", (s) => s.status === "FILLED");
    await join(alice.sdk, gb.id);
    await join(bob.sdk, gb.id);
    expect(await soldOut).toEqual({ status: "FILLED", reason: null });

    const connection: RoomConnection[] = [];
    aliceRoom.on("connection", (c) => connection.push(c));
    await aliceRoom.close();
    expect(aliceRoom.connected).toBe(false);
    expect(connection).toEqual([{ state: "closed", code: 1000, error: null }]);
    await expect(aliceRoom.chat("아직 있나요")).rejects.toThrow(/Not connected/);
  }, 60_000);

  it("connectRoom reconnects with a fresh ticket and resyncs from the new snapshot", async () => {
    const gb = await smallOffer();
    const alice = await neighbour("재접속", 50_000);
    const bob = await neighbour("이웃", 50_000);
    const sockets: WebSocket[] = [];
    class Tracked extends WebSocket {
      constructor(address: string) {
        super(address);
        sockets.push(this);
      }
    }
    const room = await open(alice.sdk, gb.id, { WebSocket: Tracked, reconnect: { initialDelayMs: 300 } });
    const events: RoomConnection["state"][] = [];
    room.on("connection", (c) => events.push(c.state));
    expect(room.snapshot.fill.confirmedShares).toBe(0);

    // the socket drops; while it is down a neighbour joins, and the fresh snapshot brings it in
    const resynced = room.next("snapshot", (s) => s.fill.confirmedShares === 1, 15_000);
    sockets[0].close();
    await join(bob.sdk, gb.id);
    await resynced;
    expect(events).toEqual(["reconnecting", "open"]);
    expect(sockets).toHaveLength(2);
    expect(room.connected).toBe(true);
    expect(room.snapshot.fill).toMatchObject({ confirmedShares: 1, participantCount: 1 });
  }, 60_000);

  it("gongguErrorOf types the server's refusals: sold out, not enough points, bad input, no access", async () => {
    const gb = await smallOffer();
    const [a, b] = [await neighbour("가람", 50_000), await neighbour("나래", 50_000)];
    const broke = await neighbour("빈지갑", 0);

    const poor = gongguErrorOf(await join(broke.sdk, gb.id).catch((e: unknown) => e));
    expect(poor).toMatchObject({
      code: "PRECONDITION_FAILED",
      httpStatus: 412,
      reason: "insufficient_points",
      details: { reason: "insufficient_points", shortfall: 10_000 },
      zodError: null,
      retryAfterSeconds: null,
    });
    expect(poor?.requestId).toMatch(/^[0-9A-Z]{26}$/);

    const tooMany = gongguErrorOf(await join(a.sdk, gb.id, 3).catch((e: unknown) => e));
    expect(tooMany).toMatchObject({ reason: "max_per_person", details: { max: 2, current: 0 } });

    await join(a.sdk, gb.id, 2);
    await join(b.sdk, gb.id, 2);
    const soldOut = gongguErrorOf(await join(broke.sdk, gb.id).catch((e: unknown) => e));
    expect(soldOut).toMatchObject({ code: "CONFLICT", httpStatus: 409, reason: "sold_out" });
    expect(isGongguError(await join(b.sdk, gb.id).catch((e: unknown) => e), "CONFLICT")).toBe(true);

    const bad = gongguErrorOf(
      await a.sdk.groupBuys.join.mutate({ id: gb.id, shares: 0, idempotencyKey: "x" }).catch((e: unknown) => e),
    );
    expect(bad).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400, reason: null, details: null });
    expect(Object.keys(bad?.zodError?.fieldErrors ?? {}).sort()).toEqual(["idempotencyKey", "shares"]);
    expect(bad?.issues?.map((i) => i.code)).toEqual(["too_small", "too_small"]);

    // a room you may not enter: the ticket's refusal rejects connectRoom with the same typed error
    const stranger = await neighbour("역삼", 0, DEMO_REGIONS[3]); // 역삼동, not this buy's neighbourhood
    const refused = gongguErrorOf(await connectRoom(stranger.sdk, { groupBuyId: gb.id }).catch((e: unknown) => e));
    expect(refused).toMatchObject({ code: "FORBIDDEN", httpStatus: 403 });

    expect(gongguErrorOf(new Error("not ours"))).toBeNull();
    expect(isGongguError(new Error("not ours"))).toBe(false);
  }, 60_000);

  it("newIdempotencyKey: a retried join with the same key is a replay, a new key is a new join", async () => {
    const gb = await smallOffer();
    const a = await neighbour("재시도", 50_000);
    const key = newIdempotencyKey();
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    const first = await a.sdk.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key });
    const again = await a.sdk.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key });
    expect(again).toMatchObject({ replay: true, holdId: first.holdId, fill: { confirmedShares: 1 } });
    const second = await join(a.sdk, gb.id);
    expect(second).toMatchObject({ replay: false, fill: { confirmedShares: 2 } });
  }, 60_000);
});
