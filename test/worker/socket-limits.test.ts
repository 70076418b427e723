/**
 * Hibernatable sockets keep who is on them in a WebSocket attachment and find them by tag; the runtime refuses an
 * attachment over its size limit and a tag over its length (https://developers.cloudflare.com/durable-objects/api/websockets/;
 * workerd 1.20261023 takes attachments up to 16 KiB, measured). The largest attachment and tags our rooms and
 * notification channels can make, at every field's bound, stay under 2,048 bytes, the limit documented before.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { displayNameSchema } from "../../shared/schemas/accounts";
import { FANOUT_GROUPS, fanoutTag } from "../../worker/durable/chatFanout";
import { type RoomIdentity, roomIdentitySchema } from "../../worker/durable/roomIdentity";

const ATTACHMENT_MAX_BYTES = 2048;
/** Tags per socket and characters per tag the hibernation API accepts. */
const TAGS_MAX = 10;
const TAG_MAX_CHARS = 256;

const id = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"; // 26 characters, as every id
const longestName = "뷁".repeat(displayNameSchema.maxLength ?? 20); // 3 UTF-8 bytes a character
const largestIdentity: RoomIdentity = roomIdentitySchema.parse({
  groupBuyId: id,
  userId: id,
  displayName: longestName,
  role: "seller",
  access: "resident",
  connectedAt: Number.MAX_SAFE_INTEGER,
  session: "f".repeat(64),
  sessionExpiresAt: Number.MAX_SAFE_INTEGER,
});
const largestChannelAttachment = {
  userId: id,
  openedAt: Number.MAX_SAFE_INTEGER,
  session: "f".repeat(64),
  sessionExpiresAt: Number.MAX_SAFE_INTEGER,
};
const largestRoomTags = [`user:${id}`, fanoutTag(FANOUT_GROUPS - 1)];

describe("WebSocket attachments and tags at their largest", () => {
  it("stay under the runtime's limits, and the runtime does enforce them", async () => {
    // UTF-16 (2 bytes a code unit) bounds what a structured clone stores for these strings
    for (const value of [largestIdentity, largestChannelAttachment]) {
      expect(JSON.stringify(value).length * 2).toBeLessThanOrEqual(ATTACHMENT_MAX_BYTES);
    }
    expect(largestRoomTags.length).toBeLessThanOrEqual(TAGS_MAX);
    for (const tag of largestRoomTags) expect(tag.length).toBeLessThanOrEqual(TAG_MAX_CHARS);
    const room = env.GROUP_BUY.get(env.GROUP_BUY.idFromName(`socket-limits-${crypto.randomUUID()}`));
    await runInDurableObject(room, (_instance, state) => {
      const [, server] = Object.values(new WebSocketPair());
      state.acceptWebSocket(server, largestRoomTags);
      server.serializeAttachment(largestIdentity);
      expect(server.deserializeAttachment()).toEqual(largestIdentity);
      server.serializeAttachment(largestChannelAttachment);
      // the guard above can fail: the runtime refuses an attachment and a tag past its limits
      expect(() => server.serializeAttachment({ text: "x".repeat(20_000) })).toThrow(/attachment/i);
      const [, other] = Object.values(new WebSocketPair());
      expect(() => state.acceptWebSocket(other, ["t".repeat(TAG_MAX_CHARS + 1)])).toThrow(/tag/i);
      server.close(1000, "done");
    });
  });
});
