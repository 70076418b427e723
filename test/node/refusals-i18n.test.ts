import { describe, expect, it } from "vitest";
import { en } from "../../client/src/i18n/en";
import { ko, type MessageKey } from "../../client/src/i18n/ko";
import { refusalText } from "../../client/src/lib/refusals";
import { statusNote } from "../../client/src/lib/statusNote";

const translator = (dict: Record<MessageKey, string>) => (key: MessageKey, params?: Record<string, string | number>) =>
  dict[key].replace(/\{(\w+)\}/g, (m, name: string) => String(params?.[name] ?? m));
const tKo = translator(ko);
const tEn = translator(en);

describe("a group buy's join refusals, worded by the client from their reason", () => {
  // The details the room sends with each refusal (worker/durable/GroupBuyRoom.ts, worker/membership/hooks.ts).
  const opensAt = Date.UTC(2026, 11, 3, 6, 0); // 15:00 KST
  const cases: [Record<string, unknown>, string, string][] = [
    [{ reason: "sold_out" }, "아쉽게도 수량이 모두 찼어요.", "Sorry, every share is taken."],
    [
      { reason: "not_enough_shares", remaining: 2 },
      "남은 수량이 2개예요. 수량을 줄여 다시 시도해 주세요.",
      "Only 2 left. Lower the quantity and try again.",
    ],
    [
      { reason: "max_per_person", max: 3, current: 2 },
      "한 사람당 3개까지 살 수 있어요. 이미 2개 참여했어요.",
      "You can take up to 3 per person; you already have 2.",
    ],
    [
      { reason: "plus_early_access", opensAt },
      "처음 1시간은 공구 플러스 회원만 참여할 수 있어요. 2026. 12. 3. 오후 3:00부터 누구나 참여할 수 있어요.",
      "The first hour is for Gonggu Plus members. Everyone can join from 3 Dec 2026, 15:00.",
    ],
    [{ reason: "closed" }, "이 공구는 참여가 마감됐어요.", "This group buy is closed to new joins."],
  ];
  it("reads in Korean and English with the room's numbers and a Korean-time instant", () => {
    for (const [details, inKo, inEn] of cases) {
      expect(refusalText(details, tKo, "ko")).toBe(inKo);
      expect(refusalText(details, tEn, "en")).toBe(inEn);
    }
  });

  it("has Korean words for every reason the room sends, with nothing left in English or unfilled", () => {
    for (const reason of [
      "closed",
      "sold_out",
      "region",
      "max_per_person",
      "not_enough_shares",
      "in_progress",
      "timeout",
    ]) {
      const text = refusalText({ reason, max: 2, current: 1, remaining: 1 }, tKo, "ko");
      expect(text, reason).toBeTruthy();
      expect(text).not.toMatch(/[A-Za-z]{3,}|\{\w+\}/);
    }
  });

  it("leaves reasons it does not know (and inherited names) to the caller", () => {
    expect(refusalText({ reason: "something_new" }, tKo)).toBeNull();
    expect(refusalText({ reason: "toString" }, tKo)).toBeNull();
    expect(refusalText(null, tKo)).toBeNull();
  });
});

describe("why a group buy ended", () => {
  // The room stores an English sentence for SDK callers when a buy fails at its deadline (GroupBuyRoom.closeAtDeadline).
  const english = "Only 1 of the 5 shares needed were taken by the deadline; every hold is released.";

  it("words a failed buy from its rule in the reader's language, never the room's English sentence", () => {
    expect(statusNote(tKo, "FAILED", english, 5)).toBe(
      "마감까지 최소 5개가 모이지 않아 무산됐어요. 묶였던 포인트는 모두 풀렸어요.",
    );
    expect(statusNote(tEn, "FAILED", english, 5)).toContain("the 5 shares needed");
  });

  it("shows a cancellation in the canceller's own words, and nothing for a buy still going", () => {
    expect(statusNote(tKo, "CANCELLED", "산지 폭우로 출하가 어려워요", 5)).toBe("산지 폭우로 출하가 어려워요");
    expect(statusNote(tKo, "OPEN", null, 5)).toBeNull();
    expect(statusNote(tKo, "READY", null, 5)).toBeNull();
  });
});
