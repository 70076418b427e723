import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { roomPath } from "../../shared/protocol";
import { issueSocketTicket } from "../../worker/accounts/socketAuth";
import { notifications } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { callApi } from "./api";
import { createFixtures, type Fixtures, type FixtureUser, ROLES, type Role, tokenFor } from "./fixtures";
import { fixtureBuy, makeResident } from "./groupbuy-fixtures";
import { BASE } from "./helpers";
import {
  CAN_OWN,
  ensureOtherRegion,
  IDOR_TABLE,
  type IdorOutcome,
  OTHER_REGION,
  otherOwner,
  type Scope,
} from "./idor-table";
import { listProcedures } from "./procedures";

/** A signed-in caller of `role`, a verified resident of the fixture region with points. */
async function callerOf(fx: Fixtures, role: Role): Promise<{ user: FixtureUser | null; token?: string }> {
  if (role === "anonymous") return { user: null };
  const user = await fx.newUser(role);
  await makeResident(fx.db, user.id, fx.region.id, 50_000);
  return { user, token: await tokenFor(fx.db, user) };
}

describe("the IDOR table", () => {
  it("covers every procedure whose input names an object the caller may not own", () => {
    // Inputs with an object id: `id`, `postId`, `groupBuyId`, `ids`, `userId`… Admin-only procedures are covered by
    // the role table (nobody but an admin gets past the procedure), public lookups are listed here as exempt.
    const exempt = new Set([
      "trust.get", // a user's public trust score, by design
      "board.comments", // readable like board.get
      "board.report", // reporting someone else's post is the point
      "board.offerSupply", // a seller offers on a buyer's proposal: the point
      "rooms.report", // reporting someone else's chat message is the point (room access checked in community tests)
      "recommend.notInterested", // a preference about any buy, stored for the caller only
      "recommend.undoNotInterested",
      "products.create",
      "groupBuys.create",
    ]);
    const covered = new Set(IDOR_TABLE.map((r) => r.path as string));
    const objectInput = /"(id|ids|postId|groupBuyId|userId|productId|applicationId|chargeId)"/;
    const missing = listProcedures()
      .filter(
        (p) =>
          !p.path.startsWith("admin.") &&
          p.input &&
          objectInput.test(JSON.stringify(z.toJSONSchema(p.input, { unrepresentable: "any", io: "input" }))),
      )
      .map((p) => p.path)
      .filter((path) => !covered.has(path) && !exempt.has(path));
    expect(missing, `add IDOR rows (test/worker/idor-table.ts) for: ${missing.join(", ")}`).toEqual([]);
  });

  it("never expects OK on someone else's object without saying why", () => {
    for (const r of IDOR_TABLE) {
      const open = ROLES.filter((role) => r.others[role] === "OK");
      if (open.length) expect(r.publicToOthers, `${r.path}: OK for ${open.join(", ")} on others' objects`).toBeTruthy();
    }
  });
});

describe("every object procedure × caller × own/others' object", () => {
  let fx: Fixtures;
  beforeAll(async () => {
    fx = await createFixtures();
    await ensureOtherRegion(fx);
  });

  for (const r of IDOR_TABLE) {
    for (const scope of ["own", "others"] as Scope[]) {
      for (const role of ROLES) {
        const expected: IdorOutcome | undefined = scope === "own" ? r.own[role] : r.others[role];
        if (expected === undefined || (scope === "own" && !CAN_OWN[r.owner].includes(role))) continue;
        it(`${r.path}: ${role} on ${scope === "own" ? "own" : "someone else's"} object → ${expected}`, async () => {
          const { user, token } = await callerOf(fx, role);
          const owner = scope === "own" ? user : await otherOwner(fx, r.owner);
          const regionId = r.owner === "region" && scope === "others" ? OTHER_REGION.id : fx.region.id;
          const input = await r.object({ fx, owner, regionId });
          const before = r.state ? await r.state(fx, input) : undefined;
          const res = await callApi({ path: r.path, kind: r.kind, input, token });
          const outcome = res.code ?? (res.status === 200 ? "OK" : `HTTP ${res.status}`);
          if (expected === "NO_EFFECT") {
            expect(outcome, `${r.path}: ${res.message ?? ""}`).toBe("OK");
            expect(await r.state!(fx, input), `${r.path} changed someone else's object`).toEqual(before);
          } else {
            expect(outcome, `${r.path} as ${role} (${scope}): ${res.message ?? ""}`).toBe(expected);
          }
        });
      }
    }
  }
});

