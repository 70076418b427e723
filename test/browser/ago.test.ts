import { describe, expect, test } from "vitest";
import { DEMO_REGIONS } from "../../scripts/seed/demo-data.ts";
import { newVerifiedBuyer } from "./lib/buyers.ts";
import { baseUrl, chromiumPath, useChromium } from "./lib/harness.ts";

// A post's "지금" moves on to "1분 전" by itself (components/Ago.tsx on lib/ticker.ts); it stayed "지금" until the
// screen was drawn again.

describe.skipIf(!chromiumPath)("relative times in Chromium", () => {
  const chromium = useChromium();

  test("a post's time reads 지금, then 1분 전 and 2분 전 as the page's clock runs, with nothing else redrawn", async () => {
    const author = await newVerifiedBuyer("시계");
    const post = await author.sdk.board.create.mutate({
      regionId: DEMO_REGIONS[0].id,
      category: "question",
      title: `방금 올린 글 ${Date.now().toString(36)}`,
      body: "시간이 흐르면 '1분 전'이 되나요?",
    });
    const { page, problems } = await chromium.openAs(author.email, author.password);
    await page.clock.install(); // the page's timers and Date, started at now and run on by the test
    await page.goto(`${baseUrl}/board/${post.id}`);
    const when = page.locator("article time").first();
    await expect.poll(() => when.textContent()).toBe("지금");
    await page.clock.runFor(61_000);
    await expect.poll(() => when.textContent()).toBe("1분 전");
    await page.clock.runFor(60_000);
    await expect.poll(() => when.textContent()).toBe("2분 전");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
