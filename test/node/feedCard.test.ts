import { describe, expect, test } from "vitest";
import { escapeHtml, feedCardHtml } from "../../shared/feedCard.ts";

// The one template the worker streams into index.html and the SPA draws (shared/feedCard.ts).
describe("the feed card template", () => {
  const words = (key: string, params?: Record<string, string | number>) =>
    `${key}${params ? JSON.stringify(params) : ""}`;

  test("escapes every character that could start markup or end an attribute", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
  });

  test("every field of the group buy arrives as text", () => {
    const html = feedCardHtml(
      {
        id: `x"><script>`,
        title: "<script>alert(1)</script>",
        sellerName: `"onmouseover="alert(2)`,
        category: "fresh<b>",
        pricePerShare: 6400,
        takenShares: 1,
        totalShares: 5,
      },
      words,
      (n) => `${n}원`,
    );
    expect(html).not.toMatch(/<script|<b>|"onmouseover/);
    expect(html).toContain('href="/g/x%22%3E%3Cscript%3E"');
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&quot;onmouseover=&quot;alert(2)");
    expect(html).toContain('<progress max="5" value="1"');
  });
});
