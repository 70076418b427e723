import { describe, expect, it } from "vitest";
import { SOCKET_TICKET_RULE } from "../../worker/accounts/socketAuth";
import { COMMENT_RULE, POST_RULE, REPORT_RULE } from "../../worker/community/config";
import { SAVE_RULE } from "../../worker/groupbuy/payoutAccounts";
import type { RateLimitRule } from "../../worker/lib/rateLimit";
import { REGISTER_RULE } from "../../worker/wallet/billingKeys";
import { callApi } from "./api";
import { AUTHZ_TABLE, type AuthzRow } from "./authz-table";
import { createFixtures, type SignedInRole, seedRateLimit, tokenFor } from "./fixtures";

// Every rate limit refuses the same way (lib/rateLimit.ts requireUnderRateLimits): 429 TOO_MANY_REQUESTS with a
// Retry-After header, `retryAfterSeconds` in the error data, and details { reason, retryAt } the app words in ko/en.
// The board's (posts, comments, reports, chat reports) and the socket tickets said the wait in words only.

const LIMITED: {
  path: keyof typeof AUTHZ_TABLE;
  as: SignedInRole;
  key: string;
  rule: RateLimitRule;
  reason: string;
  what: string;
}[] = [
  { path: "board.create", as: "buyer", key: "post", rule: POST_RULE, reason: "post_limit", what: "posts" },
  { path: "board.comment", as: "buyer", key: "comment", rule: COMMENT_RULE, reason: "comment_limit", what: "comments" },
  { path: "board.report", as: "buyer", key: "report", rule: REPORT_RULE, reason: "report_limit", what: "reports" },
  { path: "rooms.report", as: "buyer", key: "report", rule: REPORT_RULE, reason: "report_limit", what: "reports" },
  {
    path: "rooms.ticket",
    as: "buyer",
    key: "ticket",
    rule: SOCKET_TICKET_RULE,
    reason: "ticket_limit",
    what: "connection tickets",
  },
  {
    path: "notifications.ticket",
    as: "buyer",
    key: "ticket",
    rule: SOCKET_TICKET_RULE,
    reason: "ticket_limit",
    what: "connection tickets",
  },
  {
    path: "seller.payoutAccount.save",
    as: "seller",
    key: "payout-account",
    rule: SAVE_RULE,
    reason: "payout_account_limit",
    what: "payout account changes",
  },
  {
    path: "payments.registerBillingKey",
    as: "buyer",
    key: "billing-register",
    rule: REGISTER_RULE,
    reason: "card_limit",
    what: "card registrations",
  },
];

describe("rate-limit refusals carry Retry-After and { reason, retryAt }", () => {
  for (const c of LIMITED) {
    it(`${c.path}: ${c.reason}`, async () => {
      const fx = await createFixtures();
      const caller = await fx.newUser(c.as);
      const row = AUTHZ_TABLE[c.path] as AuthzRow<unknown>;
      const input = row.input ? await row.input({ fx, role: c.as, caller }) : undefined;
      // the caller used up the window 10 s ago: the next one is over
      const windowStart = Date.now() - 10_000;
      await seedRateLimit(fx.db, `${c.key}:${caller.id}`, c.rule.limit, windowStart);
      const res = await callApi({ path: c.path, kind: row.kind, input, token: await tokenFor(fx.db, caller) });

      expect([res.status, res.code], res.message ?? "").toEqual([429, "TOO_MANY_REQUESTS"]);
      const waitS = (windowStart + c.rule.windowMs - Date.now()) / 1000;
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(Math.floor(waitS) - 5);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(waitS) + 1);
      expect(res.error?.data.retryAfterSeconds).toBe(retryAfter);
      const details = res.error?.data.details as { reason: string; retryAt: number };
      expect(details.reason).toBe(c.reason);
      expect(details.retryAt).toBe(windowStart + c.rule.windowMs);
      expect(res.message).toMatch(new RegExp(`^Too many ${c.what}\\. Try again in \\d+ (minute|minutes|hours)\\.$`));
    });
  }
});
