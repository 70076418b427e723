import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_BUYERS, DEMO_PASSWORD, DEMO_REGIONS, DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import { baseUrl, chromiumPath, shot, signedInState, useChromium } from "./lib/harness.ts";
import { PHONE, watchConsole } from "./lib/page.ts";

const seogyo = DEMO_REGIONS[0];

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: /주요 메뉴|Main menu/ }).getByRole("link", { name });

describe.skipIf(!chromiumPath)("the SPA on a phone", () => {
  const chromium = useChromium();

  test("a new buyer signs up (server errors by the field), verifies by geolocation, picks interests and sees home and wallet", async () => {
    // Standing 300 m from 서교동's centre.
    const context = await chromium.browser().newContext({
      viewport: PHONE,
      locale: "ko-KR",
      permissions: ["geolocation"],
      geolocation: { latitude: seogyo.lat + 0.0027, longitude: seogyo.lng },
    });
    const page = await context.newPage();
    const problems = watchConsole(page);

    await page.goto(`${baseUrl}/wallet`);
    await page.getByRole("heading", { name: "로그인" }).waitFor(); // anonymous → login
    await page.getByRole("link", { name: "회원가입" }).click();
    await page.getByRole("heading", { name: "회원가입" }).waitFor();

    // The server's zod messages land next to their fields.
    await page.getByLabel("닉네임").fill("x");
    await page.getByLabel("비밀번호").fill("short");
    await page.getByRole("button", { name: "가입하기" }).click();
    // Worded by the client from the server's issue codes and limits: Korean, not the schema's English.
    await expect.poll(() => page.locator("#field-password-error").textContent()).toBe("10자 이상 입력해 주세요.");
    // left empty, it says what to enter (it said the format was wrong)
    expect(await page.locator("#field-email-error").textContent()).toBe("이메일 주소를 입력해 주세요.");
    expect(await page.locator("#field-displayName-error").textContent()).toBe("닉네임은 2~20자로 정해 주세요.");
    // the first field to fix has the focus
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("field-displayName");
    expect(await page.getByLabel("비밀번호").getAttribute("aria-invalid")).toBe("true");
    await shot(page, "signup-errors-ko");

    const email = `spa-${Date.now()}@gonggu.test`;
    await page.getByLabel("닉네임").fill("새이웃");
    await page.getByLabel("이메일").fill(email);
    await page.getByLabel("비밀번호").fill("a-long-enough-password");
    await page.getByRole("button", { name: "가입하기" }).click();

    await page.getByRole("heading", { name: "우리 동네 인증" }).waitFor();
    await page.getByLabel("동네", { exact: true }).selectOption(seogyo.id);
    await shot(page, "verify-ko");
    await page.getByRole("button", { name: "현재 위치로 인증하기" }).click();

    await page.getByRole("heading", { name: "관심 있는 품목" }).waitFor();
    await page.getByLabel("신선식품").check();
    await page.getByLabel("반려동물").check();
    await shot(page, "interests-ko");
    await page.getByRole("button", { name: "저장하고 시작하기" }).click();

    await page.getByRole("heading", { name: "추천" }).waitFor();
    await page.getByRole("heading", { name: "우리 동네 공구" }).waitFor();
    await page.locator("main [aria-busy]").first().waitFor({ state: "detached" });
    await shot(page, "home-ko");

    await nav(page, "지갑").click();
    await page.getByRole("heading", { name: "지갑" }).waitFor();
    await expect.poll(() => page.getByTestId("wallet-available").textContent()).toBe("0원");
    await page.getByText("아직 거래 내역이 없어요.").waitFor();
    await page.getByTestId("statement").waitFor();
    expect(await page.locator("#statement-month option:checked").textContent()).toMatch(/^\d{4}년 \d{1,2}월$/);
    expect(await page.locator("#statement-month option").count()).toBe(24);
    await shot(page, "wallet-ko");

    await nav(page, "알림").click();
    await page.getByText("새 알림이 없어요.").waitFor();

    await nav(page, "내 정보").click();
    expect(await page.getByTestId("me-name").textContent()).toBe("새이웃");
    // no buys yet: the empty list leads to the neighbourhood's buys
    await page.getByTestId("my-group-buys").getByRole("link", { name: "우리 동네 공구 둘러보기" }).waitFor();
    expect(await page.getByTestId("me-verification").textContent()).toMatch(/^인증됨/);
    await shot(page, "account-phone-ko");

    // The only console line is Chromium reporting the deliberately invalid signup's 400.
    expect(problems).toEqual([
      "error: Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]);
    await context.close();
  });

  test("verifying from outside the neighbourhood says in Korean how far off it is; the manual fallback then works", async () => {
    const context = await chromium.browser().newContext({
      viewport: PHONE,
      permissions: ["geolocation"],
      geolocation: { latitude: 35.1796, longitude: 129.0756 }, // Busan
    });
    const page = await context.newPage();
    const problems = watchConsole(page);
    const yerin = DEMO_BUYERS.find((b) => b.email.startsWith("yerin"))!; // expired verification
    await page.goto(`${baseUrl}/login`);
    // Logging in with nothing typed says what to enter, in the app's language under each field (it was Chromium's
    // own bubble, in the browser's language), and puts the cursor in the email field.
    await page.getByRole("button", { name: "로그인" }).click();
    await expect.poll(() => page.locator("#field-email-error").textContent()).toBe("이메일 주소를 입력해 주세요.");
    expect(await page.locator("#field-password-error").textContent()).toBe("비밀번호를 입력해 주세요.");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("field-email");
    await page.getByLabel("이메일").fill(yerin.email);
    await page.getByLabel("비밀번호").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "로그인" }).click();

    await page.getByText("동네 인증이 만료됐어요. 다시 인증해 주세요.").waitFor();
    await page.getByRole("link", { name: "동네 인증하기" }).click();
    await page.getByLabel("동네", { exact: true }).selectOption(seogyo.id);
    await page.getByRole("button", { name: "현재 위치로 인증하기" }).click();
    const error = page.getByTestId("verify-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(
      /^동네 인증 범위\(1\.5km\) 밖이에요\. 지금 위치는 동네 중심에서 [\d,.]+km/,
    );
    await shot(page, "verify-outside-ko");

    // Dev fallback: the region centre is prefilled.
    await page.getByText("좌표 직접 입력 (개발용)").click();
    expect(Number(await page.getByLabel("위도").inputValue())).toBe(seogyo.lat);
    await page.getByRole("button", { name: "이 좌표로 인증하기" }).click();
    await page.getByRole("heading", { name: "관심 있는 품목" }).waitFor();
    await page.getByRole("button", { name: "나중에 할게요" }).click();
    await page.getByRole("heading", { name: "추천" }).waitFor();

    // A refused verification is a 4xx the browser itself reports; nothing else may be logged.
    expect(problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
    await context.close();
  });

  test("the language toggle switches every screen to English and back, and survives a reload", async () => {
    const { context, page, problems } = await chromium.open();
    const minji = DEMO_BUYERS[0];
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel("이메일").fill(minji.email);
    await page.getByLabel("비밀번호").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "로그인" }).click();
    await page.getByRole("heading", { name: "추천" }).waitFor();

    await page.getByRole("button", { name: "Switch to English" }).click();
    await page.getByRole("heading", { name: "For you" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.locator("main [aria-busy]").first().waitFor({ state: "detached" });
    await shot(page, "home-en");
    // a suggestion keeps each line to one (styles.css): its reason, the point of it, must fit at 390 px, not end in
    // "…" ("Popular in your neighbourh…")
    const clipped = await page
      .locator(".strip .reason")
      .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
    expect(clipped).toEqual([]);

    await nav(page, "Wallet").click();
    await page.getByRole("heading", { name: "Wallet" }).waitFor();
    await page.getByText("Monthly statement").waitFor();
    // the statement's month in words, whatever the browser's locale (a native month field showed its own format)
    expect(await page.locator("#statement-month option:checked").textContent()).toMatch(/^[A-Z][a-z]+ \d{4}$/);
    // British spelling like the rest of the English ("neighbourhood"): the refund note said "canceled"
    await page.getByText("The newest card payments are cancelled first.").waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Wallet" }).waitFor();
    await shot(page, "wallet-en");

    await page.getByRole("button", { name: "한국어로 보기" }).click();
    await page.getByRole("heading", { name: "지갑" }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  test("board: a validation error by the field, then post, search, like, comment; a neighbour reports it", async () => {
    const { context, page, problems } = await chromium.openAs(DEMO_BUYERS[0].email); // 김민지, 서교동
    await page.goto(baseUrl);
    await nav(page, "게시판").click();
    await page.getByRole("heading", { name: "동네 게시판" }).waitFor();

    await page.getByRole("button", { name: "글쓰기" }).click();
    await page.getByLabel("분류").selectOption("sharing");
    await page.getByLabel("제목").fill("x");
    await page.getByLabel("내용").fill("본문");
    await page.getByRole("button", { name: "올리기" }).click();
    await page.locator("#field-title-error").waitFor();

    const title = `상추 나눔해요 ${Date.now()}`;
    await page.getByLabel("제목").fill(title);
    await page.getByLabel("내용").fill("텃밭 상추가 너무 많아요. 가져가실 분!");
    await page.getByRole("button", { name: "올리기" }).click();
    await page.getByRole("link", { name: new RegExp(title) }).waitFor();

    // the popular order is asked of the server (its ranking is tested in test/worker/board.test.ts)
    const popular = page.waitForRequest((r) => r.url().includes("board.list") && r.url().includes("popular"));
    await page.getByRole("button", { name: "인기순" }).click();
    await popular;
    await page.getByRole("button", { name: "최신순" }).click();
    await page.getByRole("searchbox", { name: "게시판 검색" }).fill("상추");
    await page.getByRole("button", { name: "검색", exact: true }).click();
    await page.getByRole("link", { name: new RegExp(title) }).waitFor();
    await shot(page, "board-ko");

    await page.getByRole("link", { name: new RegExp(title) }).click();
    await page.getByRole("heading", { name: title }).waitFor();
    await page.getByTestId("like").click();
    await expect.poll(() => page.getByTestId("like").getAttribute("aria-pressed")).toBe("true");
    await page.getByLabel("댓글 쓰기").fill("저요!");
    await page.getByRole("button", { name: "댓글 달기" }).click();
    await page.getByTestId("comments").getByText("저요!").waitFor();
    // one level of replies: under the comment it answers
    const mine = page.getByTestId("comment").filter({ hasText: "저요!" });
    await mine.getByRole("button", { name: "답글" }).click();
    await mine.getByLabel("답글 쓰기").fill("오후에 가져가세요");
    await mine.getByRole("button", { name: "답글 달기" }).click();
    await mine.getByTestId("replies").getByText("오후에 가져가세요").waitFor();
    await shot(page, "post-ko");
    const postUrl = page.url();
    expect(problems.filter((p) => !p.includes("status of 400"))).toEqual([]);

    const neighbour = await chromium.browser().newContext({
      viewport: PHONE,
      storageState: await signedInState(DEMO_SELLERS[0].email), // 마포청과, 서교동
    });
    const other = await neighbour.newPage();
    await other.goto(postUrl);
    await other.getByRole("heading", { name: title }).waitFor();
    expect(await other.getByTestId("like").textContent()).toContain("1");
    const article = other.locator("article");
    await article.getByRole("button", { name: "신고" }).click();
    await article.getByLabel("신고 사유").selectOption("spam");
    await article.locator(".inline-form").getByRole("button", { name: "신고" }).click();
    await article.getByText("신고가 접수됐어요. 검토 후 조치할게요.").waitFor();
    // and her comment, on its own
    const herComment = other.getByTestId("comment").filter({ hasText: "저요!" });
    await herComment.getByRole("button", { name: "신고" }).click();
    await herComment.getByLabel("신고 사유").selectOption("spam");
    await herComment.locator(".inline-form").getByRole("button", { name: "신고" }).click();
    await herComment.getByText("신고가 접수됐어요. 검토 후 조치할게요.").waitFor();

    // She waits on her inbox; the neighbour's comment arrives there live, without a reload.
    await nav(page, "알림").click();
    await page.getByRole("heading", { name: "알림" }).waitFor();
    await page.locator("nav.bottom-nav[data-live=on]").waitFor();
    const inbox = page.getByTestId("inbox");
    const notice = `${DEMO_SELLERS[0].displayName}님이 '${title}'에 댓글을 남겼어요.`;
    expect(await inbox.getByText(notice).count()).toBe(0);
    await other.getByLabel("댓글 쓰기").fill("저도 하나 주세요");
    await other.getByRole("button", { name: "댓글 달기" }).click();
    await inbox.getByText(notice).waitFor({ timeout: 10_000 });
    await page.getByTestId("unread-badge").waitFor();

    await neighbour.close();

    // Her own post: she deletes it, and it is gone from the board.
    await page.goto(postUrl);
    const listed = page.waitForResponse((r) => r.url().includes("board.list"));
    await page.getByRole("button", { name: "글 삭제" }).click();
    // it asks first (polish.test covers backing out)
    await page
      .getByRole("alertdialog", { name: "이 글을 삭제할까요?" })
      .getByRole("button", { name: "삭제하기" })
      .click();
    await page.getByRole("heading", { name: "동네 게시판" }).waitFor();
    await listed;
    expect(await page.getByRole("link", { name: new RegExp(title) }).count()).toBe(0);
    await context.close();
  });
});
