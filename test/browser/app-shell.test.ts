import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_BUYERS, DEMO_PASSWORD } from "../../scripts/seed/demo-data.ts";
import { baseUrl, chromiumPath, shot, signedInState, useChromium } from "./lib/harness.ts";
import { watchConsole } from "./lib/page.ts";

const buyer = DEMO_BUYERS[0]; // 김민지, 서교동, verified

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.trim();

describe.skipIf(!chromiumPath)("app shell in Chromium", () => {
  const chromium = useChromium();

  test("a seeded buyer logs in, sees name, region and verification, switches to English and logs out", async () => {
    const context = await chromium.browser().newContext({ locale: "ko-KR" });
    const page = await context.newPage();
    const problems = watchConsole(page);

    const response = await page.goto(baseUrl);
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");

    expect(await page.locator("html").getAttribute("lang")).toBe("ko");
    await page.getByRole("heading", { name: "로그인" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    // a visitor is told what the app is before being asked to log in
    expect(await text(page, "login-tagline")).toBe("대용량 상품을 동네 이웃과 나눠 사고, 가까운 곳에서 받아 가요.");

    await page.getByLabel("이메일").fill(buyer.email);
    await page.getByLabel("비밀번호").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "로그인" }).click();

    await page.getByRole("navigation", { name: "주요 메뉴" }).getByRole("link", { name: "내 정보" }).click();
    await page.getByRole("heading", { name: "내 정보" }).waitFor();
    // the tab and the screen say the same words, spaced ('내정보' in the menu opened '내 계정')
    expect(await page.title()).toBe("내 정보 · 공구");
    await page.getByRole("status").filter({ hasText: "정상" }).waitFor();
    expect(await text(page, "me-name")).toBe("김민지");
    expect(await text(page, "me-role")).toBe("구매자");
    expect(await text(page, "me-region")).toBe("서교동 (서울 마포구)");
    expect(await text(page, "me-verification")).toMatch(
      /^인증됨 · (\d{4}년 )?\d{1,2}월 \d{1,2}일 \([일월화수목금토]\)까지$/,
    );
    await page.getByTestId("me-trust").waitFor(); // the record neighbours see on her posts and the buys she hosts
    expect(await text(page, "me-trust")).toMatch(/^공구 완료 \d+ · 노쇼 \d+ · 공구장 취소 \d+ · 신고 \d+$/);
    await shot(page, "account-ko");

    await page.getByRole("button", { name: "Switch to English" }).click();
    await page.getByRole("heading", { name: "My account" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await text(page, "me-role")).toBe("Buyer");
    expect(await text(page, "me-region")).toBe("Seogyo-dong");
    expect(await text(page, "me-verification")).toMatch(
      /^Verified · until [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}( \d{4})?$/,
    );
    await shot(page, "account-en");

    // The session (HttpOnly cookie) and the language choice survive a reload.
    await page.reload();
    await page.getByRole("heading", { name: "My account" }).waitFor();
    expect(await text(page, "me-name")).toBe("김민지");

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Log in" }).waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });

  test("a wrong password shows a translated error and keeps the form", async () => {
    const context = await chromium.browser().newContext();
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(baseUrl);

    await page.getByLabel("이메일").fill(buyer.email);
    await page.getByLabel("비밀번호").fill("not-the-password");
    await page.getByRole("button", { name: "로그인" }).click();

    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe("이메일 또는 비밀번호가 올바르지 않아요.");
    expect(await page.getByLabel("이메일").inputValue()).toBe(buyer.email);
    await shot(page, "login-error-ko");
    // The only console noise is Chromium reporting the 401 itself.
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
    await context.close();
  });

  test("logging out in one tab ends the other tab's live sockets: it shows the login screen, no reconnect loop, and another device stays live", async () => {
    const context = await chromium.browser().newContext({
      locale: "ko-KR",
      storageState: await signedInState(buyer.email),
    });
    const tab = await context.newPage();
    await tab.goto(baseUrl);
    const other = await context.newPage(); // same browser, same session cookie
    await other.goto(baseUrl);
    const buy = await other.locator('a[href^="/g/"]').first().getAttribute("href");
    await other.goto(`${baseUrl}${buy}`);
    await other.locator("nav.bottom-nav[data-live=on]").waitFor();
    // and its room socket is open too (the page's chunk can load after the menu's socket is live on a loaded machine:
    // a room socket opened after the recording starts below read as a reconnect)
    await other.getByTestId("chat").waitFor();
    await other.getByTestId("chat-waiting").waitFor({ state: "detached" });
    const device = await chromium.browser().newContext({
      locale: "ko-KR",
      storageState: await signedInState(buyer.email), // her phone: another session
    });
    const phone = await device.newPage();
    await phone.goto(baseUrl);
    await phone.locator("nav.bottom-nav[data-live=on]").waitFor();

    const opened: string[] = [];
    other.on("websocket", (ws) => opened.push(ws.url()));
    await tab.getByRole("navigation", { name: "주요 메뉴" }).getByRole("link", { name: "내 정보" }).click();
    await tab.getByRole("button", { name: "로그아웃" }).click();
    await tab.getByRole("heading", { name: "로그인" }).waitFor();
    // the other tab was told by its sockets (4001) and shows the logged-out state without a reload
    await other.getByRole("heading", { name: "로그인" }).waitFor({ timeout: 10_000 });
    expect(await other.locator("nav.bottom-nav").count()).toBe(0);
    await other.waitForTimeout(2_500); // longer than the first reconnect delay (1 s)
    expect(opened).toEqual([]);
    // her phone's session is another one: its channel stays open
    expect(await phone.locator("nav.bottom-nav").getAttribute("data-live")).toBe("on");
    await device.close();
    await context.close();
  });

  test("the CSP lets the page open same-origin WebSockets and blocks other origins", async () => {
    const context = await chromium.browser().newContext();
    const page = await context.newPage();
    await page.goto(baseUrl);
    const blocked = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener("securitypolicyviolation", (e) => violations.push(e.blockedURI));
      const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/notifications/ws`);
      await new Promise((resolve) => {
        ws.onopen = ws.onerror = ws.onclose = resolve;
      });
      ws.close();
      await fetch("http://127.0.0.1:9/").catch(() => undefined); // another origin: must be refused by the CSP
      await new Promise((resolve) => setTimeout(resolve, 100));
      return violations;
    });
    expect(blocked).toEqual(["http://127.0.0.1:9/"]);
    await context.close();
  });
});
