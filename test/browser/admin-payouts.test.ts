import { describe, expect, test } from "vitest";
import { DEMO_ADMIN, DEMO_PASSWORD } from "../../scripts/seed/demo-data.ts";
import { newId } from "../../worker/lib/ids.ts";
import { baseUrl, chromiumPath, newcomerSdk, runSql, shot, useChromium } from "./lib/harness.ts";

// The admin console's payouts page: a payout the daily batch held for an operator ("Needs an operator: …", left
// requested) is counted at the top, one click away, and marked on its row with its reason.

describe.skipIf(!chromiumPath)("admin payouts in Chromium", () => {
  const chromium = useChromium();

  test("a payout held for an operator is counted, filtered to, and shows seller, amount, times, ref and reason", async () => {
    const stamp = Date.now().toString(36);
    const email = `held-payout-${stamp}@example.com`;
    const name = `지급보류${stamp.slice(-4)}`;
    await newcomerSdk().auth.signup.mutate({ email, password: DEMO_PASSWORD, displayName: name });
    const now = Date.now();
    const seller = `(SELECT id FROM users WHERE email = '${email}')`;
    const ids = [newId(now), newId(now)];
    // Rows only (the state payouts.ts finishOrHold leaves): no API makes a payout the ledger refused.
    await runSql(
      [
        `INSERT INTO seller_payouts (id, seller_id, region_id, amount, status, failure_reason, created_at)
         VALUES ('${ids[0]}', ${seller}, 'demo', 12345, 'requested',
                 'Needs an operator: Error: Not enough points in seller_payable_available', ${now - 60_000});`,
        `INSERT INTO seller_payouts (id, seller_id, region_id, amount, status, gateway_ref, created_at, paid_at)
         VALUES ('${ids[1]}', ${seller}, 'demo', 23456, 'paid', 'po_${stamp}', ${now - 120_000}, ${now - 110_000});`,
      ].join("\n"),
    );

    const { page, problems } = await chromium.openAs(DEMO_ADMIN.email, undefined, {
      viewport: { width: 1024, height: 800 },
    });
    await page.goto(`${baseUrl}/admin/payouts`);
    await page.getByRole("heading", { name: "판매자 지급" }).waitFor();
    const banner = page.getByTestId("payouts-stuck");
    await expect.poll(async () => Number(await banner.getAttribute("data-count"))).toBeGreaterThanOrEqual(1);
    expect(await banner.textContent()).toMatch(/운영자 확인이 필요한 지급 \d+건/);
    // both rows in the full list; the paid one with its PG reference and when it was paid
    const mine = page.getByTestId("payout").filter({ hasText: name });
    await expect.poll(() => mine.count()).toBe(2);
    const paid = mine.filter({ hasText: "23,456원" });
    expect(await paid.getAttribute("data-status")).toBe("paid");
    expect(await paid.textContent()).toContain(`PG 참조 po_${stamp}`);
    expect(await paid.textContent()).toMatch(/지급 \d{1,2}월 \d{1,2}일 \([일월화수목금토]\) 오[전후] \d{1,2}:\d{2}/);

    await banner.getByRole("button", { name: "확인 필요만 보기" }).click();
    await expect.poll(() => mine.count()).toBe(1);
    const held = mine.first();
    expect(await held.getAttribute("data-needs-operator")).toBe("true");
    const text = await held.textContent();
    expect(text).toContain("12,345원");
    expect(text).toContain("지급 요청됨");
    expect(text).toContain("확인 필요");
    expect(text).toContain(email);
    expect(text).toContain("PG 참조 없음");
    expect(text).toMatch(/요청 \d{1,2}월 \d{1,2}일 \([일월화수목금토]\) 오[전후] \d{1,2}:\d{2}/);
    expect(await held.getByTestId("payout-reason").textContent()).toContain(
      "Needs an operator: Error: Not enough points",
    );
    // every row in this view is one held for an operator
    const flags = await page.getByTestId("payout").evaluateAll((rows) => rows.map((r) => r.dataset.needsOperator));
    expect(flags.every((f) => f === "true")).toBe(true);
    await shot(page, "admin-payouts-held-ko");

    // The one action: the batch's own step, now. This payout's seller has no payout account at the gateway, so the
    // sandbox refuses it (failed, its payables free) unless a switch says the gateway is down (still in flight).
    await held.getByRole("button", { name: "PG에 다시 확인" }).click();
    const said = page.getByTestId("payouts-said");
    await expect.poll(() => said.textContent()).toMatch(new RegExp(`^${name} · 12,345원: `));
    expect(await said.textContent()).toMatch(/PG가 지급을 거절했어요|PG에서 아직 처리 중이에요/);
    await shot(page, "admin-payouts-recheck-ko");
    // either way it no longer waits for an operator (failed, or the gateway's own reason) and leaves this view
    await expect.poll(() => mine.count()).toBe(0);
    await page.getByLabel("운영자 확인 필요만").uncheck();
    await expect.poll(() => mine.count()).toBe(2);

    // the seller filter: approved sellers to pick from (admin.sellers.list), and "only this seller" on a row, which
    // also picks one who is not among them (this one signed up and was never approved)
    const sellerFilter = page.getByLabel("판매자", { exact: true });
    expect(await sellerFilter.locator("option").count()).toBeGreaterThan(1);
    await mine.first().getByRole("button", { name: "이 판매자만 보기" }).click();
    await expect.poll(() => sellerFilter.inputValue()).not.toBe("");
    await expect.poll(() => page.getByTestId("payout").count()).toBe(2); // this seller's two, nobody else's
    expect(await mine.count()).toBe(2);

    await page.getByRole("button", { name: "Switch to English" }).click();
    const row = mine.filter({ hasText: "₩12,345" });
    await expect.poll(() => row.textContent()).toMatch(/Failed|Requested/);
    expect(await mine.filter({ hasText: "₩23,456" }).textContent()).toContain(`PG ref po_${stamp}`);
    await shot(page, "admin-payouts-en");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
