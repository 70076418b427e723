import type { Db } from "../db/client";

/**
 * PAYMENTS HOOK — joining is blocked while a user owes a clawed-back card charge. The payments feature owns the
 * debt; when it exports `hasOutstandingDebt(db, userId)`, re-export it here and delete this stub. Until then no one
 * is in debt, because no charge can be clawed back yet.
 */
export async function hasOutstandingDebt(_db: Db, _userId: string): Promise<boolean> {
  return false;
}
