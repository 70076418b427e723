import { describe, expect, it } from "vitest";
import { consoleKo } from "../../client/src/i18n/console.ko";
import { en } from "../../client/src/i18n/en";
import { ko, type MessageKey } from "../../client/src/i18n/ko";

/** Every string that counts or prices a share of a group buy, on the buyer's screens as well as the seller's. */
const SHARE_KEYS: MessageKey[] = [
  "gb.perShare",
  "gb.shares",
  "gb.remaining",
  "gb.shareSize",
  "gb.sharesCount",
  "gb.sharesLabel",
  "gb.overMax",
  "gb.receipt",
  "gb.leaveBody",
  "gb.failedNote",
  "refusal.not_enough_shares",
  "refusal.max_per_person",
];

describe("a group buy is counted in shares (몫 / share) everywhere", () => {
  it("the seller console and the host form never say the buyer's old 1인분 or 개 for shares", () => {
    // the host's form (/host) is the seller's form: the same unit ("내가 살 개수" beside "총 몫" read as two things)
    const seller = Object.entries(consoleKo).filter(([key]) => key.startsWith("seller.gb.") || key.startsWith("host."));
    expect(seller.length).toBeGreaterThan(30);
    for (const [key, text] of seller) {
      expect(text, key).not.toMatch(/인분|\{\w+\}개|\d개|개수/);
    }
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

  it("nor do the buyer's screens: a share is 1몫 (it was '1인분 5,000원' above '3/10개 모임'), 'share' in English", () => {
    for (const text of Object.values(ko)) expect(text).not.toMatch(/인분/);
    for (const key of SHARE_KEYS) {
      expect(ko[key], key).toContain("몫");
      expect(ko[key], key).not.toMatch(/\{\w+\}개|수량/);
      expect(en[key], key).toMatch(/share/);
    }
  });
});

describe("Korean writing conventions", () => {
  it("a range in Korean takes ~ (1회 1,000원~2,000,000원), not the English dash", () => {
    for (const dict of [ko, consoleKo]) {
      for (const [key, text] of Object.entries(dict)) expect(text, key).not.toMatch(/–/);
    }
  });
});
