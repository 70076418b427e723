import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { SIGNUP_RULES, signupLimitHits } from "../../worker/accounts/auth";
import { getDb } from "../../worker/db/client";
import { rateLimits, users } from "../../worker/db/schema";
import { type ApiResult, callApi, testClientIp } from "./api";
import { seedRateLimit } from "./fixtures";
import { newBuyer, uniqueEmail } from "./helpers";

const db = getDb(env);
const HOUR = 60 * 60_000;
const [hourKey, dayKey] = [0, 1].map((i) => (ip: string) => signupLimitHits(ip)[i].key);

function signup(ip: string, email = uniqueEmail("signup")): Promise<ApiResult> {
  const input = { email, password: "correct horse battery", displayName: "새이웃" };
  return callApi({ path: "auth.signup", kind: "mutation", input, ip });
}

/** A typed refusal that says when to try again: the header, the error data and the details the app words agree. */
function expectLimited(res: ApiResult, waitMs: number, words: string) {
  expect([res.status, res.code]).toEqual([429, "TOO_MANY_REQUESTS"]);
  expect(res.message).toBe(`Too many sign-ups from your network. Try again in ${words}.`);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(waitMs / 1000 - 60);
  expect(retryAfter).toBeLessThanOrEqual(waitMs / 1000);
  expect(res.error?.data.retryAfterSeconds).toBe(retryAfter);
  const details = res.error?.data.details as { reason: string; retryAt: number };
  expect(details.reason).toBe("signup_limit");
  expect(Math.abs(details.retryAt - (Date.now() + retryAfter * 1000))).toBeLessThan(60_000);
}

describe("sign-up limit per client network (30 an hour, 100 a day)", () => {
  it("refuses the 31st sign-up of an hour from one network, creates no account, and lets other networks in", async () => {
    const ip = testClientIp();
    await seedRateLimit(db, hourKey(ip), SIGNUP_RULES.hour.limit - 1);
    expect((await signup(ip)).status).toBe(200);
    const refusedEmail = uniqueEmail("refused");
    expectLimited(await signup(ip, refusedEmail), HOUR, "60 minutes");
    expect(await db.select().from(users).where(eq(users.email, refusedEmail)).get()).toBeUndefined();
    expect((await signup(testClientIp())).status).toBe(200);
  });

  it("counts attempts on a taken email too: past the limit nobody learns whether an email has an account", async () => {
    const { email } = await newBuyer();
    const ip = testClientIp();
    await seedRateLimit(db, hourKey(ip), SIGNUP_RULES.hour.limit - 2);
    for (let i = 0; i < 2; i++) {
      const taken = await signup(ip, email);
      expect([taken.code, taken.error?.data.details]).toEqual(["CONFLICT", { reason: "email_taken" }]);
    }
    expectLimited(await signup(ip, email), HOUR, "60 minutes");
    expectLimited(await signup(ip), HOUR, "60 minutes");
  });

  it("counts an IPv6 client by its /64: new addresses in the same network get no new sign-ups", async () => {
    const group = () => Math.floor(Math.random() * 0xffff).toString(16);
    const net = `2001:db8:${group()}:${group()}`;
    await seedRateLimit(db, hourKey(`${net}::1`), SIGNUP_RULES.hour.limit);
    expectLimited(await signup(`${net}:aaaa:bbbb:cccc:dddd`), HOUR, "60 minutes");
    expect((await signup(`2001:db8:${group()}:${group()}::1`)).status).toBe(200);
  });

  it("holds a network to 100 a day even when no hour reaches 30", async () => {
    const ip = testClientIp();
    await seedRateLimit(db, dayKey(ip), SIGNUP_RULES.day.limit, Date.now() - 5 * HOUR);
    expectLimited(await signup(ip), 19 * HOUR, "19 hours");
  });

  it("counts sign-ups sent at once: with 27 counted, 5 at once make 3 accounts and get 2 refusals", async () => {
    const ip = testClientIp();
    await seedRateLimit(db, hourKey(ip), SIGNUP_RULES.hour.limit - 3);
    const results = await Promise.all(Array.from({ length: 5 }, () => signup(ip)));
    const codes = results.map((r) => r.code);
    expect(codes.filter((c) => c === null)).toHaveLength(3);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(2);
    const row = await db
      .select()
      .from(rateLimits)
      .where(eq(rateLimits.key, hourKey(ip)))
      .get();
    expect(row?.count).toBe(SIGNUP_RULES.hour.limit + 2);
  });

  it("opens again when the hour has passed", async () => {
    const ip = testClientIp();
    await seedRateLimit(db, hourKey(ip), SIGNUP_RULES.hour.limit + 5, Date.now() - HOUR - 1);
    expect((await signup(ip)).status).toBe(200);
  });
});
