import { fail } from "../lib/errors";
import { rankForUser, type ScoredRow } from "./blend";
import { itemPopularity } from "./popularity";
import type { Reason } from "./reasons";
import { servingRows } from "./store";
import { withInterests } from "./vectors";

export interface ForMeItem {
  groupBuy: {
    id: string;
    title: string;
    category: string;
    pricePerShare: number;
    totalShares: number;
    takenShares: number;
    participantCount: number;
    deadline: number;
  };
  score: number;
  reason: Reason;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * Suggestions for the user: OPEN group buys in their verified region that they have not joined or dismissed, ranked
 * by the same blend, diversity cap and reasons as the offline evaluation. One D1 query.
 */
export async function recommendForUser(
  db: Parameters<typeof servingRows>[0],
  user: { id: string; homeRegionId: string | null },
  now: number,
  limit: number,
) {
  if (!user.homeRegionId) fail("PRECONDITION_FAILED", "Verify your neighbourhood first to get suggestions near you.");
  const rows = await servingRows(db, user.id, user.homeRegionId, now);
  const head = rows[0];
  if (!head?.verified) {
    fail("PRECONDITION_FAILED", "Your neighbourhood verification has expired. Verify again to get suggestions.");
  }
  const byId = new Map<string, (typeof rows)[number]>();
  const scored: ScoredRow[] = [];
  for (const r of rows) {
    if (!r.id) continue;
    byId.set(r.id, r);
    const table = new Map<string, number>([
      [`i:${r.id}`, r.pop_item ?? 0],
      [`p:${r.product_id}`, r.pop_product ?? 0],
      [`c:${r.category}`, r.pop_category ?? 0],
    ]);
    const meta = { id: r.id, category: r.category, sellerId: r.seller_id, productId: r.product_id, regionId: null };
    scored.push({
      itemId: r.id,
      category: r.category,
      sellerId: r.seller_id,
      popularity: itemPopularity(table, meta, r.id),
      personal: r.personal ?? 0,
      neighbours: r.neighbours ?? 0,
    });
  }
  const interests = parseJson<string[]>(head.interests, []);
  const affinity = withInterests(parseJson<[string, number][]>(head.affinity, []), interests);
  const ranked = rankForUser({ rows: scored, n: head.n, affinity, fallback: Boolean(head.fallback), limit });
  const items: ForMeItem[] = ranked.map((rec) => {
    const r = byId.get(rec.itemId)!;
    return {
      groupBuy: {
        id: rec.itemId,
        title: r.title ?? "",
        category: r.category ?? "",
        pricePerShare: r.price_per_share ?? 0,
        totalShares: r.total_shares ?? 0,
        takenShares: r.taken_shares ?? 0,
        participantCount: r.participant_count ?? 0,
        deadline: r.deadline ?? 0,
      },
      score: Math.round(rec.score * 1e4) / 1e4,
      reason: rec.reason,
    };
  });
  return { items, interactions: head.n, regionId: user.homeRegionId, fallback: Boolean(head.fallback) };
}
