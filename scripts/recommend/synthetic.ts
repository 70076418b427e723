// Seeded synthetic interactions for a neighbourhood group-buy service: latent taste groups, regional skew,
// popularity bias (item quality and rich-get-richer), short-lived offers, cold users and a brand-new region.
import type { Interaction, ItemMeta, RegionCentre } from "../../worker/recommend/types.ts";

export interface SyntheticOptions {
  seed: number;
  /** Stop adding users once this many interactions exist. */
  interactions: number;
  days: number;
  groups: number;
  /** Share of users with only 1–3 interactions. */
  coldShare: number;
  /** Share of users who answered the onboarding interests question. */
  interestShare: number;
  start: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  seed: 42,
  interactions: 100_000,
  days: 90,
  groups: 8,
  coldShare: 0.3,
  interestShare: 0.6,
  start: Date.UTC(2026, 0, 1),
};

export const CATEGORIES = [
  "신선식품",
  "과일",
  "수산물",
  "간편식",
  "베이커리",
  "생활용품",
  "육아",
  "반려동물",
  "건강식품",
  "음료",
];

// Seoul districts (approximate centres); the last one is a new development with almost no users yet.
export const SYNTHETIC_REGIONS: (RegionCentre & { size: number })[] = [
  { id: "gangnam", lat: 37.4979, lng: 127.0276, size: 10 },
  { id: "seocho", lat: 37.4837, lng: 127.0324, size: 8 },
  { id: "songpa", lat: 37.5145, lng: 127.1059, size: 9 },
  { id: "mapo", lat: 37.5663, lng: 126.9019, size: 7 },
  { id: "yongsan", lat: 37.5326, lng: 126.99, size: 4 },
  { id: "seongdong", lat: 37.5633, lng: 127.0371, size: 5 },
  { id: "gwangjin", lat: 37.5385, lng: 127.0823, size: 5 },
  { id: "jongno", lat: 37.5735, lng: 126.979, size: 3 },
  { id: "gangseo", lat: 37.5509, lng: 126.8495, size: 6 },
  { id: "nowon", lat: 37.6542, lng: 127.0568, size: 6 },
  { id: "eunpyeong", lat: 37.6027, lng: 126.9291, size: 4 },
  { id: "gaepo-newtown", lat: 37.4813, lng: 127.0557, size: 0.15 },
];

export interface SyntheticData {
  interactions: Interaction[];
  items: ItemMeta[];
  regions: RegionCentre[];
  interests: Map<string, string[]>;
  /** Region per row, as the CSV writes it. */
  rows: { userId: string; itemId: string; at: number; category: string; region: string }[];
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, items: T[], weight: (t: T) => number): T {
  let total = 0;
  for (const it of items) total += weight(it);
  let x = r() * total;
  for (const it of items) {
    x -= weight(it);
    if (x <= 0) return it;
  }
  return items[items.length - 1];
}

