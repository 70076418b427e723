import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { checkRateLimit, clearRateLimit, countRateLimitHit, type RateLimitRule } from "../lib/rateLimit";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password";

export const LOGIN_FAILURE_RULE: RateLimitRule = { limit: 10, windowMs: 15 * 60_000 };

export interface SignupArgs {
  email: string;
  password: string;
  displayName: string;
}

export async function signup(db: Db, pepper: string, args: SignupArgs, now: number) {
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, args.email)).get();
  if (existing) fail("CONFLICT", "An account with this email already exists. Log in instead.");
  const user = {
    id: newId(now),
    email: args.email,
    passwordHash: await hashPassword(args.password, pepper),
    displayName: args.displayName,
    role: "buyer" as const,
    createdAt: now,
  };
  try {
    await db.insert(users).values(user);
  } catch (e) {
    // Two signups raced past the check above: the unique index decides.
    if (String((e as Error)?.message ?? e).includes("UNIQUE")) {
      fail("CONFLICT", "An account with this email already exists. Log in instead.");
    }
    throw e;
  }
  return user;
}

export function loginLimitKeys(email: string, ip: string) {
  return { account: `login:acct:${email}`, ip: `login:ip:${ip}` };
}

/** Same error for unknown email and wrong password; failures are counted per account and per IP. */
export async function login(db: Db, pepper: string, email: string, password: string, ip: string, now: number) {
  const keys = loginLimitKeys(email, ip);
  for (const key of [keys.account, keys.ip]) {
    const state = await checkRateLimit(db, key, LOGIN_FAILURE_RULE, now);
    if (state.limited) {
      const minutes = Math.ceil(state.retryAfterMs / 60_000);
      fail("TOO_MANY_REQUESTS", `Too many failed logins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
    }
  }
  const user = await db.select().from(users).where(eq(users.email, email)).get();
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash(pepper)), pepper);
  if (!user || !ok) {
    await countRateLimitHit(db, keys.account, LOGIN_FAILURE_RULE, now);
    await countRateLimitHit(db, keys.ip, LOGIN_FAILURE_RULE, now);
    fail("UNAUTHORIZED", "Email or password is incorrect.");
  }
  await clearRateLimit(db, keys.account);
  return user;
}

export function isSuspended(user: { suspendedUntil: number | null }, now: number): boolean {
  return user.suspendedUntil !== null && user.suspendedUntil > now;
}