function upgrade(path: string, headers: Record<string, string> = {}) {
  return exports.default.fetch(new Request(new URL(path, BASE), { headers: { upgrade: "websocket", ...headers } }));
}

async function closeIfOpen(res: Response) {
  if (res.status === 101) {
    res.webSocket!.accept();
    res.webSocket!.close(1000, "done");
  }
}

describe("WebSocket routes × caller × own/others' object", { timeout: 30_000 }, () => {
  let fx: Fixtures;
  beforeAll(async () => {
    fx = await createFixtures();
    await ensureOtherRegion(fx);
  });

  // The room of a buy in the caller's neighbourhood ("own") or in one they are not verified in ("others").
  const room: Record<Scope, Record<Role, number>> = {
    own: { anonymous: 401, buyer: 101, seller: 101, admin: 101, suspended: 403 }, // rooms are closed while suspended
    others: { anonymous: 401, buyer: 403, seller: 403, admin: 101, suspended: 403 },
  };
  for (const scope of ["own", "others"] as Scope[]) {
    for (const role of ROLES) {
      it(`/api/rooms/:id/ws: ${role} on ${scope === "own" ? "own neighbourhood's" : "another neighbourhood's"} buy → ${room[scope][role]}`, async () => {
        const { token } = await callerOf(fx, role);
        const gb = await fixtureBuy(fx.db, scope === "own" ? fx.region.id : OTHER_REGION.id);
        const res = await upgrade(roomPath(gb.id), token ? { authorization: `Bearer ${token}` } : {});
        expect(res.status).toBe(room[scope][role]);
        await closeIfOpen(res);
      });
    }
  }

  it("a room ticket opens only the room it was issued for, once; a notifications ticket opens no room", async () => {
    const { user, token } = await callerOf(fx, "buyer");
    const [a, b] = [await fixtureBuy(fx.db, fx.region.id), await fixtureBuy(fx.db, fx.region.id)];
    const forA = (await issueSocketTicket(fx.db, user!.id, token!, `room:${a.id}`, Date.now())).ticket;
    expect((await upgrade(`${roomPath(b.id)}?ticket=${forA}`)).status).toBe(401);
    const ok = await upgrade(`${roomPath(a.id)}?ticket=${forA}`);
    expect(ok.status).toBe(101);
    await closeIfOpen(ok);
    expect((await upgrade(`${roomPath(a.id)}?ticket=${forA}`)).status).toBe(401); // single use
    const notif = (await issueSocketTicket(fx.db, user!.id, token!, "notifications", Date.now())).ticket;
    expect((await upgrade(`${roomPath(a.id)}?ticket=${notif}`)).status).toBe(401);
  });

  it("/api/notifications/ws opens the caller's own channel only: anonymous 401, a spoofed user header is ignored", async () => {
    expect((await upgrade("/api/notifications/ws")).status).toBe(401);
    // the victim has one unread notification; the attacker has none and claims to be the victim
    const victim = await fx.newUser("buyer");
    await fx.db
      .insert(notifications)
      .values({ id: newId(), userId: victim.id, kind: "idor", params: {}, createdAt: Date.now() });
    const { token } = await callerOf(fx, "buyer");
    const res = await upgrade("/api/notifications/ws", {
      authorization: `Bearer ${token}`,
      "x-gonggu-user-id": victim.id,
      "x-gonggu-unread": "1",
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const hello = new Promise<{ type: string; unread: number }>((resolve) =>
      ws.addEventListener("message", (e) => resolve(JSON.parse(String(e.data)))),
    );
    ws.accept();
    expect(await hello).toEqual({ type: "hello", unread: 0 });
    ws.close(1000, "done");
    // a room ticket does not open the notifications channel
    const roomTicket = (
      await issueSocketTicket(fx.db, victim.id, token!, "room:01ARZ3NDEKTSV4RRFFQ69G5FAV", Date.now())
    ).ticket;
    expect((await upgrade(`/api/notifications/ws?ticket=${roomTicket}`)).status).toBe(401);
  });
});
