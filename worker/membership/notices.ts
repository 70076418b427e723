import type { TierId } from "../../shared/schemas/membership";
import { type NotifyArgs, type NotifyStatement, notify, pushLive } from "../community/notifications";
import { getDb } from "../db/client";
import { causesForLog } from "../lib/errors";
import { kstMonth } from "./calendar";
import { PLUS, tierAt } from "./config";
import type { ExpiryNotice } from "./expiry";
import type { PlusEvent } from "./plus";
import type { TierChange } from "./tiers";

/**
 * Membership notifications, written after the money/state change committed (the inbox is in the main database,
 * the change in the user's book database). Dedupe keys make a repeated cron run or retry write each one once.
 */
export const tierId = (level: number): TierId => tierAt(level).id;

export function tierChangeNotice(c: TierChange, now: number, key: string = kstMonth(now)): NotifyArgs {
  return {
    userId: c.userId,
    now,
    kind: "membership.tier_changed",
    params: { tier: tierId(c.to), previousTier: tierId(c.from) },
    dedupeKey: `tier:${c.userId}:${key}:${c.to}`,
  };
}

export function plusNotice(e: PlusEvent, now: number): NotifyArgs {
  const base = { userId: e.userId, now };
  switch (e.kind) {
    case "renewal_soon":
      return {
        ...base,
        kind: "membership.plus_renewal_soon",
        params: { renewsAt: e.renewsAt, priceWon: PLUS.priceWon, enoughPoints: e.enoughPoints },
        dedupeKey: `plus-notice:${e.userId}:${e.renewsAt}`,
      };
    case "renewed":
      return {
        ...base,
        kind: "membership.plus_renewed",
        params: { periodEnd: e.periodEnd, priceWon: PLUS.priceWon },
        dedupeKey: `plus-renewed:${e.userId}:${e.periodNo}`,
      };
    case "lapsed":
      return {
        ...base,
        kind: "membership.plus_lapsed",
        params: { priceWon: PLUS.priceWon, shortfallWon: e.shortfall },
        dedupeKey: `plus-lapsed:${e.userId}:${e.periodNo}`,
      };
    case "ended":
      return {
        ...base,
        kind: "membership.plus_ended",
        params: { endedAt: now },
        dedupeKey: `plus-ended:${e.userId}:${e.periodNo}`,
      };
  }
}

export function expiryNotice(n: ExpiryNotice, now: number): NotifyArgs {
  return {
    userId: n.userId,
    now,
    kind: "membership.reward_expiring",
    params: { amountWon: n.amount, expiresAt: n.expiresAt },
    dedupeKey: `reward-expiring:${n.lotId}`,
  };
}

/**
 * Best effort after a committed change: one insert per notice, so one bad row (e.g. a deleted user) never drops the
 * others; a failure is logged and never undoes or fails the change.
 */
export async function deliver(env: Env, notices: NotifyArgs[]): Promise<void> {
  if (notices.length === 0) return;
  const db = getDb(env);
  const written: NotifyStatement[] = [];
  for (const args of notices) {
    try {
      const statement = notify(db, args);
      await statement;
      written.push(statement);
    } catch (e) {
      console.error(
        JSON.stringify({
          level: "error",
          event: "membership.notify_failed",
          kind: args.kind,
          userId: args.userId,
          error: causesForLog(e),
        }),
      );
    }
  }
  await pushLive(env, db, written);
}
