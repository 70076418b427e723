import type { Locator, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_REGIONS } from "../../scripts/seed/demo-data.ts";
import { newVerifiedBuyer } from "./lib/buyers.ts";
import { baseUrl, chromiumPath, shot, useChromium } from "./lib/harness.ts";

const seogyo = DEMO_REGIONS[0];

/**
 * Asks for the list's next page with its button, without scrolling to it: the list also loads its next page by itself
 * when its end scrolls into view (MoreButton autoload), and a click that scrolled there raced that load on a loaded
 * machine (the button turned into "loading", then was gone with the last page, and the click waited 30 s for it).
 */
async function showMore(more: Locator) {
  await more.waitFor();
  expect(await more.isEnabled()).toBe(true);
  await more.dispatchEvent("click");
}

/** No part of the page is wider than the window (a phone must not scroll sideways). */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/**
 * Issue 6's region board beyond its first page, and the author's edit. Posts and comments are written through the SDK
 * by fresh neighbours (the board's rate limits are per person: 10 posts an hour, 5 comments a minute); a word of this
 * run's own keeps its posts apart from every other test's on the shared server.
 */
describe.skipIf(!chromiumPath)("the region board", () => {
  const chromium = useChromium();

  // 12 sign-ups, 37 posts and 55 comments before the browser starts: minutes beside other browser files at load 10
  test("pages the list with its search and category, pages a post's comments, and the author edits the post", {
    timeout: 240_000,
  }, async () => {
    const word = `pg${Date.now().toString(36)}`;
    // one after another: logins in flight at once count against the shared IP's limit (10) until they succeed
    const people: Awaited<ReturnType<typeof newVerifiedBuyer>>[] = [];
    for (let i = 0; i < 12; i++) people.push(await newVerifiedBuyer(`이웃${i}`));
    const [author, neighbour] = people;
    // 36 posts with the word (9 by each of 4 people): 33 questions and 3 sharing posts
    await Promise.all(
      people.slice(0, 4).map(async (p, who) => {
        for (let i = 0; i < 9; i++) {
          const n = who * 9 + i;
          await p.sdk.board.create.mutate({
            regionId: seogyo.id,
            category: n % 12 === 0 ? "sharing" : "question",
            title: `${word} 글 ${n}`,
            body: `${word} 본문 ${n}`,
          });
        }
      }),
    );
    // 55 top-level comments on one of the author's posts by 11 neighbours (the author keeps her own 5 a minute)
    const post = await author.sdk.board.create.mutate({
      regionId: seogyo.id,
      category: "question",
      title: `${word} 댓글 많은 글`,
      body: "댓글이 많아요",
    });
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        people
          .slice(1)
          .map((p, who) =>
            p.sdk.board.comment.mutate({ postId: post.id, body: `댓글 ${String(round * 11 + who).padStart(2, "0")}` }),
          ),
      );
    }

    const { context, page, problems } = await chromium.openAs(author.email, author.password);
    await page.goto(`${baseUrl}/board`);
    await page.getByRole("heading", { name: "동네 게시판" }).waitFor();
    await page.getByRole("searchbox", { name: "게시판 검색" }).fill(word);
    await page.getByRole("button", { name: "검색", exact: true }).click();
    const list = page.getByTestId("board-list");
    const posts = list.getByRole("link", { name: new RegExp(word) });
    // 37 posts carry the word: 20 a page
    await expect.poll(() => posts.count()).toBe(20);
    const more = page.getByRole("button", { name: "글 더 보기" });
    await showMore(more);
    await expect.poll(() => posts.count()).toBe(37);
    expect(await more.count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);

    // a category keeps the search, and its next page keeps both
    await page.getByRole("button", { name: "질문", exact: true }).click();
    await expect.poll(() => posts.count()).toBe(20);
    const nextPage = page.waitForRequest((r) => r.url().includes("board.list") && r.url().includes("cursor"));
    await showMore(more);
    const asked = decodeURIComponent((await nextPage).url());
    expect(asked).toContain(`"query":"${word}"`);
    expect(asked).toContain('"category":"question"');
    await expect.poll(() => posts.count()).toBe(34);
    expect(await list.getByText("나눔").count()).toBe(0);
    await shot(page, "board-pages-ko");

    // the post's comments: 30 a page, then the rest; a new comment shows at the end without losing the pages shown
    await page.goto(`${baseUrl}/board/${post.id}`);
    const comments = page.getByTestId("comments").getByTestId("comment");
    await expect.poll(() => comments.count()).toBe(30);
    await page.getByRole("button", { name: "댓글 더 보기" }).click();
    await expect.poll(() => comments.count()).toBe(55);
    const texts = await comments.allTextContents();
    for (let n = 0; n < 55; n++) expect(texts.some((c) => c.includes(`댓글 ${String(n).padStart(2, "0")}`))).toBe(true);
    expect(await page.getByRole("button", { name: "댓글 더 보기" }).count()).toBe(0);
    await page.getByLabel("댓글 쓰기").fill("마지막 댓글");
    await page.getByRole("button", { name: "댓글 달기" }).click();
    await expect.poll(() => comments.count()).toBe(56);
    expect(await comments.nth(55).textContent()).toContain("마지막 댓글");

    // The author edits: the server's validation message by its field (as when writing), then the change, marked edited.
    await page.getByRole("button", { name: "수정", exact: true }).click();
    const form = page.getByTestId("post-form");
    expect(await form.getByLabel("제목").inputValue()).toBe(`${word} 댓글 많은 글`);
    expect(await form.getByLabel("분류").inputValue()).toBe("question");
    await form.getByLabel("제목").fill("x");
    await form.getByRole("button", { name: "저장" }).click();
    await expect.poll(() => page.locator("#field-title-error").textContent()).toBe("2자 이상 입력해 주세요.");
    expect(await form.getByLabel("제목").getAttribute("aria-invalid")).toBe("true");
    const title = `${word} 고친 제목`;
    await form.getByLabel("분류").selectOption("review");
    await form.getByLabel("제목").fill(title);
    await form.getByLabel("내용").fill("고친 본문이에요");
    await form.getByRole("button", { name: "저장" }).click();
    await page.getByRole("heading", { name: title }).waitFor();
    await page.getByText("고친 본문이에요").waitFor();
    expect(await page.getByTestId("edited").textContent()).toMatch(/에 수정됨$/);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, "post-edited-ko");
    expect(problems.filter((p) => !p.includes("status of 400"))).toEqual([]);

    // A neighbour reads the edit, marked, in English on a wide screen; only the author has the edit button.
    const wide = await chromium.openAs(neighbour.email, neighbour.password, { viewport: { width: 1280, height: 900 } });
    await wide.page.goto(baseUrl);
    await wide.page.getByRole("button", { name: "Switch to English" }).click();
    await wide.page.goto(`${baseUrl}/board/${post.id}`);
    await wide.page.getByRole("heading", { name: title }).waitFor();
    expect(await wide.page.locator("article .reason").textContent()).toBe("Review");
    expect(await wide.page.getByTestId("edited").textContent()).toMatch(/^Edited /);
    expect(await wide.page.getByRole("button", { name: "Edit", exact: true }).count()).toBe(0);
    await expect.poll(() => wide.page.getByTestId("comment").count()).toBe(30);
    await wide.page.getByRole("button", { name: "Show more comments" }).waitFor();
    await shot(wide.page, "post-edited-en-wide");
    await wide.page.goto(`${baseUrl}/board`);
    await wide.page.getByRole("searchbox").fill(word);
    await wide.page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => wide.page.getByTestId("board-list").getByRole("link").count()).toBe(20);
    expect(
      await wide.page
        .getByTestId("board-list")
        .getByRole("link", { name: new RegExp(title) })
        .textContent(),
    ).toContain("edited");
    await wide.page.getByRole("button", { name: "Show more posts" }).waitFor();
    expect(await fitsWidth(wide.page)).toBe(true);
    await shot(wide.page, "board-en-wide");
    expect(wide.problems).toEqual([]);
    await wide.context.close();
    await context.close();
  });
});
