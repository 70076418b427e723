import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../worker/lib/ids";
import { upgrade } from "./chat-sockets";
import { newRegion, newResident, openBuy } from "./groupbuy-helpers";
import { bearerClient, errorOf } from "./helpers";

type Refusal = { code: string; reason: string | null };

/**
 * A room socket refused before the upgrade (401/403/404; 503 for a full room: room-socket-cap.test.ts) answers
 * JSON a browser's WebSocket cannot read. The SPA asks rooms.knock instead, so for each refusal the knock must answer
 * the same code and reason (test/node/refusals-i18n.test.ts checks the SPA words each in Korean and English).
 */
async function bothRefusals(groupBuyId: string, token: string | undefined): Promise<[number, Refusal, Refusal]> {
  const res = await upgrade(groupBuyId, token ? { authorization: `Bearer ${token}` } : {});
  const body = (await res.json()) as { error: { code: string; details?: { reason?: string } } };
  const knocked = await errorOf(bearerClient(token).rooms.knock.query({ id: groupBuyId }));
  return [
    res.status,
    { code: body.error.code, reason: body.error.details?.reason ?? null },
    { code: knocked.code, reason: (knocked.details?.reason as string | undefined) ?? null },
  ];
}

describe("room socket refusals before the upgrade, as rooms.knock says them", () => {
  it("answers the upgrade's code and reason for 401, 403 (each reason) and 404", async () => {
    const { region, gb } = await openBuy();
    const outsider = await newResident(await newRegion(), 0);
    const suspended = await newResident(region, 0);
    await env.DB.prepare("UPDATE users SET suspended_until = ? WHERE id = ?")
      .bind(Date.now() + 86_400_000, suspended.id)
      .run();
    const reader = await newResident(region, 0);
    const closed = await openBuy();
    const lateReader = await newResident(closed.region, 0);
    await env.DB.prepare("UPDATE group_buys SET status = 'CANCELLED' WHERE id = ?").bind(closed.gb.id).run();

    const cases: [string, string, string | undefined, number, Refusal][] = [
      ["anonymous", gb.id, undefined, 401, { code: "UNAUTHORIZED", reason: null }],
      ["outsider", gb.id, outsider.token, 403, { code: "FORBIDDEN", reason: "room_members_only" }],
      ["suspended", gb.id, suspended.token, 403, { code: "FORBIDDEN", reason: "suspended" }],
      [
        "a reader once the buy closed",
        closed.gb.id,
        lateReader.token,
        403,
        { code: "FORBIDDEN", reason: "room_closed" },
      ],
      ["no such buy", newId(Date.now()), reader.token, 404, { code: "NOT_FOUND", reason: null }],
    ];
    for (const [who, id, token, status, refusal] of cases) {
      const [upgradeStatus, upgraded, knocked] = await bothRefusals(id, token);
      expect(upgradeStatus, who).toBe(status);
      expect(upgraded, who).toEqual(refusal);
      expect(knocked, who).toEqual(refusal);
    }
    // and someone the room takes is let in by both
    expect(await bearerClient(reader.token).rooms.knock.query({ id: gb.id })).toEqual({ ok: true });
  });
});
