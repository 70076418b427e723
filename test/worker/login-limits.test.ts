import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LOGIN_FAILURE_RULE, loginLimitKeys } from "../../worker/accounts/auth";
import { getDb } from "../../worker/db/client";
import { rateLimits } from "../../worker/db/schema";
import { type ApiResult, callApi } from "./api";
import { seedRateLimit } from "./fixtures";
import { newBuyer, uniqueEmail } from "./helpers";

const db = getDb(env);
let ipSerial = 0;
const freshIp = () => `198.51.100.${++ipSerial}`;
const seedFailures = (key: string, count: number, windowStart?: number) => seedRateLimit(db, key, count, windowStart);

function login(email: string, password: string, ip: string): Promise<ApiResult> {
  return callApi({ path: "auth.login", kind: "mutation", input: { email, password, tokenKind: "bearer" }, ip });
}

function expectLimited(res: ApiResult) {
  expect(res.status).toBe(429);
  expect(res.code).toBe("TOO_MANY_REQUESTS");
  expect(res.message).toBe("Too many failed logins. Try again in 15 minutes.");
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(15 * 60 - 30);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  expect(res.error?.data.retryAfterSeconds).toBe(retryAfter);
  // the same details as every rate limit, so the app says when in the reader's words
  const details = res.error?.data.details as { reason: string; retryAt: number };
  expect(details.reason).toBe("login_limit");
  expect(Math.abs(details.retryAt - (Date.now() + retryAfter * 1000))).toBeLessThan(2_000);
}

describe("login rate limit (10 failures / 15 minutes)", () => {
  it("locks an account after 10 failures from any IPs, even for the right password", async () => {
    const { email, password } = await newBuyer();
    for (let i = 0; i < LOGIN_FAILURE_RULE.limit; i++) {
      expect((await login(email, "wrong password", freshIp())).code).toBe("UNAUTHORIZED");
    }
    expectLimited(await login(email, password, freshIp()));
    // Another account is not affected.
    const other = await newBuyer();
    expect((await login(other.email, other.password, freshIp())).status).toBe(200);
  });

  it("locks an IP after 10 failures across accounts, and only that IP", async () => {
    const { email, password } = await newBuyer();
    const ip = freshIp();
    // Nine failures already counted for this IP (written directly: each real failure costs a PBKDF2 hash).
    await seedFailures(loginLimitKeys("", ip).ip, 9);
    expect((await login(uniqueEmail("guess"), "wrong password", ip)).code).toBe("UNAUTHORIZED");
    expectLimited(await login(email, password, ip));
    expect((await login(email, password, freshIp())).status).toBe(200);
  });

  it("counts an IPv6 client by its /64: new addresses in the same network do not get new tries", async () => {
    const { email, password } = await newBuyer();
    const net = `2001:db8:${(++ipSerial).toString(16)}:1`;
    await seedFailures(loginLimitKeys("", `${net}::1`).ip, 9);
    expect((await login(uniqueEmail("guess"), "wrong password", `${net}:0:0:0:2`)).code).toBe("UNAUTHORIZED");
    expectLimited(await login(email, password, `${net}:ffff:1234:5678:9abc`));
    expectLimited(await login(email, password, `2001:0db8:${net.split(":")[2].padStart(4, "0")}:0001::3`));
    // the next network, an IPv4 client and the same client over IPv4-mapped IPv6 are other keys
    expect((await login(email, password, `2001:db8:${ipSerial.toString(16)}:2::1`)).status).toBe(200);
    const v4 = freshIp();
    await seedFailures(loginLimitKeys("", v4).ip, 10);
    expectLimited(await login(email, password, `::ffff:${v4}`));
  });

  it("opens again when the window has passed", async () => {
    const { email, password } = await newBuyer();
    await seedFailures(loginLimitKeys(email, "").account, 10);
    expectLimited(await login(email, password, freshIp()));
    await seedFailures(loginLimitKeys(email, "").account, 10, Date.now() - LOGIN_FAILURE_RULE.windowMs - 1);
    expect((await login(email, password, freshIp())).status).toBe(200);
  });

  it("counts parallel guesses: with 7 failures counted, 8 at once get 3 answers and 5 refusals", async () => {
    const { email } = await newBuyer();
    await seedFailures(loginLimitKeys(email, "").account, 7);
    const results = await Promise.all(Array.from({ length: 8 }, () => login(email, "wrong password", freshIp())));
    const codes = results.map((r) => r.code);
    expect(codes.filter((c) => c === "UNAUTHORIZED")).toHaveLength(3);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(5);
  });

  it("does not count successful logins against a shared IP", async () => {
    const ip = freshIp();
    const { email, password } = await newBuyer();
    await seedFailures(loginLimitKeys("", ip).ip, 9);
    for (let i = 0; i < 2; i++) expect((await login(email, password, ip)).status).toBe(200);
    const row = await db
      .select()
      .from(rateLimits)
      .where(eq(rateLimits.key, loginLimitKeys("", ip).ip))
      .get();
    expect(row?.count).toBe(9);
  });
});
