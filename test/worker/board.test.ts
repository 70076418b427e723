import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../worker/db/client";
import { countRows, newAdmin, newResident, newSeller, seedRegion } from "./community-helpers";
import { fixtureBuy } from "./groupbuy-fixtures";
import { errorOf, newBuyer } from "./helpers";

async function boardWithAuthor() {
  const region = await seedRegion();
  const author = await newResident(region, "글쓴이");
  return { region, author };
}

describe("board posts", () => {
  it("a verified resident creates, reads, edits and deletes a post", async () => {
    const { region, author } = await boardWithAuthor();
    const { id } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "sharing",
      title: "  상추 나눔해요  ",
      body: "텃밭 상추가 너무 많아요. 가져가실 분!",
    });
    const post = await author.client.board.get.query({ id });
    expect(post).toMatchObject({
      title: "상추 나눔해요",
      category: "sharing",
      status: "visible",
      mine: true,
      likeCount: 0,
      author: {
        id: author.user.id,
        displayName: "글쓴이",
        verifiedResident: true,
        trust: { completedBuys: 0, noShows: 0, hostCancellations: 0, reports: 0 },
      },
    });

    await author.client.board.update.mutate({ id, title: "상추 나눔 (오늘만)" });
    const reader = await newResident(region);
    expect((await reader.client.board.get.query({ id })).title).toBe("상추 나눔 (오늘만)");
    const { items } = await reader.client.board.list.query({ regionId: region.id });
    expect(items.map((p) => p.id)).toEqual([id]);
    expect(items[0].excerpt).toBe("텃밭 상추가 너무 많아요. 가져가실 분!");

    await author.client.board.delete.mutate({ id });
    expect((await errorOf(reader.client.board.get.query({ id }))).code).toBe("NOT_FOUND");
    expect((await reader.client.board.list.query({ regionId: region.id })).items).toEqual([]);
    // soft delete: the row is still there for audits
    expect(await countRows("board_posts", "id = ? AND status = 'deleted'", id)).toBe(1);
  });

  it("only current residents of the region can post; readers need a login", async () => {
    const region = await seedRegion();
    const other = await seedRegion(35.1796, 129.0756);
    const outsider = await newResident(other);
    const err = await errorOf(
      outsider.client.board.create.mutate({ regionId: region.id, category: "question", title: "질문", body: "안녕" }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/Verify your neighbourhood/);
    const unverified = await newBuyer();
    expect(
      (
        await errorOf(
          unverified.client.board.create.mutate({
            regionId: region.id,
            category: "question",
            title: "질문",
            body: "?",
          }),
        )
      ).code,
    ).toBe("PRECONDITION_FAILED");
    const anon = (await newBuyer()).client;
    await anon.auth.logout.mutate();
    expect((await errorOf(anon.board.list.query({ regionId: region.id }))).code).toBe("UNAUTHORIZED");
    expect(await countRows("board_posts", "region_id = ?", region.id)).toBe(0);
  });

  it("an expired verification no longer lets you post", async () => {
    const { region, author } = await boardWithAuthor();
    await env.DB.prepare("UPDATE region_verifications SET expires_at = ? WHERE user_id = ?")
      .bind(Date.now() - 1, author.user.id)
      .run();
    const err = await errorOf(
      author.client.board.create.mutate({ regionId: region.id, category: "question", title: "질문", body: "?" }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
  });

  it("only the author edits; the author or an admin (with a reason) deletes", async () => {
    const { region, author } = await boardWithAuthor();
    const { id } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "question",
      title: "세탁소 추천",
      body: "근처 세탁소 어디가 좋아요?",
    });
    const neighbour = await newResident(region);
    expect((await errorOf(neighbour.client.board.update.mutate({ id, body: "해킹" }))).code).toBe("FORBIDDEN");
    expect((await errorOf(neighbour.client.board.delete.mutate({ id }))).code).toBe("FORBIDDEN");
    const admin = await newAdmin();
    expect((await errorOf(admin.client.board.update.mutate({ id, body: "관리자 수정" }))).code).toBe("FORBIDDEN");
    expect((await errorOf(admin.client.board.delete.mutate({ id }))).code).toBe("BAD_REQUEST");
    await admin.client.board.delete.mutate({ id, reason: "광고성 게시물" });
    expect((await author.client.board.get.query({ id }).catch((e) => e)).data?.code).toBe("NOT_FOUND");
    expect((await admin.client.board.get.query({ id })).status).toBe("deleted");
    expect(await countRows("audit_log", "action = 'board.post.delete' AND target_id = ?", id)).toBe(1);
    const [notice] = (await author.client.notifications.list.query()).items;
    expect(notice).toMatchObject({
      kind: "moderation.outcome",
      params: { targetType: "post", targetId: id, outcome: "removed", reason: "광고성 게시물" },
    });
    expect(await countRows("board_posts", "id = ? AND body = '근처 세탁소 어디가 좋아요?'", id)).toBe(1);
  });

  it("bad input gets typed errors and writes nothing", async () => {
    const { region, author } = await boardWithAuthor();
    const base = { regionId: region.id, category: "sharing" as const, title: "제목", body: "본문" };
    const cases = [
      { ...base, title: "x" },
      { ...base, title: "가".repeat(81) },
      { ...base, body: "   " },
      { ...base, body: "가".repeat(5001) },
      { ...base, category: "market" as "sharing" },
      { ...base, regionId: "NOT A REGION" },
    ];
    for (const input of cases) {
      const err = await errorOf(author.client.board.create.mutate(input));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.zodError).toBeTruthy();
    }
    const missing = await errorOf(author.client.board.create.mutate({ ...base, regionId: "no-such-region" }));
    expect(missing.code).toBe("PRECONDITION_FAILED");
    expect(await countRows("board_posts", "author_id = ?", author.user.id)).toBe(0);
    const { id } = await author.client.board.create.mutate(base);
    expect((await errorOf(author.client.board.update.mutate({ id }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(author.client.board.get.query({ id: "nope" }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(author.client.board.list.query({ regionId: region.id, cursor: "zzz" }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(
      (await errorOf(author.client.board.list.query({ regionId: region.id, sort: "popular", cursor: "1.2" }))).code,
    ).toBe("BAD_REQUEST");
  });

  it("limits how fast one person posts, also when the posts are sent at once", async () => {
    const { region, author } = await boardWithAuthor();
    // in parallel: a read-only check before a separate count let every one of them through
    const posts = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        author.client.board.create.mutate({ regionId: region.id, category: "question", title: `질문 ${i}`, body: "?" }),
      ),
    );
    expect(posts.filter((p) => p.status === "fulfilled")).toHaveLength(10);
    const err = await errorOf(
      author.client.board.create.mutate({ regionId: region.id, category: "question", title: "질문 13", body: "?" }),
    );
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(await countRows("board_posts", "author_id = ?", author.user.id)).toBe(10);
  });
});

describe("board listing and search", () => {
  async function seeded() {
    const region = await seedRegion();
    const a = await newResident(region, "가나");
    const b = await newResident(region, "다라");
    const make = (c: typeof a, category: "proposal" | "sharing" | "question" | "review", title: string, body: string) =>
      c.client.board.create.mutate({ regionId: region.id, category, title, body }).then((r) => r.id);
    const ids = {
      apple: await make(a, "proposal", "사과 한 박스 같이 사요", "청송 사과를 10kg 단위로 나눠 살 분"),
      eggs: await make(b, "proposal", "유정란 공구", "계란 30구 두 판을 나눠요"),
      share: await make(a, "sharing", "사과즙 나눔", "선물 받은 사과즙이 남아요"),
      question: await make(b, "question", "Costco membership?", "Anyone going to Costco this weekend? e-mail me"),
    };
    return { region, a, b, ids };
  }

  it("lists newest first with a cursor, and filters by category", async () => {
    const { region, a, ids } = await seeded();
    const first = await a.client.board.list.query({ regionId: region.id, limit: 3 });
    expect(first.items.map((p) => p.id)).toEqual([ids.question, ids.share, ids.eggs]);
    const second = await a.client.board.list.query({ regionId: region.id, limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((p) => p.id)).toEqual([ids.apple]);
    expect(second.nextCursor).toBeNull();
    const proposals = await a.client.board.list.query({ regionId: region.id, category: "proposal" });
    expect(proposals.items.map((p) => p.id)).toEqual([ids.eggs, ids.apple]);
    expect(proposals.items[0].author).toMatchObject({ displayName: "다라", verifiedResident: true });
    // Other regions' boards are separate
    const elsewhere = await seedRegion(35.1, 129.0);
    expect((await a.client.board.list.query({ regionId: elsewhere.id })).items).toEqual([]);
  });

  it("searches titles and bodies with Korean prefix matching (FTS5)", async () => {
    const { region, a, ids } = await seeded();
    const search = async (query: string, category?: "proposal") =>
      (await a.client.board.list.query({ regionId: region.id, query, category })).items.map((p) => p.id);
    expect(new Set(await search("사과"))).toEqual(new Set([ids.apple, ids.share])); // 사과를, 사과즙
    expect(await search("사과", "proposal")).toEqual([ids.apple]);
    expect(await search("계란 나눠")).toEqual([ids.eggs]); // every term must match
    expect(await search("costco")).toEqual([ids.question]); // case-insensitive
    expect(await search("E-MAIL")).toEqual([ids.question]);
    expect(await search("두부")).toEqual([]);
    // FTS5 syntax in the input is plain text, never a syntax error
    for (const q of ['"', "NEAR(사과", "title:사과", "사과 OR 계란", "*", "^사과", "-", "AND"]) {
      await a.client.board.list.query({ regionId: region.id, query: q });
    }
    expect(await search("title:사과")).toEqual(await search("title 사과"));
  });

  it("keeps the search index in step with edits and deletes", async () => {
    const { region, a, ids } = await seeded();
    const search = async (query: string) =>
      (await a.client.board.list.query({ regionId: region.id, query })).items.map((p) => p.id);
    await a.client.board.update.mutate({ id: ids.share, title: "배즙 나눔", body: "선물 받은 배즙이 남아요" });
    expect(await search("사과")).toEqual([ids.apple]);
    expect(await search("배즙")).toEqual([ids.share]);
    await a.client.board.delete.mutate({ id: ids.apple });
    expect(await search("사과")).toEqual([]);
    // the FTS index matches the table exactly (an external-content integrity check)
    await env.DB.prepare("INSERT INTO board_posts_fts(board_posts_fts, rank) VALUES ('integrity-check', 1)").run();
  });

  it("ranks popular posts by likes and comments, one like per person", async () => {
    const { region, a, b, ids } = await seeded();
    const c = await newResident(region);
    await b.client.board.like.mutate({ postId: ids.apple, liked: true });
    expect(await b.client.board.like.mutate({ postId: ids.apple, liked: true })).toEqual({ liked: true, likeCount: 1 });
    await c.client.board.like.mutate({ postId: ids.apple, liked: true });
    await c.client.board.like.mutate({ postId: ids.eggs, liked: true });
    await c.client.board.comment.mutate({ postId: ids.share, body: "저요!" });
    const popular = await a.client.board.list.query({ regionId: region.id, sort: "popular", limit: 2 });
    expect(popular.items.map((p) => [p.id, p.likeCount, p.commentCount])).toEqual([
      [ids.apple, 2, 0], // score 4
      [ids.eggs, 1, 0], // score 2
    ]);
    const rest = await a.client.board.list.query({
      regionId: region.id,
      sort: "popular",
      limit: 2,
      cursor: popular.nextCursor!,
    });
    expect(rest.items.map((p) => p.id)).toEqual([ids.share, ids.question]); // score 1, then 0
    expect(await c.client.board.like.mutate({ postId: ids.apple, liked: false })).toEqual({
      liked: false,
      likeCount: 1,
    });
    expect((await c.client.board.get.query({ id: ids.apple })).likedByMe).toBe(false);
    expect((await b.client.board.get.query({ id: ids.apple })).likedByMe).toBe(true);
  });
});

describe("comments", () => {
  it("comments and one level of replies notify the post's and the comment's authors", async () => {
    const { region, author } = await boardWithAuthor();
    const { id: postId } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "question",
      title: "분리수거 요일",
      body: "분리수거 무슨 요일이에요?",
    });
    const first = await newResident(region, "첫댓글");
    const second = await newResident(region, "둘째");
    const { id: commentId } = await first.client.board.comment.mutate({ postId, body: "수요일이요" });
    const { id: replyId } = await second.client.board.comment.mutate({
      postId,
      parentId: commentId,
      body: "목요일도요",
    });
    const nested = await errorOf(
      second.client.board.comment.mutate({ postId, parentId: replyId, body: "대댓글의 답" }),
    );
    expect(nested.code).toBe("BAD_REQUEST");
    await author.client.board.comment.mutate({ postId, parentId: commentId, body: "감사해요" });

    const authorInbox = (await author.client.notifications.list.query()).items;
    expect(authorInbox.map((n) => n.kind)).toEqual(["board.comment", "board.comment"]);
    expect(authorInbox[1]).toMatchObject({
      params: { postId, postTitle: "분리수거 요일", commentId, commenterName: "첫댓글" },
    });
    const firstInbox = (await first.client.notifications.list.query()).items;
    expect(firstInbox.map((n) => n.kind)).toEqual(["board.reply", "board.reply"]);

    const { items } = await second.client.board.comments.query({ postId });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: commentId, body: "수요일이요", author: { displayName: "첫댓글" } });
    expect(items[0].replies.map((r) => r.body)).toEqual(["목요일도요", "감사해요"]);
    expect((await second.client.board.get.query({ id: postId })).commentCount).toBe(3);

    await first.client.board.deleteComment.mutate({ id: commentId });
    const after = await second.client.board.comments.query({ postId });
    expect(after.items[0]).toMatchObject({ status: "deleted", body: null, author: null });
    expect(after.items[0].replies).toHaveLength(2);
    expect((await second.client.board.get.query({ id: postId })).commentCount).toBe(2);
    expect((await errorOf(first.client.board.deleteComment.mutate({ id: replyId }))).code).toBe("FORBIDDEN");
  });

  it("paginates top-level comments", async () => {
    const { region, author } = await boardWithAuthor();
    const { id: postId } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "question",
      title: "댓글 많은 글",
      body: "?",
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await newResident(region);
      ids.push((await r.client.board.comment.mutate({ postId, body: `댓글 ${i}` })).id);
    }
    const page1 = await author.client.board.comments.query({ postId, limit: 2 });
    expect(page1.items.map((c) => c.id)).toEqual(ids.slice(0, 2));
    const page2 = await author.client.board.comments.query({ postId, limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((c) => c.id)).toEqual(ids.slice(2));
    expect(page2.nextCursor).toBeNull();
  });

  it("limits comments per minute (also sent at once) and bounds their length", async () => {
    const { region, author } = await boardWithAuthor();
    const { id: postId } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "question",
      title: "도배",
      body: "?",
    });
    const chatty = await newResident(region);
    // sent at once: each must be counted before it is written, or all of them pass the check
    await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => chatty.client.board.comment.mutate({ postId, body: `${i}` })),
    );
    expect((await errorOf(chatty.client.board.comment.mutate({ postId, body: "6" }))).code).toBe("TOO_MANY_REQUESTS");
    expect((await errorOf(author.client.board.comment.mutate({ postId, body: "가".repeat(1001) }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(await countRows("board_comments", "post_id = ?", postId)).toBe(5);
    expect((await author.client.notifications.unreadCount.query()).unread).toBe(5);
  });

  it("non-residents can read but not comment or like", async () => {
    const { region, author } = await boardWithAuthor();
    const { id: postId } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "review",
      title: "후기",
      body: "좋았어요",
    });
    const visitor = await newBuyer();
    expect((await visitor.client.board.get.query({ id: postId })).title).toBe("후기");
    expect((await errorOf(visitor.client.board.comment.mutate({ postId, body: "hi" }))).code).toBe(
      "PRECONDITION_FAILED",
    );
    expect((await errorOf(visitor.client.board.like.mutate({ postId, liked: true }))).code).toBe("PRECONDITION_FAILED");
  });
});

