import { and, eq, gt, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { regionVerifications, users } from "../db/schema";
import { emptyTrust, type TrustRecord, trustRecords } from "../groupbuy/trust";

/** What a reader sees about whoever wrote a post or comment: enough to judge trust, nothing private. */
export type AuthorCard = {
  id: string;
  displayName: string;
  role: "buyer" | "seller" | "admin";
  memberSince: number;
  /** Holds a current verification of the board's region. */
  verifiedResident: boolean;
  /** Completed buys, no-shows, host cancellations, upheld reports: the same record as on profiles and hosts. */
  trust: TrustRecord;
};

const CHUNK = 90; // ≤ 100 bound parameters per D1 statement

export async function authorCards(db: Db, userIds: string[], regionId: string, now: number) {
  const ids = [...new Set(userIds)];
  const cards = new Map<string, AuthorCard>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const [people, verified, trust] = await Promise.all([
      db
        .select({ id: users.id, displayName: users.displayName, role: users.role, createdAt: users.createdAt })
        .from(users)
        .where(inArray(users.id, chunk))
        .all(),
      db
        .selectDistinct({ userId: regionVerifications.userId })
        .from(regionVerifications)
        .where(
          and(
            inArray(regionVerifications.userId, chunk),
            eq(regionVerifications.regionId, regionId),
            gt(regionVerifications.expiresAt, now),
          ),
        )
        .all(),
      trustRecords(db, chunk),
    ]);
    const current = new Set(verified.map((v) => v.userId));
    for (const p of people) {
      cards.set(p.id, {
        id: p.id,
        displayName: p.displayName,
        role: p.role,
        memberSince: p.createdAt,
        verifiedResident: current.has(p.id),
        trust: trust.get(p.id) ?? emptyTrust(),
      });
    }
  }
  return cards;
}

export function unknownAuthor(id: string): AuthorCard {
  return {
    id,
    displayName: "",
    role: "buyer",
    memberSince: 0,
    verifiedResident: false,
    trust: emptyTrust(),
  };
}
