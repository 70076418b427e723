import { eq } from "drizzle-orm";
import { type Db, runBatch } from "../db/client";
import { users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { ipNetwork } from "../lib/ipNetwork";
import { clearRateLimit, type RateLimitRule, refundRateLimitHit, requireUnderRateLimits } from "../lib/rateLimit";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password";

export const LOGIN_FAILURE_RULE: RateLimitRule = { limit: 10, windowMs: 15 * 60_000 };

export interface SignupArgs {
  email: string;
  password: string;
  displayName: string;
}

const EMAIL_TAKEN = "An account with this email already exists. Log in instead.";

/**
 * Sign-up attempts per client network (an IPv6 /64): enough for a shared NAT (a campus, an apartment complex's
 * network, a carrier's) signing up its people, not for a script making accounts to get around per-account limits.
 * Every attempt counts, one on a taken email too, so asking which emails have accounts is bounded as well.
 */
export const SIGNUP_RULES = {
  hour: { limit: 30, windowMs: 60 * 60_000 },
  day: { limit: 100, windowMs: 24 * 60 * 60_000 },
} as const satisfies Record<string, RateLimitRule>;

export function signupLimitHits(ip: string) {
  const network = ipNetwork(ip);
  return (["hour", "day"] as const).map((w) => ({ key: `signup:${w}:${network}`, rule: SIGNUP_RULES[w] }));
}

export async function signup(db: Db, pepper: string, args: SignupArgs, ip: string, now: number) {
  // counted in one atomic step before anything else, so sign-ups sent at once cannot all pass
  await requireUnderRateLimits(db, signupLimitHits(ip), now, {
    reason: "signup_limit",
    what: "Too many sign-ups from your network.",
  });
  // Checked first only to skip the expensive hash; the unique index below is what decides a race.
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, args.email)).get();
  if (existing) failWith("CONFLICT", EMAIL_TAKEN, { reason: "email_taken" });
  const user = {
    id: newId(now),
    email: args.email,
    passwordHash: await hashPassword(args.password, pepper),
    displayName: args.displayName,
    role: "buyer" as const,
    createdAt: now,
  };
  const inserted = await db
    .insert(users)
    .values(user)
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id });
  if (inserted.length === 0) failWith("CONFLICT", EMAIL_TAKEN, { reason: "email_taken" });
  return user;
}

/** The IP key counts the client's network (an IPv6 /64), not the one address it happens to use. */
export function loginLimitKeys(email: string, ip: string) {
  return { account: `login:acct:${email}`, ip: `login:ip:${ipNetwork(ip)}` };
}

/**
 * Same error for unknown email and wrong password. Every attempt is counted per account and per IP before the
 * password is checked (so parallel guesses cannot slip past the limit); a success clears the account's counter and
 * gives the IP its hit back, so only failures add up.
 */
export async function login(db: Db, pepper: string, email: string, password: string, ip: string, now: number) {
  const keys = loginLimitKeys(email, ip);
  await requireUnderRateLimits(
    db,
    [keys.account, keys.ip].map((key) => ({ key, rule: LOGIN_FAILURE_RULE })),
    now,
    { reason: "login_limit", what: "Too many failed logins." },
  );
  const user = await db.select().from(users).where(eq(users.email, email)).get();
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash(pepper)), pepper);
  if (!user || !ok) fail("UNAUTHORIZED", "Email or password is incorrect.");
  await runBatch(db, [clearRateLimit(db, keys.account), refundRateLimitHit(db, keys.ip)]);
  return user;
}

export function isSuspended(user: { suspendedUntil: number | null }, now: number): boolean {
  return user.suspendedUntil !== null && user.suspendedUntil > now;
}

export const LOG_IN_MESSAGE = "Log in to continue.";

export function suspendedMessage(suspendedUntil: number | null): string {
  return `Your account is suspended until ${new Date(suspendedUntil ?? 0).toISOString().slice(0, 10)}.`;
}

/** FORBIDDEN for a suspended account; `until` (epoch ms) in the details, for clients that word it themselves. */
export function failSuspended(suspendedUntil: number | null): never {
  failWith("FORBIDDEN", suspendedMessage(suspendedUntil), { reason: "suspended", until: suspendedUntil ?? 0 });
}
