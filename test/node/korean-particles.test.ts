import { describe, expect, it } from "vitest";
import { ko } from "../../client/src/i18n/ko";
import { formatWon } from "../../client/src/lib/format";

/**
 * Korean particles after a won amount: it is written "4,900원" (lib/format.ts), and 원 ends in a consonant, so it
 * takes 이/은/을/으로, never 가/는/를/로 ("4,900원로 가입하기", "포인트 30,000원는" read wrong to every Korean reader).
 */
const WON = [
  "amount",
  "price",
  "debt",
  "cap",
  "refund",
  "refundable",
  "remaining",
  "limit",
  "shortfall",
  "clawedBack",
  "charged",
  "net",
  "discount",
  "needed",
  "earned",
  "total",
];
const VOWEL_FORM = new RegExp(`\\{(${WON.join("|")})\\}(가|는|를|로|와|예요)(?![가-힣])`, "g");
/**
 * A date ends in its weekday, "12월 6일 (일)" (lib/format.ts), which may end in a vowel (화, 수, 토): only particles
 * that read the same after either (에, 까지, 부터) may follow it; "{date}이에요" read "(화)이에요".
 */
const AFTER_DATE = /\{(date|until|opensAt|time)\}(이|가|은|는|을|를|으로|로|와|과|이에요|예요)(?![가-힣])/g;

describe("Korean particles after won amounts", () => {
  it("every template takes the consonant form after an amount", () => {
    const wrong = Object.entries(ko as Record<string, string>).flatMap(([key, text]) =>
      [...text.matchAll(VOWEL_FORM)].map((m) => `${key}: ${m[0]}`),
    );
    expect(wrong).toEqual([]);
  });

  it("no template puts a particle that depends on the last sound after a date", () => {
    const wrong = Object.entries(ko as Record<string, string>).flatMap(([key, text]) =>
      [...text.matchAll(AFTER_DATE)].map((m) => `${key}: ${m[0]}`),
    );
    expect(wrong).toEqual([]);
  });

  it("reads naturally where a buyer meets them", () => {
    const fill = (key: keyof typeof ko, params: Record<string, string>) =>
      ko[key].replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "");
    expect(fill("plus.subscribe", { price: formatWon(4900, "ko") })).toBe("4,900원으로 가입하기");
    expect(fill("deferred.point.now", { amount: formatWon(30000, "ko") })).toBe(
      "포인트 30,000원은 지금 바로 지갑에 들어와요.",
    );
    expect(fill("notification.moderation.approved", { target: ko["notification.target.chat_message"] })).toBe(
      "신고된 채팅 내용을 검토했고 다시 공개했어요.",
    );
  });
});
