import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { en } from "../../client/src/i18n/en";
import { ko, type MessageKey } from "../../client/src/i18n/ko";
import { notificationLines } from "../../client/src/lib/notificationText";
import { CHAT_SYSTEM_CODES } from "../../shared/chat";
import { BOARD_CATEGORIES } from "../../shared/schemas/board";
import type { NotificationItem, NotificationKind } from "../../shared/schemas/notifications";
import { NOTIFICATION_KINDS } from "../../shared/schemas/notifications";

const ID = "01JAAAAAAAAAAAAAAAAAAAAAAA";
const base = { id: ID, readAt: null, createdAt: 0 };
/** One sample per kind; the Record type makes a new kind without a sample a compile error. */
const samples: Record<NotificationKind, NotificationItem> = {
  "groupbuy.filled": { ...base, kind: "groupbuy.filled", params: { groupBuyId: ID, title: "사과" } },
  "groupbuy.tipped": { ...base, kind: "groupbuy.tipped", params: { groupBuyId: ID, title: "사과" } },
  "groupbuy.failed": { ...base, kind: "groupbuy.failed", params: { groupBuyId: ID, title: "사과", refundWon: 12000 } },
  "groupbuy.cancelled": {
    ...base,
    kind: "groupbuy.cancelled",
    params: { groupBuyId: ID, title: "사과", refundWon: 5000, reason: "산지 사정" },
  },
  "groupbuy.ready": { ...base, kind: "groupbuy.ready", params: { groupBuyId: ID, title: "사과" } },
  "groupbuy.purchase_refunded": {
    ...base,
    kind: "groupbuy.purchase_refunded",
    params: { groupBuyId: ID, title: "딸기", refundWon: 9500, reason: "상한 딸기" },
  },
  "charge.succeeded": { ...base, kind: "charge.succeeded", params: { groupBuyId: ID, title: "사과", amountWon: 5000 } },
  "charge.failed": { ...base, kind: "charge.failed", params: { groupBuyId: ID, title: "사과", amountWon: 5000 } },
  "wallet.charge_paid": { ...base, kind: "wallet.charge_paid", params: { chargeId: ID, amountWon: 20000 } },
  "wallet.charge_declined": {
    ...base,
    kind: "wallet.charge_declined",
    params: { chargeId: ID, amountWon: 30000, clawedBackWon: 5000, debtWon: 25000, reason: "카드 한도 초과" },
  },
  "wallet.refund_failed": {
    ...base,
    kind: "wallet.refund_failed",
    params: { refundId: ID, amountWon: 5000, reason: "취소 불가" },
  },
  "board.comment": {
    ...base,
    kind: "board.comment",
    params: { postId: ID, postTitle: "질문", commentId: ID, commenterName: "김이웃" },
  },
  "board.reply": {
    ...base,
    kind: "board.reply",
    params: { postId: ID, postTitle: "질문", commentId: ID, commenterName: "김이웃" },
  },
  "board.supply_offer": {
    ...base,
    kind: "board.supply_offer",
    params: { postId: ID, postTitle: "귤", sellerName: "귤농장" },
  },
  "board.proposal_linked": {
    ...base,
    kind: "board.proposal_linked",
    params: { postId: ID, postTitle: "귤", groupBuyId: ID },
  },
  "seller.approved": { ...base, kind: "seller.approved", params: { applicationId: ID, businessName: "가게" } },
  "seller.rejected": {
    ...base,
    kind: "seller.rejected",
    params: { applicationId: ID, businessName: "가게", reason: "서류 누락" },
  },
  "payout.account_needed": {
    ...base,
    kind: "payout.account_needed",
    params: { reason: "kyc_required", availableWon: 19_000 },
  },
  "moderation.outcome": {
    ...base,
    kind: "moderation.outcome",
    params: { targetType: "post", targetId: ID, outcome: "removed", reason: "광고", suspendedUntil: 1_800_000_000_000 },
  },
  "membership.tier_changed": {
    ...base,
    kind: "membership.tier_changed",
    params: { tier: "regular", previousTier: "neighbor" },
  },
  "membership.plus_renewal_soon": {
    ...base,
    kind: "membership.plus_renewal_soon",
    params: { renewsAt: 1_800_000_000_000, priceWon: 4_900, enoughPoints: false },
  },
  "membership.plus_renewed": {
    ...base,
    kind: "membership.plus_renewed",
    params: { periodEnd: 1_800_000_000_000, priceWon: 4_900 },
  },
  "membership.plus_lapsed": {
    ...base,
    kind: "membership.plus_lapsed",
    params: { priceWon: 4_900, shortfallWon: 1_200 },
  },
  "membership.plus_ended": { ...base, kind: "membership.plus_ended", params: { endedAt: 1_800_000_000_000 } },
  "membership.reward_expiring": {
    ...base,
    kind: "membership.reward_expiring",
    params: { amountWon: 1_500, expiresAt: 1_800_000_000_000 },
  },
  "membership.reward_clawed_back": {
    ...base,
    kind: "membership.reward_clawed_back",
    params: { groupBuyId: ID, amountWon: 1_940, fromChargedWon: 1_500 },
  },
};

function translator(dict: Record<MessageKey, string>) {
  return (key: MessageKey, params?: Record<string, string>) =>
    params ? dict[key].replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m) : dict[key];
}

describe("community UI text", () => {
  // dates leave out the year when it is this one: read them from a fixed today (3 Dec 2026, 15:00 KST)
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 11, 3, 6, 0));
  });
  afterAll(() => vi.useRealTimers());

  it("renders every notification kind in Korean and English with every placeholder filled", () => {
    expect(Object.keys(samples).sort()).toEqual([...NOTIFICATION_KINDS].sort());
    for (const dict of [ko, en]) {
      for (const n of Object.values(samples)) {
        const lines = notificationLines(n, translator(dict));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) expect(line, `${n.kind}: ${line}`).not.toMatch(/\{\w+\}/);
      }
    }
    const [removed, suspended] = notificationLines(samples["moderation.outcome"], translator(ko));
    expect(removed).toBe("운영 정책에 따라 글이 삭제됐어요. 사유: 광고");
    expect(suspended).toBe("2027년 1월 15일 (금)까지 글쓰기와 채팅이 제한돼요.");
    expect(notificationLines(samples["groupbuy.failed"], translator(ko))[0]).toContain("12,000원을 돌려드려요");
  });

  it("dates a suspension by the Korean calendar: one ending at 00:30 KST is that day, not the UTC day before", () => {
    const until = Date.UTC(2027, 0, 14, 15, 30); // 14 Jan 15:30 UTC = 15 Jan 00:30 KST
    const n = {
      ...samples["moderation.outcome"],
      params: { ...samples["moderation.outcome"].params, suspendedUntil: until },
    };
    expect(notificationLines(n as NotificationItem, translator(en), "en")[1]).toBe(
      "You can't post or chat until Fri 15 Jan 2027.",
    );
    expect(notificationLines(n as NotificationItem, translator(ko))[1]).toBe(
      "2027년 1월 15일 (금)까지 글쓰기와 채팅이 제한돼요.",
    );
  });

  it("has a label for every board category and chat system line", () => {
    for (const dict of [ko, en] as Record<string, string>[]) {
      for (const c of BOARD_CATEGORIES) expect(dict[`board.category.${c}`]).toBeTruthy();
      for (const code of CHAT_SYSTEM_CODES) expect(dict[`chat.system.${code}`]).toBeTruthy();
    }
  });
});