describe("reports and moderation", () => {
  async function reportedPost() {
    const { region, author } = await boardWithAuthor();
    const { id } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "sharing",
      title: "수상한 나눔",
      body: "계좌로 먼저 보내주세요",
    });
    const reporters = await Promise.all([newResident(region), newResident(region), newResident(region)]);
    return { region, author, id, reporters };
  }

  it("hides a post after 3 distinct reports, pending review", async () => {
    const { region, author, id, reporters } = await reportedPost();
    const [r1, r2, r3] = reporters;
    expect(
      (await errorOf(author.client.board.report.mutate({ targetType: "post", targetId: id, reason: "spam" }))).code,
    ).toBe("BAD_REQUEST");
    await r1.client.board.report.mutate({ targetType: "post", targetId: id, reason: "fraud" });
    expect(
      await r1.client.board.report.mutate({ targetType: "post", targetId: id, reason: "fraud", note: "again" }),
    ).toEqual({ reported: true, alreadyReported: true });
    await r2.client.board.report.mutate({ targetType: "post", targetId: id, reason: "spam" });
    expect((await r3.client.board.get.query({ id })).status).toBe("visible"); // two distinct reports: still up
    await r3.client.board.report.mutate({ targetType: "post", targetId: id, reason: "fraud", note: "선입금 요구" });
    expect((await errorOf(r3.client.board.get.query({ id }))).code).toBe("NOT_FOUND");
    expect((await r3.client.board.list.query({ regionId: region.id })).items).toEqual([]);
    expect((await r3.client.board.list.query({ regionId: region.id, query: "수상한" })).items).toEqual([]);
    expect((await author.client.board.get.query({ id })).status).toBe("hidden"); // the author sees why
    expect((await errorOf(r1.client.board.comment.mutate({ postId: id, body: "?" }))).code).toBe("NOT_FOUND");
    // The author, who still sees it, is told why it takes no comment or like now (a reason the app words)
    for (const call of [
      author.client.board.comment.mutate({ postId: id, body: "해명할게요" }),
      author.client.board.like.mutate({ postId: id, liked: true }),
    ]) {
      expect(await errorOf(call)).toMatchObject({ code: "PRECONDITION_FAILED", details: { reason: "under_review" } });
    }
  });

  it("admins review the queue: approve restores, remove + suspend locks the author out, all logged and notified", async () => {
    const { author, id, reporters } = await reportedPost();
    for (const r of reporters)
      await r.client.board.report.mutate({ targetType: "post", targetId: id, reason: "fraud" });
    const admin = await newAdmin();
    const queue = await admin.client.admin.moderation.queue.query();
    const entry = queue.posts.find((p) => p.id === id);
    expect(entry).toMatchObject({ status: "hidden", reportCount: 3, author: { id: author.user.id } });
    expect(entry?.reports).toHaveLength(3);

    expect(
      await admin.client.admin.moderation.approve.mutate({
        targetType: "post",
        targetId: id,
        reason: "정상 나눔 확인",
      }),
    ).toMatchObject({ status: "visible", suspendedUntil: null });
    const approved = await reporters[0].client.board.get.query({ id });
    expect(approved.status).toBe("visible");
    // reports a moderator dismissed are not on the author's trust record
    expect(approved.author.trust).toEqual({ completedBuys: 0, noShows: 0, hostCancellations: 0, reports: 0 });
    expect((await admin.client.admin.moderation.queue.query()).posts.find((p) => p.id === id)).toBeUndefined();
    // old reports were resolved: one new report does not hide it again
    const fresh = await newResident({
      id: (await author.client.board.get.query({ id })).regionId,
      lat: 37.5665,
      lng: 126.978,
    });
    await fresh.client.board.report.mutate({ targetType: "post", targetId: id, reason: "spam" });
    expect((await fresh.client.board.get.query({ id })).status).toBe("visible");

    const removed = await admin.client.admin.moderation.remove.mutate({
      targetType: "post",
      targetId: id,
      reason: "선입금 사기 의심",
      suspendDays: 7,
    });
    expect(removed.status).toBe("removed");
    expect(removed.suspendedUntil).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect((await errorOf(fresh.client.board.get.query({ id }))).code).toBe("NOT_FOUND");
    expect((await author.client.board.get.query({ id })).status).toBe("removed");
    // an upheld report is on the author's trust record: on profiles and on every post of theirs, counted once
    await admin.client.admin.moderation.remove
      .mutate({ targetType: "post", targetId: id, reason: "다시" })
      .catch(() => null);
    expect(await admin.client.trust.get.query({ userId: author.user.id })).toMatchObject({ reports: 1 });
    expect((await admin.client.board.get.query({ id })).author.trust).toMatchObject({ reports: 1, noShows: 0 });

    const outcomes = (await author.client.notifications.list.query()).items.filter(
      (n) => n.kind === "moderation.outcome",
    );
    expect(outcomes.map((n) => n.params)).toEqual([
      expect.objectContaining({
        outcome: "removed",
        reason: "선입금 사기 의심",
        suspendedUntil: removed.suspendedUntil,
      }),
      expect.objectContaining({ outcome: "approved", reason: "정상 나눔 확인" }),
    ]);
    const audit = await env.DB.prepare(
      "SELECT action, actor_id AS actorId, detail FROM audit_log WHERE target_id IN (?, ?) ORDER BY action",
    )
      .bind(id, author.user.id)
      .all<{ action: string; actorId: string; detail: string }>();
    expect(audit.results.map((r) => [r.action, r.actorId])).toEqual([
      ["moderation.approve", admin.user.id],
      ["moderation.remove", admin.user.id],
      ["user.suspend", admin.user.id],
    ]);
    expect(JSON.parse(audit.results[1].detail)).toMatchObject({ reason: "선입금 사기 의심", suspendDays: 7 });

    const region = (await admin.client.board.get.query({ id })).regionId;
    const err = await errorOf(
      author.client.board.create.mutate({ regionId: region, category: "question", title: "왜요", body: "?" }),
    );
    expect(err.code).toBe("FORBIDDEN");
    expect(
      (
        await errorOf(
          admin.client.admin.moderation.approve.mutate({ targetType: "post", targetId: id, reason: "다시" }),
        )
      ).code,
    ).toBe("PRECONDITION_FAILED");
  });

  it("hides a reported comment and keeps counts right", async () => {
    const { region, author } = await boardWithAuthor();
    const { id: postId } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "question",
      title: "질문",
      body: "?",
    });
    const troll = await newResident(region);
    const { id: commentId } = await troll.client.board.comment.mutate({ postId, body: "욕설" });
    for (let i = 0; i < 3; i++) {
      const r = await newResident(region);
      await r.client.board.report.mutate({ targetType: "comment", targetId: commentId, reason: "abuse" });
    }
    const view = await author.client.board.comments.query({ postId });
    expect(view.items[0]).toMatchObject({ status: "hidden", body: null });
    expect((await troll.client.board.comments.query({ postId })).items[0]).toMatchObject({ body: "욕설" });
    expect((await author.client.board.get.query({ id: postId })).commentCount).toBe(0);
    const admin = await newAdmin();
    expect((await admin.client.admin.moderation.queue.query()).comments.map((c) => c.id)).toContain(commentId);
    await admin.client.admin.moderation.remove.mutate({ targetType: "comment", targetId: commentId, reason: "욕설" });
    expect((await author.client.board.comments.query({ postId })).items[0]).toMatchObject({ status: "removed" });
    const [notice] = (await troll.client.notifications.list.query()).items;
    expect(notice).toMatchObject({ kind: "moderation.outcome", params: { targetType: "comment", outcome: "removed" } });
  });

  it("moderation is admin-only", async () => {
    const { id, reporters } = await reportedPost();
    const err = await errorOf(
      reporters[0].client.admin.moderation.remove.mutate({ targetType: "post", targetId: id, reason: "싫어요" }),
    );
    expect(err.code).toBe("FORBIDDEN");
    expect((await errorOf(reporters[0].client.admin.moderation.queue.query())).code).toBe("FORBIDDEN");
  });
});