function logNormal(r: () => number, sigma: number): number {
  const u = Math.max(r(), 1e-12);
  const v = r();
  return Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

interface Offer extends ItemMeta {
  opensDay: number;
  closesDay: number;
  quality: number;
  appeal: number[];
  joins: number;
}

export function generateInteractions(partial: Partial<SyntheticOptions> = {}): SyntheticData {
  const o = { ...DEFAULT_SYNTHETIC, ...partial };
  const r = rng(o.seed);
  const DAY = 86_400_000;

  // Taste groups: two or three favourite categories each, a little of everything else.
  const taste = Array.from({ length: o.groups }, () => {
    const w = CATEGORIES.map(() => 0.15 + r() * 0.2);
    const favourites = 2 + Math.floor(r() * 2);
    for (let i = 0; i < favourites; i++) w[Math.floor(r() * CATEGORIES.length)] += 2 + r() * 3;
    return w;
  });

  // Sellers per region, each mostly in one or two categories; products rerun as new offers over time.
  const offers: Offer[] = [];
  const byRegionDay = new Map<string, Offer[][]>();
  let offerSeq = 0;
  for (const region of SYNTHETIC_REGIONS) {
    const regionTilt = CATEGORIES.map(() => 0.6 + r() * 0.8);
    const sellers = Array.from({ length: Math.max(2, Math.round(region.size * 3)) }, (_, s) => ({
      id: `${region.id}-s${s}`,
      categories: [Math.floor(r() * CATEGORIES.length), Math.floor(r() * CATEGORIES.length)],
      products: [] as string[],
    }));
    const days: Offer[][] = Array.from({ length: o.days }, () => []);
    const perDay = Math.max(0.3, region.size * 0.45);
    for (let day = 0; day < o.days; day++) {
      let launches = Math.floor(perDay) + (r() < perDay % 1 ? 1 : 0);
      while (launches-- > 0) {
        const seller = sellers[Math.floor(r() * sellers.length)];
        const cat =
          r() < 0.85 ? seller.categories[r() < 0.6 ? 0 : 1] : pick(r, [...CATEGORIES.keys()], (c) => regionTilt[c]);
        // A seller reruns an earlier product 40% of the time.
        let productId: string;
        if (seller.products.length > 0 && r() < 0.4)
          productId = seller.products[Math.floor(r() * seller.products.length)];
        else {
          productId = `${seller.id}-p${seller.products.length}`;
          seller.products.push(productId);
        }
        const life = 5 + Math.floor(r() * 10);
        const offer: Offer = {
          id: `gb${(offerSeq++).toString().padStart(6, "0")}`,
          category: CATEGORIES[cat],
          sellerId: seller.id,
          productId,
          regionId: region.id,
          opensDay: day,
          closesDay: Math.min(o.days - 1, day + life),
          quality: logNormal(r, 0.9),
          appeal: taste.map(() => logNormal(r, 0.8)),
          joins: 0,
        };
        offers.push(offer);
        for (let d = day; d <= offer.closesDay; d++) days[d].push(offer);
      }
    }
    byRegionDay.set(region.id, days);
  }

  const centres = SYNTHETIC_REGIONS.map(({ id, lat, lng }) => ({ id, lat, lng }));
  const nearbyOf = new Map(
    SYNTHETIC_REGIONS.map((a) => [
      a.id,
      SYNTHETIC_REGIONS.filter((b) => b.id !== a.id && Math.hypot(a.lat - b.lat, (a.lng - b.lng) * 0.8) < 0.06).map(
        (b) => b.id,
      ),
    ]),
  );

  const interactions: Interaction[] = [];
  const rows: SyntheticData["rows"] = [];
  const interests = new Map<string, string[]>();
  let userSeq = 0;
  while (interactions.length < o.interactions) {
    const userId = `u${(userSeq++).toString().padStart(6, "0")}`;
    const region = pick(r, SYNTHETIC_REGIONS, (x) => x.size);
    const group = Math.floor(r() * o.groups);
    const cold = r() < o.coldShare;
    const n = cold ? 1 + Math.floor(r() * 3) : Math.min(120, 4 + Math.floor(logNormal(r, 0.9) * 8));
    if (r() < o.interestShare) {
      const ranked = [...CATEGORIES.keys()].sort((a, b) => taste[group][b] - taste[group][a]);
      const chosen = new Set<string>();
      for (const c of ranked.slice(0, 2)) chosen.add(CATEGORIES[r() < 0.8 ? c : Math.floor(r() * CATEGORIES.length)]);
      interests.set(userId, [...chosen]);
    }
    // Active from some day on; cold users arrive late (they are new).
    const firstDay = Math.floor(cold ? o.days * (0.5 + r() * 0.5) : r() * o.days * 0.7);
    const seen = new Set<string>();
    for (let k = 0; k < n; k++) {
      const day = Math.min(o.days - 1, firstDay + Math.floor(r() * (o.days - firstDay)));
      const roll = r();
      const near = nearbyOf.get(region.id)!;
      const from = roll < 0.9 || near.length === 0 ? region.id : near[Math.floor(r() * near.length)];
      const open = byRegionDay.get(from)![day].filter((x) => !seen.has(x.id));
      if (open.length === 0) continue;
      const offer = pick(
        r,
        open,
        (x) => x.quality * x.appeal[group] * taste[group][CATEGORIES.indexOf(x.category!)] * (1 + x.joins / 20),
      );
      seen.add(offer.id);
      offer.joins += 1;
      const at = o.start + day * DAY + Math.floor(r() * DAY);
      interactions.push({ userId, itemId: offer.id, kind: "join", at });
      rows.push({ userId, itemId: offer.id, at, category: offer.category!, region: offer.regionId! });
    }
  }
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].at - rows[b].at || a - b);
  return {
    interactions: order.map((i) => interactions[i]),
    rows: order.map((i) => rows[i]),
    items: offers.map(({ id, category, sellerId, productId, regionId }) => ({
      id,
      category,
      sellerId,
      productId,
      regionId,
    })),
    regions: centres,
    interests,
  };
}
