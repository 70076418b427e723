import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_ADMIN, DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import { adminSdk, newVerifiedBuyer } from "./lib/buyers.ts";
import { baseUrl, chromiumPath, sdkAs, shot, useChromium } from "./lib/harness.ts";
import { offerInSeogyo } from "./lib/offers.ts";

const DAY = 86_400_000;
const KST = 9 * 3_600_000;

/** How far the page scrolls sideways (0: it fits the screen). */
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** A new neighbour verified in 서교동, signed in on a phone, with a post of theirs (a unique title) on the board. */
async function authorWithPost(chromium: ReturnType<typeof useChromium>, name: string, title: string, body: string) {
  const author = await newVerifiedBuyer(name);
  const post = await author.sdk.board.create.mutate({
    regionId: "seoul-mapo-seogyo",
    category: "question",
    title,
    body,
  });
  const opened = await chromium.openAs(author.email, author.password);
  return { author, post, ...opened };
}

/** What a picky neighbour found walking the app on a phone, fixed: each test fails on the screens as they were. */
describe.skipIf(!chromiumPath)("the app as a picky Korean neighbour uses it", () => {
  const chromium = useChromium();

  test("at 390 px nothing widens the page: a post's long first line, the host form's long product names, the console tabs", async () => {
    const title = `주차 문의 ${Date.now()}`;
    const { context, page, problems } = await authorWithPost(
      chromium,
      "긴글이웃",
      title,
      "토요일 픽업 때 차를 가져가도 될까요? 주차 가능한 곳 아시면 알려 주세요. 망원시장 공영주차장도 괜찮아요.",
    );
    await page.goto(`${baseUrl}/board`);
    await page.getByRole("heading", { name: title }).waitFor();
    expect(await sideways(page)).toBe(0); // was 164 px: the excerpt's one line set the page's width
    await shot(page, "polish-board-390-ko");

    // The host form (a product list with sellers' names) and its date-and-time pairs, one under the other.
    await page.goto(`${baseUrl}/host`);
    await page.getByTestId("gb-form").waitFor();
    expect(await sideways(page)).toBe(0); // was 57 px
    const start = await page.getByRole("group", { name: "픽업 시작" }).boundingBox();
    const end = await page.getByRole("group", { name: "픽업 종료" }).boundingBox();
    expect(end!.y).toBeGreaterThan(start!.y + start!.height); // side by side, the time was cut off
    expect(await page.getByLabel("내가 살 몫").inputValue()).toBe("1"); // the form's unit: it said 개수 beside 총 몫
    await shot(page, "polish-host-390-ko");
    await context.close();

    // Every console section is in sight on a phone ('정산', '차트' were scrolled off the right edge).
    const admin = await chromium.openAs(DEMO_ADMIN.email);
    await admin.page.goto(`${baseUrl}/admin/approvals`);
    const tabs = admin.page.getByRole("navigation", { name: "관리자" }).getByRole("link");
    await tabs.first().waitFor();
    for (const box of await Promise.all((await tabs.all()).map((tab) => tab.boundingBox()))) {
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    // Korean wraps between words: a date does not break inside 오후, a button not inside 정지.
    expect(await admin.page.evaluate(() => getComputedStyle(document.body).wordBreak)).toBe("keep-all");
    await shot(admin.page, "polish-admin-tabs-390-ko");
    expect([...problems, ...admin.problems]).toEqual([]);
    await admin.context.close();
  });

  test("a notification opens what it is about, with its time, and counts as read", async () => {
    const author = await newVerifiedBuyer("알림이웃");
    const title = `알림 글 ${Date.now()}`;
    const post = await author.sdk.board.create.mutate({
      regionId: "seoul-mapo-seogyo",
      category: "sharing",
      title,
      body: "상추가 너무 많아서 나눠요.",
    });
    const neighbour = await sdkAs(DEMO_SELLERS[0].email); // 마포청과, 서교동
    await neighbour.board.comment.mutate({ postId: post.id, body: "저 주세요!" });

    const { context, page, problems } = await chromium.openAs(author.email, author.password);
    await page.goto(baseUrl);
    await page.getByTestId("unread-badge").waitFor();
    await page.getByRole("navigation", { name: "주요 메뉴" }).getByRole("link", { name: /알림/ }).click();
    const notice = page.getByTestId("notice-link").filter({ hasText: title });
    // how long ago, as Korean feeds say it; the exact day and time on hover
    await expect.poll(() => notice.textContent()).toMatch(/(지금|\d+분 전)$/);
    expect(await notice.locator("time").getAttribute("title")).toMatch(
      /^\d{1,2}월 \d{1,2}일 \([일월화수목금토]\) 오[전후] \d{1,2}:\d{2}$/,
    );
    await shot(page, "polish-notifications-ko");
    // each screen names the tab (history, tab switcher, screen readers): it was "공구 Gonggu" everywhere
    expect(await page.title()).toBe("알림 · 공구");
    await notice.click();
    await page.getByRole("heading", { name: title }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/board/${post.id}`);
    await expect.poll(() => page.title()).toBe(`${title} · 공구`);
    // the comment says when, and its actions stand apart (side by side, '답글 신고' read as one phrase)
    const comment = page.getByTestId("comment").filter({ hasText: "저 주세요!" });
    expect(await comment.locator(".comment-meta").textContent()).toMatch(/^(지금|\d+분 전)답글신고$/);
    await page.getByTestId("unread-badge").waitFor({ state: "detached" });
    // and back: the inbox shows it read
    await page.goBack();
    await expect.poll(() => notice.getAttribute("class")).not.toMatch(/\bunread\b/);
    expect(problems).toEqual([]);
    await context.close();
  });

  test("deleting one's own post asks first, and backing out keeps it", async () => {
    const title = `지울까 말까 ${Date.now()}`;
    const { author, post, context, page, problems } = await authorWithPost(
      chromium,
      "삭제이웃",
      title,
      "이 글은 지워질 수도 있어요.",
    );
    await page.goto(`${baseUrl}/board/${post.id}`);
    await page.getByRole("heading", { name: title }).waitFor();
    await page.getByRole("button", { name: "글 삭제" }).click();
    const dialog = page.getByRole("alertdialog", { name: "이 글을 삭제할까요?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("되돌릴 수 없어요");
    await shot(page, "polish-delete-confirm-ko");
    await page.keyboard.press("Escape"); // focus starts on the way back; Escape backs out
    await dialog.waitFor({ state: "hidden" });
    expect(new URL(page.url()).pathname).toBe(`/board/${post.id}`);
    expect((await author.sdk.board.get.query({ id: post.id })).title).toBe(title);

    await page.getByRole("button", { name: "글 삭제" }).click();
    await dialog.getByRole("button", { name: "삭제하기" }).click();
    await page.getByRole("heading", { name: "동네 게시판" }).waitFor();
    await expect(author.sdk.board.get.query({ id: post.id })).rejects.toThrow();
    expect(problems).toEqual([]);
    await context.close();
  });

  test("a seller whose device is on UTC opens a buy in Korean time, is told it opened, and buyers see what a share is", async () => {
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const product = await seller.products.create.mutate({
      title: `무농약 감자 ${Date.now()}`,
      category: "fresh",
      totalQuantity: 10,
      unit: "kg",
      totalPrice: 30_000,
    });
    // A KST day three days on, 18:00–20:00 Korean time, typed into the form as a seller would.
    const day = new Date(Date.now() + KST + 3 * DAY).toISOString().slice(0, 10);
    const { context, page, problems } = await chromium.openAs(DEMO_SELLERS[0].email, undefined, {
      timezoneId: "UTC",
      locale: "en-US",
    });
    await page.goto(`${baseUrl}/seller/new`);
    const form = page.getByTestId("gb-form");
    await form.getByLabel("상품").selectOption(product.id);
    await form.getByLabel("총 몫").fill("3");
    await form.getByLabel("최소 성사 몫").fill("2");
    await form.getByLabel("1인 최대 몫").fill("3");
    await form.getByLabel("픽업 장소").fill("서교동 주민센터 앞");
    // Days and times read the Korean way in an American browser: its own datetime field said "12/04/2026, 06:00 PM".
    expect(await form.locator('input[type="datetime-local"]').count()).toBe(0);
    const pick = async (label: string, date: string, time: string) => {
      await form.getByLabel(`${label} 날짜`, { exact: true }).selectOption(date);
      await form.getByLabel(`${label} 시간`, { exact: true }).selectOption(time);
    };
    await pick("픽업 시작", day, "18:00");
    await pick("픽업 종료", day, "20:00");
    const shown = (label: string) => form.getByLabel(label, { exact: true }).locator("option:checked").textContent();
    expect(await shown("픽업 시작 날짜")).toMatch(/^\d{1,2}월 \d{1,2}일 \([월화수목금토일]\)$/);
    expect(await shown("픽업 시작 시간")).toBe("오후 6:00");
    expect(await shown("모집 마감 시간")).toBe("오후 9:00"); // tomorrow evening by default, not 24 h from now
    await form.getByRole("button", { name: "공구 열기", exact: true }).click();

    const card = page.getByTestId("seller-gb").filter({ hasText: product.title });
    await card.waitFor();
    const id = (await card.getAttribute("data-id"))!;
    const buy = await seller.groupBuys.get.query({ id });
    expect(new Date(buy.pickupStart + KST).toISOString().slice(0, 16)).toBe(`${day}T18:00`); // was 03:00 the next day

    // Not a silent list: it says the buy is open, by name.
    const created = page.getByTestId("seller-gb-created");
    await expect
      .poll(() => created.textContent())
      .toBe(`'${product.title}' 공구를 열었어요. 이웃들이 지금부터 참여할 수 있어요.`);
    await shot(page, "polish-seller-created-ko");

    await page.goto(`${baseUrl}/g/${id}`);
    await page.getByRole("heading", { name: product.title }).waitFor();
    expect(await page.locator(".facts").textContent()).toContain("오후 6:00");
    // opened by the seller, not hosted by a neighbour
    expect(await page.getByTestId("gb-host").textContent()).toMatch(/^판매자가 직접 여는 공구/);
    // the window's day once, not '2026. 12. 7. 오후 6:00 – 2026. 12. 7. 오후 8:00', and as Korean apps write it
    expect(await page.getByTestId("gb-pickup-window").textContent()).toMatch(
      /^(\d{4}년 )?\d{1,2}월 \d{1,2}일 \([일월화수목금토]\) 오후 6:00 ~ 오후 8:00$/,
    );
    // What one share is (10 kg in 3), and the counts with their unit, not bare numbers.
    expect(await page.getByTestId("gb-share-size").textContent()).toBe("약 3.33kg");
    const facts = await page.locator(".facts").textContent();
    expect(facts).toMatch(/최소 성사2몫/);
    expect(facts).toMatch(/1인 최대3몫/);
    await shot(page, "polish-groupbuy-share-ko");
    // and the form says its times are Korean time
    await page.goto(`${baseUrl}/seller/new`);
    expect(await page.getByTestId("gb-form").textContent()).toContain("한국 시간");

    // Archiving a product that is refused (the session ended meanwhile) says why beside it; it did nothing before.
    await page.goto(`${baseUrl}/seller/products`);
    const row = page.getByTestId("products").locator("li").filter({ hasText: product.title });
    await row.getByRole("button", { name: "보관" }).waitFor();
    await page.context().clearCookies();
    await row.getByRole("button", { name: "보관" }).click();
    await expect
      .poll(() => row.locator(".error[role=alert]").textContent())
      .toBe("로그인이 풀렸어요. 다시 로그인해 주세요.");
    expect(problems.filter((p) => !p.includes("status of 401 "))).toEqual([]);
    await context.close();
  });

  test("leaving a buy asks first (backing out keeps the shares); the wallet line of the join leads to the buy", async () => {
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const { groupBuy } = await offerInSeogyo(
      seller,
      { title: `대파 한 단 ${Date.now()}`, category: "fresh", totalQuantity: 4, unit: "단", totalPrice: 8_000 },
      { totalShares: 4, minShares: 2, maxPerPerson: 2 },
    );
    const buyer = await newVerifiedBuyer("지갑이웃");
    await (await adminSdk()).admin.wallet.grant.mutate({
      userId: buyer.id,
      amount: 10_000,
      reason: "polish wallet test",
      idempotencyKey: `polish-wallet-${groupBuy.id}`,
    });
    await buyer.sdk.groupBuys.join.mutate({ id: groupBuy.id, shares: 1, idempotencyKey: `polish-join-${groupBuy.id}` });
    const { context, page, problems } = await chromium.openAs(buyer.email, buyer.password);
    await page.goto(`${baseUrl}/g/${groupBuy.id}`);
    await expect.poll(() => page.getByTestId("gb-mine").textContent()).toBe("1몫");
    await page.getByRole("button", { name: "참여 취소" }).click();
    const dialog = page.getByRole("alertdialog", { name: "참여를 취소할까요?" });
    expect(await dialog.textContent()).toContain("1몫 참여를 취소하고");
    await shot(page, "polish-leave-confirm-ko");
    await dialog.getByRole("button", { name: "계속 참여하기" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await page.getByTestId("gb-mine").textContent()).toBe("1몫"); // it left on one tap

    await page.goto(`${baseUrl}/wallet`);
    const link = page.getByTestId("wallet-line-groupbuy").first();
    await expect.poll(() => link.textContent()).toBe("공구 참여");
    // one word for held points on this screen (묶인 금액, 묶임): not 보류, and an open buy's hold is not "처리 중"
    expect(await page.getByTestId("wallet-history").locator("li").first().textContent()).toContain(" · 공구 진행 중");
    await link.click();
    await page.getByRole("heading", { name: groupBuy.title }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/g/${groupBuy.id}`);
    expect(problems).toEqual([]);
    await context.close();
  });
});