describe("proposals", () => {
  it("a seller offers to supply a proposal; the author is notified and the post shows it", async () => {
    const { region, author } = await boardWithAuthor();
    const { id: postId } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "proposal",
      title: "제주 귤 10kg 공구해요",
      body: "5가구 모이면 좋겠어요",
    });
    const seller = await newSeller("귤농장");
    await seller.client.board.offerSupply.mutate({ postId, message: "10kg 박스 2만5천원에 가능해요" });
    expect((await errorOf(seller.client.board.offerSupply.mutate({ postId, message: "또 제안해요" }))).code).toBe(
      "CONFLICT",
    );
    const post = await author.client.board.get.query({ id: postId });
    expect(post.supplyOffers).toEqual([
      expect.objectContaining({ sellerId: seller.user.id, sellerName: "귤농장", groupBuyId: null }),
    ]);
    const [notice] = (await author.client.notifications.list.query()).items;
    expect(notice).toMatchObject({ kind: "board.supply_offer", params: { postId, sellerName: "귤농장" } });
    // a buyer can't, and non-proposals don't take offers
    const buyer = await newResident(region);
    expect((await errorOf(buyer.client.board.offerSupply.mutate({ postId, message: "저도요" }))).code).toBe(
      "FORBIDDEN",
    );
    const { id: sharing } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "sharing",
      title: "나눔",
      body: "!",
    });
    expect(
      (await errorOf(seller.client.board.offerSupply.mutate({ postId: sharing, message: "공급 가능" }))).code,
    ).toBe("PRECONDITION_FAILED");
    // with an offer the proposal stays a proposal
    expect((await errorOf(author.client.board.update.mutate({ id: postId, category: "question" }))).code).toBe(
      "PRECONDITION_FAILED",
    );
  });
});

