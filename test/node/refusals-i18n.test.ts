import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { en } from "../../client/src/i18n/en";
import { ko, type MessageKey } from "../../client/src/i18n/ko";
import { BY_CODE } from "../../client/src/lib/errorCodes";
import { refusalText } from "../../client/src/lib/refusals";
import { statusNote } from "../../client/src/lib/statusNote";
import { fillWords } from "../../shared/words";

// the app's own fill (plural forms included), as t uses it
const translator = (dict: Record<MessageKey, string>) => (key: MessageKey, params?: Record<string, string | number>) =>
  fillWords(dict[key], params);
const tKo = translator(ko);
const tEn = translator(en);

// Dates leave out the year when it is this one: they are read from a fixed today (3 Dec 2026, 15:00 KST).
beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.UTC(2026, 11, 3, 6, 0));
});
afterAll(() => vi.useRealTimers());

describe("a group buy's join refusals, worded by the client from their reason", () => {
  // The details the room sends with each refusal (worker/durable/GroupBuyRoom.ts, worker/membership/hooks.ts).
  const opensAt = Date.UTC(2026, 11, 3, 6, 0); // 15:00 KST
  const cases: [Record<string, unknown>, string, string][] = [
    [{ reason: "sold_out" }, "아쉽게도 모든 몫이 찼어요.", "Sorry, every share is taken."],
    [
      { reason: "not_enough_shares", remaining: 2 },
      "남은 몫이 2몫이에요. 몫 수를 줄여 다시 시도해 주세요.",
      "Only 2 shares left. Take fewer and try again.",
    ],
    [
      { reason: "max_per_person", max: 3, current: 2 },
      "한 사람당 3몫까지 참여할 수 있어요. 이미 2몫 참여했어요.",
      "You can take up to 3 shares per person; you already have 2.",
    ],
    [
      { reason: "plus_early_access", opensAt },
      "처음 1시간은 공구 플러스 회원만 참여할 수 있어요. 12월 3일 (목) 오후 3:00부터 누구나 참여할 수 있어요.",
      "The first hour is for Gonggu Plus members. Everyone can join from Thu 3 Dec, 15:00.",
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

describe("rare refusals a user can still meet, worded from their reason", () => {
  const until = Date.UTC(2026, 11, 10, 6, 0); // 15:00 KST
  const cases: [Record<string, unknown>, string, string][] = [
    [
      { reason: "suspended", until },
      "계정 이용이 12월 10일 (목) 오후 3:00까지 정지됐어요. 그때까지 공구 참여와 공구 열기, 판매, 글·댓글·채팅을 할 수 없어요.",
      "Your account is suspended until Thu 10 Dec, 15:00. Until then you can't join or open group buys, sell, post, comment or chat.",
    ],
    [
      { reason: "leave_closed" },
      "모집이 끝난 공구라 참여를 취소할 수 없어요. 공구가 취소되면 포인트가 모두 돌아와요.",
      "This group buy has stopped taking joins, so you can't leave it now. If it is cancelled, all your points come back.",
    ],
    [
      { reason: "marked_no_show" },
      "판매자가 노쇼로 처리해서 픽업을 확인할 수 없어요.",
      "The seller marked you as a no-show, so you can't confirm a pickup.",
    ],
    [
      { reason: "already_picked_up" },
      "이 참여자는 이미 픽업을 확인해서 노쇼로 처리할 수 없어요.",
      "This buyer already confirmed their pickup, so they can't be marked as a no-show.",
    ],
    [
      { reason: "under_review" },
      "검토 중인 글이라 지금은 댓글, 좋아요, 공급 제안을 남길 수 없어요.",
      "This post is under review, so you can't comment, like or offer to supply it right now.",
    ],
    [
      { reason: "request_in_progress" },
      "앞선 요청을 아직 처리하고 있어요. 잠시 후 다시 눌러 주세요.",
      "Your earlier request is still being processed. Press again in a moment.",
    ],
    [
      { reason: "signup_limit", retryAt: until },
      "지금 쓰는 네트워크에서 가입이 너무 많았어요. 12월 10일 (목) 오후 3:00부터 다시 가입할 수 있어요.",
      "Too many sign-ups from your network. You can sign up again from Thu 10 Dec, 15:00.",
    ],
    [
      { reason: "verify_limit", retryAt: until },
      "동네 인증을 너무 여러 번 했어요. 12월 10일 (목) 오후 3:00부터 다시 인증해 주세요.",
      "You have verified your neighbourhood too many times. Try again from Thu 10 Dec, 15:00.",
    ],
    // the board's limits and the others, worded as the sign-up's: when it opens again, in Korean time
    [
      { reason: "post_limit", retryAt: until },
      "글을 너무 많이 올렸어요. 12월 10일 (목) 오후 3:00부터 다시 올릴 수 있어요.",
      "You have posted too much. You can post again from Thu 10 Dec, 15:00.",
    ],
    [
      { reason: "comment_limit", retryAt: until },
      "댓글을 너무 빨리 달고 있어요. 12월 10일 (목) 오후 3:00부터 다시 달 수 있어요.",
      "You are commenting too fast. You can comment again from Thu 10 Dec, 15:00.",
    ],
    [
      { reason: "report_limit", retryAt: until },
      "신고를 너무 많이 했어요. 12월 10일 (목) 오후 3:00부터 다시 신고할 수 있어요.",
      "You have sent too many reports. You can report again from Thu 10 Dec, 15:00.",
    ],
    [
      { reason: "login_limit", retryAt: until },
      "로그인에 너무 여러 번 실패했어요. 12월 10일 (목) 오후 3:00부터 다시 로그인할 수 있어요.",
      "Too many failed logins. You can log in again from Thu 10 Dec, 15:00.",
    ],
    [
      { reason: "comments_full", max: 300 },
      "이 글은 댓글이 300개로 가득 찼어요. 새 글을 써서 이어 가 주세요.",
      "This post has reached 300 comments. Start a new post to carry on.",
    ],
  ];
  it("reads in Korean and English (the generic 권한이 없어요 / 지금은 할 수 없는 작업이에요 before)", () => {
    for (const [details, inKo, inEn] of cases) {
      expect(refusalText(details, tKo, "ko")).toBe(inKo);
      expect(refusalText(details, tEn, "en")).toBe(inEn);
    }
  });

  it("has words for every reason code the worker sends", () => {
    const files = readdirSync("worker", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const reasons = new Set<string>();
    for (const file of files) {
      const source = readFileSync(path.join("worker", file), "utf8");
      for (const m of source.matchAll(/reason: (?:\w+ \? )?"([a-z_]+)"(?: : "([a-z_]+)")?/g)) {
        reasons.add(m[1]);
        if (m[2]) reasons.add(m[2]);
      }
      // wallet/charge.ts: refuse("cap", …) sends `deferred_cap`
      for (const m of source.matchAll(/refuse\(\s*"([a-z_]+)"/g)) reasons.add(`deferred_${m[1]}`);
    }
    expect(reasons.size).toBeGreaterThan(25);
    for (const reason of reasons) {
      const text = refusalText({ reason }, tKo, "ko");
      expect(text, reason).toBeTruthy();
      expect(text, reason).not.toMatch(/[A-Za-z]{3,}|\{\w+\}/);
    }
  });
});

describe("a group buy's room refusing a message or a socket", () => {
  it("words the sender's own pace and the whole room's differently, with when they may send again", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { reason: "chat_too_fast", seconds: 4 },
        "메시지를 너무 빨리 보내고 있어요. 4초 후에 다시 보내 주세요.",
        "You are sending messages too fast. Try again in 4 s.",
      ],
      [
        { reason: "chat_room_busy", seconds: 3 },
        "이 방에 지금 메시지가 너무 많아요. 3초 후에 다시 보내 주세요.",
        "This room has too many messages right now. Try again in 3 s.",
      ],
      [
        { reason: "room_full" },
        "이 방에 지금 사람이 꽉 찼어요. 자리가 나면 자동으로 다시 들어갈게요.",
        "This room is full right now. We'll let you in automatically when a place frees up.",
      ],
    ];
    for (const [details, inKo, inEn] of cases) {
      expect(refusalText(details, tKo, "ko")).toBe(inKo);
      expect(refusalText(details, tEn, "en")).toBe(inEn);
    }
  });

  // What rooms.knock answers for each refusal before the upgrade (test/worker/room-refusals.test.ts,
  // room-socket-cap.test.ts), worded as errorText does: the reason's sentence, else the code's.
  const beforeUpgrade: [status: number, code: string, reason: string | null][] = [
    [401, "UNAUTHORIZED", null],
    [403, "FORBIDDEN", "suspended"],
    [403, "FORBIDDEN", "room_closed"],
    [403, "FORBIDDEN", "room_members_only"],
    [404, "NOT_FOUND", null],
    [503, "SERVICE_UNAVAILABLE", "room_full"],
  ];
  it("has Korean and English words for every refusal of the socket before the upgrade (401/403/404/503)", () => {
    for (const [status, code, reason] of beforeUpgrade) {
      const worded = (t: typeof tKo, locale: "ko" | "en") => {
        const key = BY_CODE[code];
        return refusalText(reason ? { reason, until: 0 } : null, t, locale) ?? (key ? t(key) : null);
      };
      const [inKo, inEn] = [worded(tKo, "ko"), worded(tEn, "en")];
      expect(inKo, `${status} ${reason ?? code}`).toBeTruthy();
      expect(inKo).not.toMatch(/[A-Za-z]{3,}|\{\w+\}/);
      expect(inEn, `${status} ${reason ?? code}`).toBeTruthy();
      expect(inEn).not.toBe(inKo);
      // a reason the room sends is worded as itself, not as its code's generic sentence
      if (reason) expect(inKo).not.toBe(tKo(BY_CODE[code]!));
    }
  });
});

describe("why a group buy ended", () => {
  // The room stores an English sentence for SDK callers when a buy fails at its deadline (GroupBuyRoom.closeAtDeadline).
  const english = "Only 1 of the 5 shares needed were taken by the deadline; every hold is released.";

  it("words a failed buy from its rule in the reader's language, never the room's English sentence", () => {
    expect(statusNote(tKo, "FAILED", english, 5)).toBe(
      "마감까지 최소 5몫이 모이지 않아 무산됐어요. 묶였던 포인트는 모두 풀렸어요.",
    );
    expect(statusNote(tEn, "FAILED", english, 5)).toContain("the 5 shares needed");
  });

  it("shows a cancellation in the canceller's own words, and nothing for a buy still going", () => {
    expect(statusNote(tKo, "CANCELLED", "산지 폭우로 출하가 어려워요", 5)).toBe("산지 폭우로 출하가 어려워요");
    expect(statusNote(tKo, "OPEN", null, 5)).toBeNull();
    expect(statusNote(tKo, "READY", null, 5)).toBeNull();
  });
});
