import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { ROOT } from "../../scripts/lib/proc.ts";
import { DEMO_ADMIN, DEMO_BUYERS, DEMO_PASSWORD, DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import { createGongguClient } from "../../shared/sdk.ts";
import { launchChromium } from "./lib/chromium.ts";
import { PHONE, watchConsole } from "./lib/page.ts";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");
const SHOTS = path.join(ROOT, "test-results", "browser");
const HOUR = 3600_000;

async function sdkAs(email: string) {
  const { token } = await createGongguClient({ url: baseUrl }).auth.login.mutate({
    email,
    password: DEMO_PASSWORD,
    tokenKind: "bearer",
  });
  return createGongguClient({ url: baseUrl, token: token! });
}

async function logInAs(page: Page, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("이메일").fill(email);
  await page.getByLabel("비밀번호").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "로그인" }).click();
  await page.getByRole("navigation").waitFor();
}

describe.skipIf(!chromiumPath)("group buy detail in Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  test("a buyer joins with a share picker and receipt, sees a neighbour's join fill the bar live, then leaves", async () => {
    // A seller in 서교동 offers 10 shares; two neighbours get promotional points to pay with.
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const product = await seller.products.create.mutate({
      title: `제주 감귤 10kg ${Date.now()}`,
      category: "fresh",
      totalQuantity: 10,
      unit: "kg",
      totalPrice: 50_000,
    });
    const now = Date.now();
    const { groupBuy: gb } = await seller.groupBuys.create.mutate({
      productId: product.id,
      regionId: "seoul-mapo-seogyo",
      totalShares: 10,
      minShares: 5,
      maxPerPerson: 4,
      deadline: now + 26 * HOUR,
      pickupPlace: "서교동 주민센터 앞",
      pickupStart: now + 30 * HOUR,
      pickupEnd: now + 34 * HOUR,
    });
    const admin = await sdkAs(DEMO_ADMIN.email);
    const buyer = DEMO_BUYERS[0]; // 김민지
    for (const user of [buyer, DEMO_ADMIN]) {
      await admin.admin.wallet.grant.mutate({
        userId: user.id,
        amount: 30_000,
        reason: "browser test points",
        idempotencyKey: `spa-gb-${gb.id}-${user.id}`,
      });
    }

    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logInAs(page, buyer.email);
    await page.getByRole("link", { name: product.title }).first().click();
    await page.getByRole("heading", { name: product.title }).waitFor();
    const fill = page.getByTestId("gb-fill");
    await expect.poll(() => fill.textContent()).toContain("10개 중 10개 남음");
    expect(await page.getByTestId("gb-countdown").textContent()).toMatch(/^1일 \d+시간 남음$/);

    await page.getByLabel("몇 개 살까요?").fill("2");
    expect(await page.getByTestId("gb-receipt").textContent()).toBe("2개 × ₩5,000 = ₩10,000");
    await page.getByRole("button", { name: "참여하기" }).click();
    await expect.poll(() => fill.textContent()).toContain("10개 중 8개 남음");
    await expect.poll(() => page.getByTestId("gb-mine").textContent()).toBe("2개");
    await page.screenshot({ path: path.join(SHOTS, "groupbuy-joined-ko.png"), fullPage: true });

    // A neighbour joins elsewhere: the bar moves without a reload.
    await admin.groupBuys.join.mutate({ id: gb.id, shares: 3, idempotencyKey: `spa-join-${gb.id}` });
    await expect.poll(() => fill.textContent(), { timeout: 10_000 }).toContain("10개 중 5개 남음");

    await page.getByRole("button", { name: "참여 취소" }).click();
    await expect.poll(() => fill.textContent()).toContain("10개 중 7개 남음");
    await expect.poll(() => page.getByTestId("gb-mine").textContent()).toBe("0개");
    await page.screenshot({ path: path.join(SHOTS, "groupbuy-left-ko.png"), fullPage: true });

    expect(problems).toEqual([]);
    await context.close();
  });
});