describe("proposal → group buy link", () => {
  it("the seller links the buy they opened; post and buy point at each other; likes of the post count for the buy", async () => {
    const { region, author } = await boardWithAuthor();
    const { id: postId } = await author.client.board.create.mutate({
      regionId: region.id,
      category: "proposal",
      title: "한우 공구 원해요",
      body: "한우 세트 나눠 사실 분",
    });
    const early = await newResident(region, "먼저좋아요");
    await early.client.board.like.mutate({ postId, liked: true });
    const seller = await newSeller("한우농장");
    await seller.client.board.offerSupply.mutate({ postId, message: "세트 2개 가능" });
    const db = getDb(env);
    const buy = await fixtureBuy(db, region.id, seller.user.id);
    const otherBuy = await fixtureBuy(db, region.id);

    // only your own buy, in the proposal's neighbourhood, once
    const notMine = await errorOf(seller.client.board.linkGroupBuy.mutate({ postId, groupBuyId: otherBuy.id }));
    expect(notMine.code).toBe("FORBIDDEN");
    const elsewhere = await fixtureBuy(db, (await seedRegion(35.1, 129.0)).id, seller.user.id);
    const wrongRegion = await errorOf(seller.client.board.linkGroupBuy.mutate({ postId, groupBuyId: elsewhere.id }));
    expect(wrongRegion.code).toBe("PRECONDITION_FAILED");
    await seller.client.board.linkGroupBuy.mutate({ postId, groupBuyId: buy.id });
    const again = await errorOf(seller.client.board.linkGroupBuy.mutate({ postId, groupBuyId: buy.id }));
    expect(again.code).toBe("CONFLICT");

    expect((await author.client.board.get.query({ id: postId })).supplyOffers).toEqual([
      expect.objectContaining({ sellerId: seller.user.id, groupBuyId: buy.id }),
    ]);
    const shown = await author.client.groupBuys.get.query({ id: buy.id });
    expect(shown.proposals).toEqual([expect.objectContaining({ postId, title: "한우 공구 원해요" })]);
    const notices = (await author.client.notifications.list.query()).items.map((n) => n.kind);
    expect(notices).toContain("board.proposal_linked");

    // the recommender hears about likes of the post as likes of the buy: earlier ones at link time, later ones at once
    const likes = () => countRows("rec_interactions", "item_id = ? AND kind = 'like'", buy.id);
    expect(await likes()).toBe(1);
    const later = await newResident(region, "나중좋아요");
    await later.client.board.like.mutate({ postId, liked: true });
    expect(await likes()).toBe(2);
    await later.client.board.like.mutate({ postId, liked: false });
    expect(await likes()).toBe(1);
    expect(await countRows("rec_interactions", "user_id = ? AND kind = 'like'", early.user.id)).toBe(1);
  });
});
