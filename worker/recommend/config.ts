// The one place where recommendation signals and knobs are tuned. Everything else (D1 cron, serving, the offline
// evaluation in Node) reads these values, so an offline experiment and production always score the same way.

export const SIGNAL_KINDS = ["purchase", "join", "like", "view", "chat", "not_interested"] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** How much one interaction says about taste. A completed purchase is the strongest; "not interested" pushes away. */
export const SIGNAL_WEIGHTS: Record<SignalKind, number> = {
  purchase: 5,
  join: 3,
  like: 1.5,
  view: 1,
  chat: 0.5,
  not_interested: -4,
};

export const RECOMMEND = {
  /** Top-K neighbours kept per user. */
  neighbours: 30,
  /** Shrinkage λ: similarity × co / (co + λ), co = shared items; a single shared item says little. */
  shrinkage: 4,
  /** Neighbour pairs below this (after shrinkage) are noise. */
  minSimilarity: 0.01,
  /** Candidate items kept per user in the precomputed table. */
  candidatesPerUser: 100,
  /** Blend α = n / (n + k): with k interactions, personal and popularity weigh the same. */
  blendK: 10,
  /** A user's features: the item itself and what it shares with other items (so a rerun of a product counts). */
  featureFactors: { item: 1, product: 0.6, seller: 0.25, category: 0.35 },
  /** Features that can make two users neighbours at all (sparse ones; category/seller only refine the cosine). */
  anchorFeatures: ["i", "p"] as const,
  /** Popularity half-life: a join a week ago counts half. */
  popularityHalfLifeMs: 7 * 86_400_000,
  /** How an item's popularity is read from the region table: its own, its product's, its category's. */
  popularityKeyFactors: { item: 1, product: 0.5, category: 0.05 },
  /** Interest tilt on popularity: × (1 + boost · affinity), affinity ∈ [0, 1] from chosen and past categories. */
  interestBoost: 2.5,
  /** Explicit onboarding interests count as this much affinity; past behaviour adds up to 1. */
  explicitInterestAffinity: 1,
  /** A region with less decayed popularity mass than this borrows from nearby regions. */
  coldRegionMinMass: 30,
  /** Nearby regions considered for the fallback, and the distance at which their weight halves. */
  nearbyRadiusM: 8_000,
  nearbyHalfWeightM: 3_000,
  /** Diversity: at most this many items from one seller or one category in the top `diversityWindow`. */
  diversityMax: 3,
  diversityWindow: 10,
  /** "이웃 N명이 참여" is shown only when at least this many neighbours engaged. */
  neighbourReasonMin: 1,
  /** At most this many favourite categories at onboarding. */
  maxInterests: 5,
} as const;

export type RecommendConfig = typeof RECOMMEND;

/** The weight of one recorded signal: the weight stored with it, else the current config weight of its kind. */
export function signalWeight(it: { kind: SignalKind; weight?: number }): number {
  return it.weight ?? SIGNAL_WEIGHTS[it.kind];
}
