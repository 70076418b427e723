import { describe, expect, test } from "vitest";
import { DEMO_ADMIN, DEMO_BUYERS, DEMO_PASSWORD, DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import { gongguErrorOf } from "../../shared/sdkErrors.ts";
import { newVerifiedBuyer } from "./lib/buyers.ts";
import {
  baseUrl,
  chromiumPath,
  newcomerSdk,
  QUEUE_WAIT,
  sdkAs,
  shot,
  signedInState,
  useChromium,
} from "./lib/harness.ts";
import { PHONE, watchConsole } from "./lib/page.ts";

// The seller and admin consoles end to end: a buyer applies, an admin approves, the new seller lists a product and
// opens a group buy, a neighbour fills it, and the seller drives it to READY; the admin's charges, DLQ and charts.

describe.skipIf(!chromiumPath)("seller and admin consoles in Chromium", () => {
  const chromium = useChromium();

  test("seller journey: apply → approved → product → group buy → filled → ORDERED → READY → no-show → payout pending → refund", async () => {
    const stamp = Date.now().toString(36);
    const email = `console-seller-${stamp}@example.com`;
    await newcomerSdk().auth.signup.mutate({
      email,
      password: DEMO_PASSWORD,
      displayName: `새판매자${stamp.slice(-4)}`,
    });

    const sellerCtx = await chromium
      .browser()
      .newContext({ viewport: PHONE, storageState: await signedInState(email) });
    const page = await sellerCtx.newPage();
    const problems = watchConsole(page);
    await page.goto(baseUrl);
    await page.getByRole("navigation", { name: "주요 메뉴" }).waitFor();
    // Buyers see no console entry in the top bar, only "become a seller" on their account page.
    expect(await page.getByTestId("nav-seller").count()).toBe(0);
    await page.goto(`${baseUrl}/me`);
    await page.getByTestId("apply-seller-link").click();
    await page.getByRole("heading", { name: "판매자 신청", level: 1 }).waitFor();

    // A server validation error shows next to its field.
    await page.getByLabel("상호").fill("우리동네 과일가게");
    await page.getByLabel("사업자등록번호").fill("12-34");
    await page.getByRole("button", { name: "신청하기" }).click();
    const numberError = page.locator("#field-businessNumber-error");
    // Worded by the client from the server's issue code (not the schema's English).
    await expect.poll(() => numberError.textContent()).toBe("사업자등록번호 10자리를 입력해 주세요 (123-45-67890).");
    expect(await page.getByLabel("사업자등록번호").getAttribute("aria-invalid")).toBe("true");
    await shot(page, "seller-apply-error-ko");
    await page.getByLabel("사업자등록번호").fill("123-45-67890");
    await page.getByRole("button", { name: "신청하기" }).click();
    await page.getByTestId("apply-pending").waitFor();
    await expect.poll(() => page.getByTestId("applications").textContent()).toContain("검토 중");
    await shot(page, "seller-apply-pending-ko");

    // The admin approves it in the console.
    const adminCtx = await chromium.browser().newContext({
      viewport: { width: 1024, height: 800 },
      storageState: await signedInState(DEMO_ADMIN.email),
    });
    const admin = await adminCtx.newPage();
    const adminProblems = watchConsole(admin);
    await admin.goto(baseUrl);
    await admin.getByTestId("nav-admin").click();
    const application = admin.locator(`[data-testid="application"][data-email="${email}"]`);
    await application.waitFor();
    await shot(admin, "admin-approvals-ko");
    await application.getByRole("button", { name: "승인" }).click();
    await application.waitFor({ state: "detached" });

    // The applicant's page notices the approval and turns into the seller console.
    await page.getByRole("button", { name: "새로고침" }).click();
    await page.getByRole("heading", { name: "판매자 센터", level: 1 }).waitFor();
    await page.getByTestId("nav-seller").waitFor();

    // Products: a field error first, then a product.
    await page.getByRole("link", { name: "상품" }).click();
    const productForm = page.getByTestId("product-new");
    await productForm.getByLabel("상품명").fill("x");
    await productForm.getByLabel("총 수량").fill("10");
    await productForm.getByLabel("단위").fill("kg");
    await productForm.getByLabel("총 가격 (원)").fill("10000");
    expect(await productForm.getByLabel("총 가격 (원)").inputValue()).toBe("10,000"); // grouped as typed
    await productForm.getByRole("button", { name: "상품 등록" }).click();
    await expect.poll(() => page.locator("#field-title-error").textContent()).toBe("2자 이상 입력해 주세요.");
    const title = `콘솔 사과 ${stamp}`;
    await productForm.getByLabel("상품명").fill(title);
    await productForm.getByRole("button", { name: "상품 등록" }).click();
    await expect.poll(() => page.getByTestId("products").textContent()).toContain(title);
    await shot(page, "seller-products-ko");

    // A group buy: 3 shares of 10,000원 → 3,333원 a share, the 1원 rounding shown as the seller's before submitting.
    await page.getByRole("link", { name: "공구 열기" }).first().click();
    await page.getByLabel("상품").selectOption({ label: `${title} · 10,000원` });
    await page.getByLabel("동네", { exact: true }).selectOption("seoul-mapo-seogyo");
    await page.getByLabel("총 몫").fill("3");
    await page.getByLabel("최소 성사 몫").fill("2");
    await page.getByLabel("1인 최대 몫").fill("3");
    await expect.poll(() => page.getByTestId("per-share").textContent()).toBe("3,333원");
    expect(await page.getByTestId("rounding").textContent()).toBe("반올림으로 1원 덜 받아요 (판매자 부담)");
    await page.getByLabel("픽업 장소").fill("서교동 주민센터 앞");
    // Plus early access stays off: the neighbour below is not a Plus member.
    expect(await page.getByLabel("공구 플러스 회원에게 첫 1시간 먼저 열기").isChecked()).toBe(false);
    await shot(page, "seller-new-groupbuy-ko");
    await page.getByRole("button", { name: "공구 열기" }).click();
    const card = page.getByTestId("seller-gb").filter({ hasText: title });
    await card.waitFor();
    expect(await card.getAttribute("data-status")).toBe("OPEN");
    const gbId = (await card.getAttribute("data-id"))!;

    // A neighbour takes all three shares: the buy is FILLED and the seller may confirm the order.
    const adminSdk = await sdkAs(DEMO_ADMIN.email);
    // A fresh neighbour (verified in 서교동) so no other test's holds mix with this one's.
    const buyerEmail = `console-buyer-${stamp}@example.com`;
    const signedUp = await newcomerSdk().auth.signup.mutate({
      email: buyerEmail,
      password: DEMO_PASSWORD,
      displayName: `이웃${stamp.slice(-4)}`,
    });
    const buyer = { id: signedUp.user.id, displayName: signedUp.user.displayName };
    const buyerSdk = await sdkAs(buyerEmail);
    await buyerSdk.regions.verify.mutate({ regionId: "seoul-mapo-seogyo", lat: 37.5547, lng: 126.9196 });
    await adminSdk.admin.wallet.grant.mutate({
      userId: buyer.id,
      amount: 20_000,
      reason: "console browser test",
      idempotencyKey: `console-${gbId}`,
    });
    // The seller watches the list: the join arrives over the buy's room socket, no reload.
    await page.getByRole("link", { name: "내 공구" }).click();
    // The card counts in shares (몫) like the form that opened it, and says what a share is: 10 kg / 3, 3,333원.
    await expect.poll(() => card.getByTestId("seller-gb-shares").textContent()).toBe("0/3몫 모임 · 2몫 이상이면 성사");
    expect(await card.getByTestId("seller-gb-share").textContent()).toBe("1몫 약 3.33kg · 3,333원");
    // which neighbourhood: two buys of one product in two neighbourhoods read the same
    expect(await card.getByTestId("seller-gb-region").textContent()).toBe("서교동");
    expect(await card.textContent()).not.toMatch(/1인분|개 모임/);
    await buyerSdk.groupBuys.join.mutate({ id: gbId, shares: 3, idempotencyKey: `console-join-${gbId}` });
    await expect.poll(() => card.getByTestId("seller-gb-shares").textContent()).toMatch(/^3\/3몫 모임/);
    await expect.poll(() => card.getAttribute("data-status")).toBe("FILLED");
    await card.getByRole("button", { name: "발주 확정" }).waitFor();
    await shot(page, "seller-groupbuy-filled-ko");

    await card.getByRole("button", { name: "발주 확정" }).click();
    await expect.poll(() => card.getAttribute("data-status")).toBe("ORDERED");
    // a state, not a sentence, and in the word of the button that set it (it said 주문했어요 beside 발주 확정)
    expect(await card.getByTestId("seller-gb-status").textContent()).toBe("발주 완료");
    expect(await card.getByRole("button", { name: "발주 확정" }).count()).toBe(0);
    expect(await card.getByRole("button", { name: "공구 취소" }).count()).toBe(0);
    await card.getByRole("button", { name: "픽업 준비 완료" }).click();
    await expect.poll(() => card.getAttribute("data-status")).toBe("READY");
    await card.getByRole("button", { name: "참여자 1명" }).click();
    await expect.poll(() => card.getByTestId("participants").textContent()).toContain(`${buyer.displayName} · 3몫`);
    await shot(page, "seller-groupbuy-ready-ko");
    // The buyer sees the state the seller set.
    expect((await buyerSdk.groupBuys.get.query({ id: gbId })).status).toBe("READY");

    // The only buyer never came: marking the no-show resolves every pickup, so the buy completes and its payable
    // (price minus the fee) shows as pending in the payouts.
    // Wait until the buyer's hold is in escrow (the FILLED settlement job), so completion settles at once.
    await expect.poll(async () => (await buyerSdk.wallet.get.query()).held, QUEUE_WAIT).toBe(0);
    // A no-show cannot be undone: the seller is asked first, in a dialog that says what it does; Escape backs out.
    await card.getByRole("button", { name: "노쇼 처리" }).click();
    const ask = page.getByRole("alertdialog", { name: `${buyer.displayName}님을 노쇼로 처리할까요?` });
    await ask.waitFor();
    expect(await ask.textContent()).toContain("참여한 3몫은 환불되지 않고 판매자 정산에 포함되며");
    expect(await ask.textContent()).toContain("되돌릴 수 없어요");
    // focus starts on the way back, so a stray Enter does not mark anyone
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("돌아가기");
    await shot(page, "seller-noshow-confirm-ko");
    await page.keyboard.press("Escape");
    await ask.waitFor({ state: "hidden" });
    expect(await card.getByRole("button", { name: "노쇼 처리" }).count()).toBe(1);
    expect((await buyerSdk.groupBuys.get.query({ id: gbId })).status).toBe("READY");
    await card.getByRole("button", { name: "노쇼 처리" }).click();
    await ask.getByRole("button", { name: "노쇼로 처리" }).click();
    await ask.waitFor({ state: "hidden" });
    await expect.poll(() => card.getByTestId("participants").textContent()).toContain(`${buyer.displayName} · 3몫노쇼`);
    await page.getByRole("link", { name: "정산" }).click();
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId("payout-pending").textContent();
        },
        { timeout: 20_000 },
      )
      .not.toBe("0원");
    expect(await page.getByRole("listitem").filter({ hasText: title }).count()).toBe(1);
    expect((await buyerSdk.groupBuys.get.query({ id: gbId })).status).toBe("COMPLETED");
    await shot(page, "seller-payouts-ko");

    // 정산 계좌: none yet, so the form; a wrong account number is worded next to its field, then Toss registers it and
    // the seller sees the bank, only the last 4 digits, and Toss's status in words with what to do.
    const accountForm = page.getByTestId("payout-account-form");
    await accountForm.waitFor();
    await accountForm.getByLabel("이름", { exact: true }).fill("새판매자");
    await accountForm.getByLabel("이메일").fill("seller@example.com");
    await accountForm.getByLabel("휴대폰 번호").fill("010-1234-5678");
    await accountForm.getByLabel("은행", { exact: true }).selectOption("088");
    await accountForm.getByLabel("계좌번호").fill("12가34");
    await accountForm.getByLabel("예금주").fill("새판매자");
    await accountForm.getByRole("button", { name: "계좌 등록" }).click();
    await expect
      .poll(() => accountForm.locator("#field-accountNumber-error").textContent())
      .toBe("계좌번호는 숫자 10~16자리예요 (- 는 넣어도 돼요).");
    await accountForm.getByLabel("계좌번호").fill("110-123-456789");
    await accountForm.getByRole("button", { name: "계좌 등록" }).click();
    await page.getByTestId("payout-account").waitFor();
    expect(await page.getByTestId("payout-account").textContent()).toContain("신한은행 ****6789");
    expect(await page.getByTestId("payout-account").textContent()).not.toContain("123456789");
    expect(await page.getByTestId("payout-account-status").textContent()).toBe("지급 가능 (한도 있음)");
    expect(await page.getByTestId("payout-account-todo").textContent()).toContain("10,000,000원까지");
    await shot(page, "seller-payout-account-ko");

    // After completion the seller can refund a buyer in full (seller-funded): asked first, with the reason the buyer
    // sees; the buyer's points come back and the list says so.
    await page.getByRole("link", { name: "내 공구" }).click();
    await card.getByRole("button", { name: "참여자 1명" }).click();
    await card.getByTestId("refund-purchase").click();
    const refund = page.getByRole("alertdialog", { name: `${buyer.displayName}님의 구매를 환불할까요?` });
    await refund.waitFor();
    expect(await refund.textContent()).toContain("되돌릴 수 없어요");
    await refund.getByLabel("환불 사유 (구매자에게 보여요)").fill("딸기가 상해 있었어요");
    await refund.getByRole("button", { name: "환불하기" }).click();
    await refund.waitFor({ state: "hidden" });
    await expect.poll(() => card.getByTestId("participants").textContent()).toContain("환불됨");
    expect(await card.getByTestId("refund-purchase").count()).toBe(0);
    expect((await buyerSdk.wallet.get.query()).available).toBe(20_000);
    // and the buyer's own list of buys says so
    const { context: buyerCtx, page: buyerPage } = await chromium.openAs(buyerEmail, DEMO_PASSWORD);
    await buyerPage.goto(`${baseUrl}/me`);
    await expect
      .poll(() => buyerPage.getByTestId("my-group-buy").filter({ hasText: title }).textContent())
      .toContain("환불됨");
    await buyerCtx.close();

    // The only console messages: the browser reporting the three deliberate validation failures.
    const badRequest = "error: Failed to load resource: the server responded with a status of 400 (Bad Request)";
    expect(problems).toEqual([badRequest, badRequest, badRequest]);
    expect(adminProblems).toEqual([]);
    await sellerCtx.close();
    await adminCtx.close();
  });

  test("a seller cancels an open group buy with a reason the buyers see; the English toggle covers the console", async () => {
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const title = `취소될 배 ${Date.now().toString(36)}`;
    const product = await seller.products.create.mutate({
      title,
      category: "fresh",
      totalQuantity: 6,
      unit: "kg",
      totalPrice: 30_000,
    });
    const now = Date.now();
    const { groupBuy } = await seller.groupBuys.create.mutate({
      productId: product.id,
      regionId: "seoul-mapo-seogyo",
      totalShares: 6,
      minShares: 3,
      maxPerPerson: 2,
      deadline: now + 20 * 3_600_000,
      pickupPlace: "서교동 주민센터 앞",
      pickupStart: now + 22 * 3_600_000,
      pickupEnd: now + 24 * 3_600_000,
    });
    const buyer = await sdkAs(DEMO_BUYERS[0].email);
    const admin = await sdkAs(DEMO_ADMIN.email);
    await admin.admin.wallet.grant.mutate({
      userId: DEMO_BUYERS[0].id,
      amount: 10_000,
      reason: "console cancel test",
      idempotencyKey: `console-cancel-${groupBuy.id}`,
    });
    await buyer.groupBuys.join.mutate({
      id: groupBuy.id,
      shares: 1,
      idempotencyKey: `console-cancel-join-${groupBuy.id}`,
    });

    const { context, page, problems } = await chromium.openAs(DEMO_SELLERS[0].email);
    await page.goto(baseUrl);
    await page.getByTestId("nav-seller").click();
    const card = page.locator(`[data-testid="seller-gb"][data-id="${groupBuy.id}"]`);
    await card.waitFor();
    expect(await card.getByTestId("seller-gb-share").textContent()).toBe("1몫 1kg · 5,000원");
    await expect.poll(() => card.getByTestId("seller-gb-shares").textContent()).toBe("1/6몫 모임 · 3몫 이상이면 성사");
    await card.getByRole("button", { name: "공구 취소" }).click();
    await card.getByRole("button", { name: "취소 확정" }).click();
    await expect.poll(() => card.locator("#field-reason-error").textContent()).toBe("2자 이상 입력해 주세요.");
    const reason = "산지 우박 피해로 물량을 받을 수 없게 됐어요";
    await card.getByLabel("취소 사유 (참여자에게 보여요)").fill(reason);
    await card.getByRole("button", { name: "취소 확정" }).click();
    await expect.poll(() => card.getAttribute("data-status")).toBe("CANCELLED");
    await expect.poll(() => card.textContent()).toContain(reason);
    await shot(page, "seller-groupbuy-cancelled-ko");
    const seen = await buyer.groupBuys.get.query({ id: groupBuy.id });
    expect(seen).toMatchObject({ status: "CANCELLED", statusReason: reason });

    await page.getByRole("button", { name: "Switch to English" }).click();
    await page.getByRole("heading", { name: "Seller centre", level: 1 }).waitFor();
    await expect.poll(() => card.getByTestId("seller-gb-status").textContent()).toBe("Cancelled");
    expect(await card.getByTestId("seller-gb-share").textContent()).toBe("₩5,000 a share of 1 kg");
    expect(await card.getByTestId("seller-gb-shares").textContent()).toMatch(
      /^[01] of 6 shares taken · goes ahead at 3 shares$/,
    );
    // Dates follow the language too (they stayed Korean, "26. 12. 7. 오후 3:08", on an English screen).
    expect(await card.textContent()).toMatch(/Deadline [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}( \d{4})?, \d{2}:\d{2}/);
    expect(await page.locator("main").textContent()).not.toMatch(/오[전후]/);
    expect(await page.getByRole("link", { name: "New group buy" }).count()).toBeGreaterThan(0);
    await shot(page, "seller-console-en");
    await page.getByRole("button", { name: "한국어로 보기" }).click();

    const badRequest = "error: Failed to load resource: the server responded with a status of 400 (Bad Request)";
    expect(problems).toEqual([badRequest]);
    await context.close();
  });

  test("admin journey: reject with a reason, suspend a seller, charges and the dead-letter queue, gateway switches, settlements, a chart", async () => {
    // A neighbour pays 12,000원 with a registered card, so the charges page has a row to show.
    const buyer = await sdkAs(DEMO_BUYERS[1].email);
    await buyer.payments.registerBillingKey.mutate({ authKey: `auth_console_${Date.now()}`, consent: "billing-v1" });
    const { charge } = await buyer.wallet.charge.mutate({
      amount: 12_000,
      idempotencyKey: `console-charge-${Date.now()}`,
      paymentMethod: { type: "billingKey" },
    });
    expect(charge.status).toBe("succeeded");

    // Someone applies to sell whom the admin will turn down.
    const stamp = Date.now().toString(36);
    const applicantEmail = `console-rejected-${stamp}@example.com`;
    await newcomerSdk().auth.signup.mutate({
      email: applicantEmail,
      password: DEMO_PASSWORD,
      displayName: `신청인${stamp.slice(-4)}`,
    });
    const applicant = await sdkAs(applicantEmail);
    await applicant.sellers.applyToSell.mutate({ businessName: "반려될 상점", businessNumber: "222-33-44444" });
    // And a seller (approved through the API) whom the admin will suspend.
    const adminSdk = await sdkAs(DEMO_ADMIN.email);
    const rogueEmail = `console-suspended-${stamp}@example.com`;
    await newcomerSdk().auth.signup.mutate({
      email: rogueEmail,
      password: DEMO_PASSWORD,
      displayName: `정지될${stamp.slice(-4)}`,
    });
    const rogue = await (await sdkAs(rogueEmail)).sellers.applyToSell.mutate({
      businessName: "정지될 상점",
      businessNumber: "333-44-55555",
    });
    await adminSdk.admin.sellers.approve.mutate({ applicationId: rogue.id });

    const context = await chromium.browser().newContext({
      viewport: { width: 1024, height: 800 },
      storageState: await signedInState(DEMO_ADMIN.email),
    });
    // Every text drawn on a canvas (the chart's axis labels are not in the DOM).
    await context.addInitScript(() => {
      const drawn: string[] = [];
      (window as unknown as { drawnTexts: string[] }).drawnTexts = drawn;
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        drawn.push(String(text));
        return fillText.call(this, text, ...rest);
      };
    });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(baseUrl);
    await page.getByTestId("nav-admin").click();
    await page.getByRole("heading", { name: "판매자 신청" }).waitFor();
    const application = page.locator(`[data-testid="application"][data-email="${applicantEmail}"]`);
    await application.getByRole("button", { name: "반려" }).click();
    await application.getByRole("button", { name: "반려" }).click(); // no reason yet
    await expect.poll(() => application.locator("#field-reason-error").textContent()).toBe("2자 이상 입력해 주세요.");
    await shot(page, "admin-reject-error-ko");
    await application.getByLabel("반려 사유 (신청자에게 보여요)").fill("사업자등록번호를 확인할 수 없어요");
    await application.getByRole("button", { name: "반려" }).click();
    await application.waitFor({ state: "detached" });
    expect(await applicant.sellers.myApplications.query()).toMatchObject([
      { status: "rejected", decisionReason: "사업자등록번호를 확인할 수 없어요" },
    ]);

    const mapo = page.locator('[data-testid="seller"][data-email="mapo-farm@gonggu.test"]');
    expect(await mapo.getByTestId("seller-who").textContent()).toBe(" · mapo-farm@gonggu.test"); // not 마포청과 twice
    const seller = page.locator(`[data-testid="seller"][data-email="${rogueEmail}"]`);
    // the admin reads (never edits) whether Toss can pay the seller
    expect(await seller.getByTestId("seller-payout-status").textContent()).toBe("정산 계좌: 미등록 (지급 안 됨)");
    await seller.getByRole("button", { name: "이용 정지" }).click();
    await seller.getByLabel("정지 사유").fill("허위 상품 반복 등록");
    await seller.getByRole("button", { name: "정지하기" }).click();
    // Asked first, with what a suspension stops and until when; nothing happens until the admin confirms.
    const ask = page.getByRole("alertdialog", { name: `정지될${stamp.slice(-4)}님을 이용 정지할까요?` });
    await ask.waitFor();
    expect(await ask.textContent()).toMatch(
      /7일 동안, (\d{4}년 )?\d{1,2}월 \d{1,2}일 \([일월화수목금토]\) 오[전후] \d{1,2}:\d{2}까지 공구 참여/,
    );
    expect(await seller.getByTestId("seller-suspended").count()).toBe(0);
    await shot(page, "admin-suspend-confirm-ko");
    await ask.getByRole("button", { name: "돌아가기" }).click();
    await ask.waitFor({ state: "hidden" });
    await seller.getByRole("button", { name: "정지하기" }).click();
    await ask.getByRole("button", { name: "정지 확정" }).click();
    await expect.poll(() => seller.getByTestId("seller-suspended").textContent()).toMatch(/까지 정지$/);
    await shot(page, "admin-sellers-suspended-ko");

    await page.getByRole("link", { name: "결제·DLQ" }).click();
    await page.getByRole("heading", { name: "실패한 작업 (DLQ)" }).waitFor();
    await page.getByLabel("결제 상태").selectOption("succeeded");
    const row = page.getByTestId("charge").filter({ hasText: "12,000원" }).first();
    await row.waitFor();
    expect(await row.getAttribute("data-status")).toBe("succeeded");
    // A settled charge offers no retry/cancel.
    expect(await row.getByRole("button").count()).toBe(0);
    await page.locator('[data-testid="dlq"], [data-testid="dlq-empty"]').first().waitFor();
    await shot(page, "admin-charges-dlq-ko");

    await page.getByRole("link", { name: "PG 스위치" }).click();
    // The mode in words, not its code ("up" on a Korean screen).
    const mode = page.getByTestId("gateway-mode");
    await expect.poll(() => mode.textContent()).toMatch(/^(정상|장애|느림|거절|승인 후 타임아웃)$/);
    expect(await mode.getAttribute("data-mode")).toMatch(/^(up|down|slow|decline|timeout_after_success)$/);
    // 지급대행 rehearsal: new payout accounts start as KYC_REQUIRED, chosen by its words; then back to the default
    const sellerStatus = page.getByLabel("새로 등록한 정산 계좌의 토스 상태");
    await sellerStatus.selectOption({ label: "KYC 심사 필요 · 지급 보류" });
    await expect
      .poll(async () => (await adminSdk.admin.gateway.get.query()).switches?.sellerStatus)
      .toBe("KYC_REQUIRED");
    await shot(page, "admin-gateway-ko");
    await sellerStatus.selectOption("PARTIALLY_APPROVED");
    await expect
      .poll(async () => (await adminSdk.admin.gateway.get.query()).switches?.sellerStatus)
      .toBe("PARTIALLY_APPROVED");

    await page.getByRole("link", { name: "정산" }).click();
    await page.getByTestId("settlement-totals").waitFor();
    await shot(page, "admin-settlements-ko");

    await page.getByRole("link", { name: "차트" }).click();
    const chart = page.getByTestId("chart");
    await chart.locator("canvas").waitFor();
    await expect.poll(() => chart.textContent()).toContain("충전 성공");
    expect(await chart.textContent()).toContain("시각"); // uPlot's own "Time" was left in the legend
    // The time axis reads in Korean time and words (uPlot's own labels were "12am", "6pm"), and so does the legend.
    const drawn = () => page.evaluate(() => (window as unknown as { drawnTexts: string[] }).drawnTexts);
    await expect.poll(async () => (await drawn()).some((text) => /^오[전후] \d{1,2}시/.test(text))).toBe(true);
    expect((await drawn()).filter((text) => /\d(am|pm)\b/i.test(text))).toEqual([]);
    // Counts are whole: no 0.5 or 1.5 on the count axis.
    expect((await drawn()).filter((text) => /^\d*\.\d+$/.test(text))).toEqual([]);
    const box = (await chart.locator("canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect
      .poll(() => chart.locator(".u-series").first().locator(".u-value").textContent())
      .toMatch(/^(\d{4}년 )?\d{1,2}월 \d{1,2}일 \([일월화수목금토]\) 오[전후] \d{1,2}:\d{2}$/);
    await shot(page, "admin-charts-ko");
    await page.getByRole("button", { name: "Switch to English" }).click();
    await expect.poll(() => chart.textContent()).toContain("Charges");
    await expect.poll(async () => (await drawn()).some((text) => /^\d{2}:\d{2}(\n|$)/.test(text))).toBe(true);
    await shot(page, "admin-charts-en");
    await page.getByRole("button", { name: "한국어로 보기" }).click();

    // The only console message: the browser reporting the deliberate reject without a reason.
    expect(problems).toEqual([
      "error: Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]);
    await context.close();
  });
  test("removing a reported post with '작성자 7일 이용 정지' asks first, saying what the suspension stops and until when", async () => {
    const author = await newVerifiedBuyer("신고될작성자");
    const title = `선입금 나눔 ${Date.now().toString(36)}`;
    const post = await author.sdk.board.create.mutate({
      regionId: "seoul-mapo-seogyo",
      category: "sharing",
      title,
      body: "계좌로 먼저 보내주세요",
    });
    const reporter = await newVerifiedBuyer("신고한이웃");
    await reporter.sdk.board.report.mutate({ targetType: "post", targetId: post.id, reason: "fraud" });
    const canPost = async () => {
      const attempt = author.sdk.board.create.mutate({
        regionId: "seoul-mapo-seogyo",
        category: "question",
        title: "아직 글을 쓸 수 있나요?",
        body: "정지 전이면 써져요.",
      });
      return attempt.then(
        () => true,
        (e) => (gongguErrorOf(e)?.reason === "suspended" ? false : Promise.reject(e)),
      );
    };

    const { context, page, problems } = await chromium.openAs(DEMO_ADMIN.email); // a phone
    await page.goto(baseUrl);
    await page.getByTestId("nav-admin").click();
    await page.getByRole("link", { name: "신고" }).click();
    const item = page.getByTestId("reported").filter({ hasText: title });
    await item.getByRole("button", { name: "처리하기" }).click();
    await item.getByLabel("처리 사유").fill("선입금 사기 유도");
    await item.getByLabel("작성자 7일 이용 정지").check();
    await item.getByRole("button", { name: "삭제", exact: true }).click();
    // Asked first, like the user-list suspend: what happens to the post, what the suspension stops and until when.
    const ask = page.getByRole("alertdialog", { name: "신고될작성자님을 이용 정지할까요?" });
    await ask.waitFor();
    expect(await ask.textContent()).toContain("이 글을 삭제하고 작성자를 이용 정지해요.");
    expect(await ask.textContent()).toMatch(
      /7일 동안, (\d{4}년 )?\d{1,2}월 \d{1,2}일 \([일월화수목금토]\) 오[전후] \d{1,2}:\d{2}까지 공구 참여/,
    );
    await shot(page, "admin-moderation-suspend-confirm-ko");
    await ask.getByRole("button", { name: "돌아가기" }).click();
    await ask.waitFor({ state: "hidden" });
    expect(await canPost()).toBe(true); // backing out suspends no one and removes nothing
    expect(await item.count()).toBe(1);

    await item.getByRole("button", { name: "삭제", exact: true }).click();
    await ask.getByRole("button", { name: "삭제하고 정지" }).click();
    await item.waitFor({ state: "detached" });
    expect(await canPost()).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });
});
