import { describe, expect, it } from "vitest";
import { consoleKo } from "../../client/src/i18n/console.ko";

describe("the seller console's Korean counts a group buy in shares (몫)", () => {
  it("never in the buyer's 1인분 or 개 for shares, so one screen does not mix three units", () => {
    // the host's form (/host) is the seller's form: the same unit ("내가 살 개수" beside "총 몫" read as two things)
    const seller = Object.entries(consoleKo).filter(([key]) => key.startsWith("seller.gb.") || key.startsWith("host."));
    expect(seller.length).toBeGreaterThan(30);
    for (const [key, text] of seller) {
      expect(text, key).not.toMatch(/인분|\{\w+\}개|\d개|개수/);
    }
    // the card's own lines say 몫 for every count of shares
    for (const key of [
      "seller.gb.share",
      "seller.gb.taken",
      "seller.gb.tipping",
      "seller.gb.buyerShares",
      "host.shares",
    ] as const) {
      expect(consoleKo[key], key).toContain("몫");
    }
  });
});
