import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import { adminSdk, newVerifiedBuyer } from "./lib/buyers.ts";
import { baseUrl, chromiumPath, QUEUE_WAIT, sdkAs, shot, useChromium } from "./lib/harness.ts";
import { offerInSeogyo } from "./lib/offers.ts";

const HOUR = 3600_000;
const TEST_CARD = "4242 4242 4242 4242";

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "주요 메뉴" }).getByRole("link", { name });
/** Chromium logs every 4xx/5xx response as a console error; a test names the ones it provokes on purpose. */
const unexpected = (problems: string[], ...statuses: number[]) =>
  problems.filter((p) => !statuses.some((s) => p.includes(`status of ${s} `)));

describe.skipIf(!chromiumPath)("buyer wallet, payments and membership in Chromium", () => {
  const chromium = useChromium();

  test("short of points, a buyer tops up by card (Korean field errors first) and joins", async () => {
    const buyer = await newVerifiedBuyer("충전이웃");
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const { product, groupBuy: gb } = await offerInSeogyo(
      seller,
      { title: `유기농 달걀 30구 ${Date.now()}`, category: "fresh", totalQuantity: 30, unit: "구", totalPrice: 50_000 },
      { totalShares: 10, minShares: 5, maxPerPerson: 4 },
    );

    const { context, page, problems } = await chromium.openAs(buyer.email, buyer.password);
    await page.goto(`${baseUrl}/g/${gb.id}`);
    await page.getByRole("heading", { name: product.title }).waitFor();
    await page.getByLabel("몇 몫 참여할까요?").fill("2");
    await page.getByRole("button", { name: "참여하기" }).click();
    // The refusal is worded from its reason code and amount, not the server's English.
    await page.getByText("포인트가 10,000원 부족해요. 지갑에서 충전한 뒤 다시 시도해 주세요.").waitFor();
    // Fewer shares after the refusal is a new join (a new key), not the refused one replayed with other parameters
    // (CONFLICT): it is refused for its own amount.
    await page.getByLabel("몇 몫 참여할까요?").fill("1");
    await page.getByRole("button", { name: "참여하기" }).click();
    await page.getByText("포인트가 5,000원 부족해요. 지갑에서 충전한 뒤 다시 시도해 주세요.").waitFor();

    // the refusal leads to the wallet it names
    await page.getByRole("link", { name: "지갑에서 충전하기" }).click();
    await page.getByRole("heading", { name: "포인트 충전" }).waitFor();
    await page.getByLabel("충전 금액").fill("");
    // emptied, the button does not offer to top up 0원
    expect(await page.locator("form button[type=submit]").filter({ hasText: "충전하기" }).textContent()).toBe(
      "충전하기",
    );
    await page.getByLabel("충전 금액").fill("1500");
    // grouped as typed, the way payment screens show won (it read 1500)
    expect(await page.getByLabel("충전 금액").inputValue()).toBe("1,500");
    await page.getByRole("button", { name: /충전하기$/ }).click();
    await expect.poll(() => page.locator("#field-amount-error").textContent()).toBe("1,000원 단위로 입력해 주세요.");
    expect(await page.getByLabel("충전 금액").getAttribute("aria-invalid")).toBe("true");

    await page.getByRole("button", { name: "10,000원", exact: true }).click();
    expect(await page.getByLabel("충전 금액").inputValue()).toBe("10,000");
    await page.getByRole("button", { name: "10,000원 충전하기" }).click();
    await expect.poll(() => page.getByTestId("charge-outcome").textContent()).toBe("10,000원 충전됐어요.");
    await expect.poll(() => page.getByTestId("wallet-available").textContent()).toBe("10,000원");
    await page.getByTestId("recent-charges").getByText("결제 완료").waitFor();
    await expect.poll(() => page.getByTestId("refundable").textContent()).toBe("환불 가능: 10,000원");
    await page.getByTestId("wallet-history").getByText("충전", { exact: true }).waitFor();
    // the month's statement on the same screen follows the top-up (it kept the 0원 it first loaded)
    await expect.poll(() => page.getByTestId("statement-closing").textContent()).toBe("10,000원");
    // its totals carry a direction like the history's lines (충전 read 10,000원 there, +10,000원 here)
    expect(await page.getByTestId("statement").textContent()).toContain("충전+10,000원");
    await shot(page, "wallet-charged-ko");

    await page.goto(`${baseUrl}/g/${gb.id}`);
    await page.getByLabel("몇 몫 참여할까요?").fill("2");
    expect(await page.getByTestId("gb-receipt").textContent()).toBe("2몫 × 5,000원 = 10,000원");
    await page.getByRole("button", { name: "참여하기" }).click();
    await expect.poll(() => page.getByTestId("gb-mine").textContent()).toBe("2몫");
    await shot(page, "groupbuy-joined-after-charge-ko");

    await nav(page, "지갑").click();
    await expect.poll(() => page.getByTestId("wallet-held").textContent()).toBe("10,000원");
    await expect.poll(() => page.getByTestId("wallet-available").textContent()).toBe("0원");
    // 10,000원 charged and 0원 available: the card says where the difference is and when it comes back
    expect(await page.getByTestId("wallet-held-hint").textContent()).toBe(
      "묶인 금액은 사용 가능 금액에서 빠져 있어요. 공구가 성사되면 결제되고, 참여를 취소하거나 공구가 무산되면 다시 쓸 수 있어요.",
    );

    expect(unexpected(problems, 400, 412)).toEqual([]);
    await context.close();
  });

  test("PG down: consent, card encrypted in the browser, points now; the queue charges it when the PG is back", async () => {
    const buyer = await newVerifiedBuyer("외상이웃");
    const admin = await adminSdk();
    const { context, page, problems } = await chromium.openAs(buyer.email, buyer.password);
    const sent: string[] = [];
    page.on("request", (r) => {
      const body = r.postData();
      if (body) sent.push(body);
    });
    await page.goto(baseUrl);
    await nav(page, "지갑").click();
    await page.getByRole("heading", { name: "포인트 충전" }).waitFor();
    // The gateway's public key is fetched while it still answers.
    await page.waitForFunction(() => sessionStorage.getItem("gonggu.pgKey") !== null);

    await admin.admin.gateway.set.mutate({ mode: "down" });
    try {
      await page.getByRole("button", { name: "30,000원", exact: true }).click();
      await page.getByRole("button", { name: "30,000원 충전하기" }).click();
      const consent = page.getByTestId("deferred-consent");
      await consent.waitFor();
      const text = await consent.textContent();
      expect(text).toContain("포인트 30,000원은 지금 바로 지갑에 들어와요.");
      expect(text).toContain("결제 대기 포인트는 한 사람당 100,000원까지예요. 지금 100,000원 더 받을 수 있어요.");
      expect(text).toContain("암호화");
      await shot(page, "wallet-deferred-consent-ko");

      await page.getByLabel("카드 번호").fill(TEST_CARD);
      await page.getByLabel("유효기간 (MM/YY)").fill("12/30");
      await page.getByRole("button", { name: "동의하고 30,000원 받기" }).click();
      await expect
        .poll(() => page.getByTestId("deferred-error").textContent())
        .toBe("동의해야 결제 대기 충전을 할 수 있어요.");
      await page.getByLabel("위 내용을 확인했고 동의합니다").check();
      await page.getByRole("button", { name: "동의하고 30,000원 받기" }).click();

      await expect
        .poll(() => page.getByTestId("charge-outcome").textContent())
        .toContain("포인트 30,000원을 먼저 드렸어요");
      await expect.poll(() => page.getByTestId("wallet-available").textContent()).toBe("30,000원");
      const line = page.getByTestId("pending-list").getByTestId("charge-line");
      await expect.poll(() => line.getAttribute("data-status")).toBe("deferred");
      expect(await line.textContent()).toContain("결제 대기 (카드사 복구 후 결제)");
      expect(await page.getByTestId("pending-charges").textContent()).toContain(
        "결제 대기 포인트 30,000원 / 한도 100,000원",
      );
      // Points on credit are not refundable until the card is charged.
      expect(await page.getByTestId("refundable").textContent()).toBe("환불 가능: 0원");
      await shot(page, "wallet-deferred-pending-ko");
    } finally {
      await admin.admin.gateway.set.mutate({ mode: "up" });
    }

    // The card left the browser only as the gateway's ciphertext.
    const digits = TEST_CARD.replace(/ /g, "");
    expect(sent.filter((b) => b.includes(digits) || b.includes(TEST_CARD))).toEqual([]);
    expect(sent.some((b) => /"encryptedCard":"v1\.[\w-]+\.[\w-]{300,}"/.test(b))).toBe(true);

    // The queue's retry charges the card once the gateway answers; the page follows it without a reload.
    const paid = page.getByTestId("recent-charges").locator('[data-status="succeeded"]');
    await expect.poll(() => paid.count(), { timeout: 45_000, interval: 500 }).toBe(1);
    await page.getByText("진행 중인 충전이 없어요.").waitFor();
    expect(await paid.textContent()).toContain("암호화한 카드");
    await expect.poll(() => page.getByTestId("refundable").textContent()).toBe("환불 가능: 30,000원");
    await shot(page, "wallet-deferred-paid-ko");

    await page.getByRole("button", { name: "전액" }).click();
    expect(await page.getByLabel("환불 금액").inputValue()).toBe("30,000");
    await page.getByRole("button", { name: "환불 요청" }).click();
    await expect.poll(() => page.getByTestId("refund-outcome").textContent()).toBe("30,000원 환불됐어요.");
    await expect.poll(() => page.getByTestId("wallet-available").textContent()).toBe("0원");

    expect(unexpected(problems, 503)).toEqual([]);
    await context.close();
  });

  test("a refund whose answer was lost is sent again with the same key: the card gets it back once", async () => {
    const buyer = await newVerifiedBuyer("환불이웃");
    const id = `${Date.now()}${Math.random().toString(36).slice(2, 8)}`;
    await buyer.sdk.wallet.charge.mutate({
      amount: 30_000,
      idempotencyKey: `refund-lost-${id}`,
      paymentMethod: { type: "card", paymentKey: `pk_${id}`, orderId: `o-refund-${id}` },
    });
    const { context, page } = await chromium.openAs(buyer.email, buyer.password);
    await page.goto(baseUrl);
    await nav(page, "지갑").click();
    await expect.poll(() => page.getByTestId("refundable").textContent()).toBe("환불 가능: 30,000원");
    await page.getByLabel("환불 금액").fill("10000");
    // The server refunds, but the answer never reaches the page (the connection drops on the way back).
    let served = 0;
    await page.route(
      /\/api\/trpc\/wallet\.refund/,
      async (route) => {
        await route.fetch();
        served++;
        await route.abort("failed");
      },
      { times: 1 },
    );
    await page.getByRole("button", { name: "환불 요청" }).click();
    await expect.poll(() => served).toBe(1);
    await page.locator('section[aria-labelledby="refund-heading"] [role="alert"]').waitFor();
    // The buyer presses again: the same request, so the first refund's answer, not a second refund.
    await page.getByRole("button", { name: "환불 요청" }).click();
    await expect.poll(() => page.getByTestId("refund-outcome").textContent()).toBe("10,000원 환불됐어요.");
    expect(await buyer.sdk.wallet.get.query()).toMatchObject({ charged: 20_000 });
    await context.close();
  });

  test("pressing again while a charge whose answer was lost is still running charges the card once", async () => {
    const buyer = await newVerifiedBuyer("재시도이웃");
    const admin = await adminSdk();
    const { context, page } = await chromium.openAs(buyer.email, buyer.password);
    await page.goto(baseUrl);
    await nav(page, "지갑").click();
    await page.getByRole("heading", { name: "포인트 충전" }).waitFor();
    // The gateway takes 4 s; the connection drops while the server is still charging.
    await admin.admin.gateway.set.mutate({ mode: "slow", delayMs: 4_000 });
    try {
      let first: Promise<unknown> | null = null;
      await page.route(
        /\/api\/trpc\/wallet\.charge/,
        async (route) => {
          first = route.fetch().catch(() => null);
          await new Promise((r) => setTimeout(r, 1_000));
          await route.abort("failed");
        },
        { times: 1 },
      );
      const press = () => page.getByRole("button", { name: "10,000원 충전하기" }).click();
      const error = page.locator('section[aria-labelledby="charge-heading"] [role="alert"]');
      await press();
      await expect.poll(() => first !== null).toBe(true);
      await error.waitFor();
      // pressed again at once: the server says the first request is still running
      await press();
      const network = "서버에 연결할 수 없어요. 네트워크를 확인해 주세요.";
      await expect.poll(() => error.textContent()).not.toBe(network);
      const busy = await error.textContent();
      await first;
      // and once more after it finished: the first charge's answer, not a second card payment
      await press();
      await expect.poll(() => page.getByTestId("charge-outcome").textContent()).toBe("10,000원 충전됐어요.");
      expect(await buyer.sdk.wallet.get.query()).toMatchObject({ charged: 10_000 });
      // the refusal said to press again, not to reload (a reload starts a new charge)
      expect(busy).toBe("앞선 요청을 아직 처리하고 있어요. 잠시 후 다시 눌러 주세요.");
    } finally {
      await admin.admin.gateway.set.mutate({ mode: "up" });
    }
    await context.close();
  });

  test("home feed: category and status filters, infinite scroll over cursor pages, 추천 still there", async () => {
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const run = Date.now().toString(36);
    const now = Date.now();
    const titles: string[] = [];
    // More than one page (FEED_PAGE = 10) of one category, newest last.
    for (let i = 1; i <= 12; i++) {
      const product = await seller.products.create.mutate({
        title: `수분 크림 ${run} #${i}`,
        category: "beauty",
        totalQuantity: 10,
        unit: "개",
        totalPrice: 20_000,
      });
      await seller.groupBuys.create.mutate({
        productId: product.id,
        regionId: "seoul-mapo-seogyo",
        totalShares: 10,
        minShares: 2,
        maxPerPerson: 5,
        deadline: now + 26 * HOUR,
        pickupPlace: "서교동 주민센터 앞",
        pickupStart: now + 30 * HOUR,
        pickupEnd: now + 34 * HOUR,
      });
      titles.push(product.title);
    }
    const buyer = await newVerifiedBuyer("피드이웃");
    const { context, page, problems } = await chromium.openAs(buyer.email, buyer.password);
    await page.goto(baseUrl);
    await page.getByRole("heading", { name: "추천" }).waitFor();

    await page.getByLabel("품목").selectOption("beauty");
    const ours = page.getByTestId("feed-item").filter({ hasText: `수분 크림 ${run}` });
    await expect.poll(() => ours.count()).toBe(10);
    // Newest first: #12 … #3 on the first page.
    expect(await ours.first().getByRole("heading").textContent()).toBe(titles[11]);
    await shot(page, "home-feed-filtered-ko");
    await page.getByTestId("feed-item").last().scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 4000);
    await expect.poll(() => ours.count()).toBe(12);
    await page.getByTestId("feed-end").waitFor();
    expect(await page.getByTestId("feed-end").textContent()).toBe("마지막 공구까지 봤어요.");

    await page.getByLabel("상태").selectOption("COMPLETED");
    await page.getByText("조건에 맞는 공구가 없어요.").waitFor();
    expect(await ours.count()).toBe(0);
    await page.getByLabel("상태").selectOption("OPEN");
    await expect.poll(() => ours.count()).toBe(10);
    await page.getByRole("heading", { name: "추천" }).waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });

  test("membership: tier and the way to the next, Plus subscribe and cancel, reward points", async () => {
    const buyer = await newVerifiedBuyer("멤버이웃");
    const admin = await adminSdk();
    await admin.admin.wallet.grant.mutate({
      userId: buyer.id,
      amount: 10_000,
      reason: "browser test points",
      idempotencyKey: `membership-${buyer.id}`,
    });
    const { context, page, problems } = await chromium.openAs(buyer.email, buyer.password);
    await page.goto(baseUrl);
    await nav(page, "내 정보").click();
    await page.getByRole("link", { name: "멤버십" }).click();
    await page.getByRole("heading", { name: "멤버십", exact: true }).waitFor();

    expect(await page.getByTestId("tier-name").textContent()).toBe("새싹");
    expect(await page.getByTestId("tier-spend").textContent()).toBe("0원");
    expect(await page.getByTestId("tier-next").textContent()).toBe("이웃 등급까지 100,000원 남았어요");
    expect(await page.getByTestId("plus-status").textContent()).toBe("가입하지 않았어요.");
    const rewards = page.getByTestId("rewards");
    expect(await rewards.textContent()).toContain("사용 가능 10,000원");
    expect(await rewards.textContent()).toContain("소멸 기한 없음: 10,000원");
    await shot(page, "membership-ko");

    await page.getByRole("button", { name: "4,900원으로 가입하기" }).click();
    await expect.poll(() => page.getByTestId("plus-status").textContent()).toMatch(/^이용 중 · .+까지$/);
    expect(await page.getByTestId("plus-renewal").textContent()).toMatch(/에 4,900원이 포인트에서 자동 결제돼요\.$/);
    // Paid from reward points first.
    await expect.poll(() => rewards.textContent()).toContain("사용 가능 5,100원");
    await shot(page, "membership-plus-ko");

    await page.getByRole("button", { name: "자동 갱신 해지" }).click();
    await expect.poll(() => page.getByTestId("plus-renewal").textContent()).toMatch(/^해지 예약됨: .+까지 이용하고/);
    await page.getByRole("button", { name: "자동 갱신 다시 켜기" }).waitFor();
    expect(await page.getByTestId("reward-lots").count()).toBe(0);

    // A completed purchase earns reward points as a lot with an expiry: the list shows it with its date.
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const { groupBuy: gb } = await offerInSeogyo(
      seller,
      { title: `멤버십 사과 ${Date.now()}`, category: "fresh", totalQuantity: 1, unit: "상자", totalPrice: 5_000 },
      { totalShares: 2, minShares: 2, maxPerPerson: 2 },
    );
    await buyer.sdk.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: `lot-${gb.id}` });
    await seller.groupBuys.markOrdered.mutate({ id: gb.id });
    await seller.groupBuys.markReady.mutate({ id: gb.id });
    await expect.poll(async () => (await buyer.sdk.wallet.get.query()).held, QUEUE_WAIT).toBe(0);
    await buyer.sdk.groupBuys.confirmPickup.mutate({ id: gb.id });
    // Rewards are granted by the queue's purchaseCompleted job.
    await expect
      .poll(async () => (await buyer.sdk.membership.get.query()).rewards.lots.length, {
        ...QUEUE_WAIT,
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    const [lot] = (await buyer.sdk.membership.get.query()).rewards.lots;
    await page.reload();
    const lots = page.getByTestId("reward-lots");
    await lots.waitFor();
    const won = (n: number) => `${new Intl.NumberFormat("ko-KR").format(n)}원`;
    // the Korean day it expires on, a year out: so with its year, "2027년 12월 4일 (토)"
    const kst = new Date(lot.expiresAt + 9 * HOUR);
    const expires = `${kst.getUTCFullYear()}년 ${kst.getUTCMonth() + 1}월 ${kst.getUTCDate()}일 (${"일월화수목금토"[kst.getUTCDay()]})`;
    expect(await lots.getByRole("listitem").count()).toBe((await buyer.sdk.membership.get.query()).rewards.lots.length);
    expect(await lots.textContent()).toContain(`${won(lot.earned)} 중 ${won(lot.remaining)} 남음`);
    expect(await lots.textContent()).toContain(`${expires} 소멸`);
    // A year out (REWARD.lifetimeMonths = 12), not already expiring.
    expect(lot.expiresAt - Date.now()).toBeGreaterThan(360 * 24 * HOUR);
    await shot(page, "membership-reward-lot-ko");

    expect(problems).toEqual([]);
    await context.close();
  });
});
