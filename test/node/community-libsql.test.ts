import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPost, deletePost, listPosts, updatePost } from "../../worker/community/board";
import { listNotifications, markRead, notify, unreadCount } from "../../worker/community/notifications";
import { type Db, runBatch } from "../../worker/db/client";
import * as schema from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";

// The board's FTS5 index is a custom migration with triggers: prove drizzle's own migrator (journal included) applies
// it on libSQL and that search and the notification inbox behave as on D1.
const dir = mkdtempSync(join(tmpdir(), "gonggu-libsql-"));
const client = createClient({ url: `file:${join(dir, "test.db")}` });
const db = drizzle(client, { schema }) as unknown as Db;
const now = Date.now();
const regionId = "libsql-dong";
const user = { id: newId(now), role: "buyer" as const };

beforeAll(async () => {
  await migrate(drizzle(client), { migrationsFolder: join(import.meta.dirname, "../../migrations") });
  await client.execute("PRAGMA foreign_keys = ON");
  await db
    .insert(schema.regions)
    .values({ id: regionId, name: "리브동", nameEn: "Libsql-dong", city: "서울", lat: 37.5, lng: 127, radiusM: 1000 });
  await db
    .insert(schema.users)
    .values({ id: user.id, email: "libsql@example.com", passwordHash: "x", displayName: "리브", createdAt: now });
  await db
    .insert(schema.regionVerifications)
    .values({ id: newId(now), userId: user.id, regionId, distanceM: 10, verifiedAt: now, expiresAt: now + 86_400_000 });
});
afterAll(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("community on libSQL", () => {
  it("searches posts with FTS5 and keeps the index in step", async () => {
    const a = await createPost(
      db,
      user,
      { regionId, category: "proposal", title: "사과 공구", body: "사과를 나눠 사요" },
      now,
    );
    const b = await createPost(
      db,
      user,
      { regionId, category: "sharing", title: "계란 나눔", body: "유정란" },
      now + 1,
    );
    const search = async (query: string) =>
      (await listPosts(db, { regionId, query, sort: "newest", limit: 10 }, now)).items.map((p) => p.id);
    expect(await search("사과")).toEqual([a.id]);
    expect(await search('NEAR("')).toEqual([]);
    await updatePost(db, user, { id: b.id, body: "사과도 있어요" }, now + 2);
    expect(await search("사과")).toEqual([b.id, a.id]);
    await deletePost(db, user, a.id, undefined, now + 3);
    expect(await search("사과")).toEqual([b.id]);
    await client.execute("INSERT INTO board_posts_fts(board_posts_fts, rank) VALUES ('integrity-check', 1)");
  });

  it("runs the notification inbox with dedupe", async () => {
    const args = {
      userId: user.id,
      now,
      kind: "groupbuy.filled" as const,
      params: { groupBuyId: newId(now), title: "사과 공구" },
      dedupeKey: "filled:1",
    };
    await runBatch(db, [notify(db, args)]);
    await runBatch(db, [notify(db, { ...args, now: now + 1 })]);
    expect((await listNotifications(db, user.id, { limit: 10, unreadOnly: false })).items).toHaveLength(1);
    expect(await unreadCount(db, user.id)).toBe(1);
    expect(await markRead(db, user.id, { all: true }, now + 2)).toEqual({ unread: 0 });
  });
});
