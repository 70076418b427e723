import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_ADMIN, DEMO_BUYERS, DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import { baseUrl, chromiumPath, sdkAs, shot, signedInState, useChromium } from "./lib/harness.ts";
import { offerInSeogyo } from "./lib/offers.ts";
import { PHONE, watchConsole } from "./lib/page.ts";

const lines = (page: Page) => page.getByTestId("chat").getByTestId("chat-line").allTextContents();

describe.skipIf(!chromiumPath)("group-buy chat in Chromium", () => {
  const chromium = useChromium();

  test("a neighbour reads only until she joins; she and the seller chat live in two browsers; a reported line deleted by an admin", async () => {
    const sellerAccount = DEMO_SELLERS[0]; // 서교동
    const seller = await sdkAs(sellerAccount.email);
    const { product, groupBuy: gb } = await offerInSeogyo(
      seller,
      {
        title: `서교동 햅쌀 20kg ${Date.now()}`,
        category: "fresh",
        totalQuantity: 20,
        unit: "kg",
        totalPrice: 80_000,
      },
      { totalShares: 10, minShares: 5, maxPerPerson: 2 },
    );
    const buyer = DEMO_BUYERS[0]; // 김민지, 서교동
    const admin = await sdkAs(DEMO_ADMIN.email);
    await admin.admin.wallet.grant.mutate({
      userId: buyer.id,
      amount: 20_000,
      reason: "browser chat test points",
      idempotencyKey: `spa-chat-${gb.id}`,
    });

    const contexts = await Promise.all([
      chromium.browser().newContext({ viewport: PHONE, storageState: await signedInState(buyer.email) }),
      chromium.browser().newContext({ viewport: PHONE, storageState: await signedInState(sellerAccount.email) }),
    ]);
    const [minji, farm] = await Promise.all(contexts.map((c) => c.newPage()));
    const problems = [...watchConsole(minji), ...watchConsole(farm)];
    for (const page of [minji, farm]) {
      await page.goto(`${baseUrl}/g/${gb.id}`);
      await page.getByRole("heading", { name: product.title }).waitFor();
    }

    // Not in the buy yet: she can read but not write, as the room says.
    await minji.getByTestId("chat-readonly").waitFor();
    expect(await minji.getByTestId("chat-readonly").textContent()).toBe(
      "참여자, 공구장, 판매자만 메시지를 보낼 수 있어요.",
    );
    // and the empty room does not ask her to say hello, which she cannot (the seller, who can, is asked)
    expect(await minji.getByTestId("chat-empty").textContent()).toBe("아직 메시지가 없어요.");
    await expect
      .poll(() => farm.getByTestId("chat-empty").textContent())
      .toBe("아직 메시지가 없어요. 첫 인사를 남겨 보세요.");

    // The seller greets the room; she sees it live.
    const farmBox = farm.getByLabel("메시지 입력");
    await farmBox.fill("안녕하세요, 햅쌀 내일 도정해요!");
    await farmBox.press("Enter");
    await expect
      .poll(() => lines(minji), { timeout: 10_000 })
      .toEqual([expect.stringContaining("안녕하세요, 햅쌀 내일 도정해요!")]);

    // She joins on the page: the room announces it to both, and her message box appears.
    await minji.getByRole("button", { name: "참여하기" }).click();
    await expect
      .poll(() => farm.getByTestId("chat-system").allTextContents(), { timeout: 10_000 })
      .toContain("김민지님이 참여했어요.");
    const minjiBox = minji.getByLabel("메시지 입력");
    await minjiBox.waitFor();
    await minjiBox.fill("저도 참여했어요. 픽업은 저녁에 가능할까요?");
    await minji.getByRole("button", { name: "보내기" }).click();
    await expect
      .poll(() => lines(farm), { timeout: 10_000 })
      .toEqual([
        expect.stringContaining("햅쌀 내일 도정해요"),
        expect.stringContaining("저도 참여했어요. 픽업은 저녁에 가능할까요?"),
      ]);
    // While the seller writes, her screen says so; the line goes away when the message arrives.
    await farmBox.fill("네, 7시까지 있어요.");
    const typing = minji.getByTestId("chat-typing");
    await expect
      .poll(() => typing.textContent(), { timeout: 10_000 })
      .toBe(`${sellerAccount.displayName}님이 입력 중…`);
    await farmBox.press("Enter");
    await expect.poll(() => lines(minji), { timeout: 10_000 }).toHaveLength(3);
    await expect.poll(() => typing.textContent(), { timeout: 10_000 }).toBe("");
    expect((await lines(minji))[2]).toContain("네, 7시까지 있어요.");

    // She reports the seller's first line; an admin removes it: both screens show the removal live.
    const first = minji.getByTestId("chat-line").first();
    await first.getByRole("button", { name: "신고" }).click();
    await first.getByLabel("신고 사유").selectOption("spam");
    await first.getByRole("button", { name: "신고" }).click();
    await first.getByText("신고가 접수됐어요. 검토 후 조치할게요.").waitFor();
    // The admin decides it in the console's moderation queue.
    const adminContext = await chromium.browser().newContext({
      viewport: PHONE,
      storageState: await signedInState(DEMO_ADMIN.email),
    });
    const mod = await adminContext.newPage();
    problems.push(...watchConsole(mod));
    await mod.goto(`${baseUrl}/admin/moderation`);
    const reported = mod.getByTestId("reported").filter({ hasText: "안녕하세요, 햅쌀 내일 도정해요!" });
    expect(await reported.textContent()).toContain("채팅");
    await reported.getByRole("button", { name: "처리하기" }).click();
    await reported.getByLabel("처리 사유").fill("광고");
    expect(await reported.getByLabel("작성자 7일 이용 정지").count()).toBe(0); // chat deletion suspends no one
    await reported.getByRole("button", { name: "삭제" }).click();
    await expect.poll(() => reported.count(), { timeout: 10_000 }).toBe(0);
    await adminContext.close();
    for (const page of [minji, farm]) {
      await expect
        .poll(async () => (await lines(page))[0], { timeout: 10_000 })
        .toContain("관리자가 삭제한 메시지예요.");
    }

    // She steps away; what is said meanwhile is marked as new when she comes back (the room keeps her read marker).
    await minji.goto(`${baseUrl}/`);
    await farmBox.fill("내일 봬요!");
    await farmBox.press("Enter");
    await expect.poll(() => lines(farm), { timeout: 10_000 }).toHaveLength(4);
    // Her list of buys on the account page counts it as unread.
    const myBuy = minji.getByTestId("my-group-buy").filter({ hasText: product.title });
    /** The unread pill of this buy on a fresh load of the account page ("" when there is none). */
    const unreadPill = async () => {
      await minji.goto(`${baseUrl}/me`);
      await myBuy.waitFor();
      return (await myBuy.getByTestId("unread-count").count()) ? myBuy.getByTestId("unread-count").textContent() : "";
    };
    await expect.poll(unreadPill, { timeout: 20_000 }).toBe("1안 읽은 메시지 1개");
    await minji.goto(`${baseUrl}/g/${gb.id}`);
    await expect.poll(() => lines(minji), { timeout: 10_000 }).toHaveLength(4);
    const divider = minji.locator(".chat-unread + li");
    expect(await divider.textContent()).toContain("내일 봬요!");

    // Read now: the count is gone.
    await expect.poll(unreadPill, { timeout: 20_000 }).toBe(""); // the marker moves as the socket reports it
    await minji.goto(`${baseUrl}/g/${gb.id}`);
    await expect.poll(() => lines(minji), { timeout: 10_000 }).toHaveLength(4);

    await shot(minji, "chat-buyer-ko");
    await shot(farm, "chat-seller-ko");
    expect(problems).toEqual([]);
    await Promise.all(contexts.map((c) => c.close()));
  });
});
