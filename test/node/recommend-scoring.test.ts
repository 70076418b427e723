import { describe, expect, it } from "vitest";
import { rng } from "../../scripts/recommend/synthetic";
import { blendAlpha, diversify, rankForUser, type ScoredRow } from "../../worker/recommend/blend";
import { candidatesFor } from "../../worker/recommend/candidates";
import { RECOMMEND, SIGNAL_WEIGHTS } from "../../worker/recommend/config";
import { computeUserModels } from "../../worker/recommend/model";
import {
  decay,
  effectivePopularity,
  itemPopularity,
  nearbyRegions,
  regionalPopularity,
} from "../../worker/recommend/popularity";
import { allPairsNeighbours, similarity, topNeighbours } from "../../worker/recommend/similarity";
import type { Interaction, ItemMeta } from "../../worker/recommend/types";
import { buildUserVectors, categoryAffinity } from "../../worker/recommend/vectors";

const joins = (rows: [string, string][], at = 0): Interaction[] =>
  rows.map(([userId, itemId]) => ({ userId, itemId, kind: "join", at }));
const noMeta = () => undefined;
const λ = RECOMMEND.shrinkage;

// A and B share x,y (B also has q); C shares only x (and has z); D shares nothing.
const matrix = joins([
  ["A", "x"],
  ["A", "y"],
  ["B", "x"],
  ["B", "y"],
  ["B", "q"],
  ["C", "x"],
  ["C", "z"],
  ["D", "w"],
]);

describe("user similarity", () => {
  it("is cosine shrunk by co / (co + λ) on a hand-made matrix", () => {
    const v = buildUserVectors(matrix, noMeta);
    const [A, B, C, D] = ["A", "B", "C", "D"].map((id) => v.index.get(id)!);
    // A = (3,3,0,…), B = (3,3,3): cos = 18 / (√18·√27) = √(2/3), two shared items.
    expect(similarity(v, A, B)).toBeCloseTo(Math.sqrt(2 / 3) * (2 / (2 + λ)), 12);
    // A·C = 9, |A| = |C| = √18: cos = 0.5, one shared item.
    expect(similarity(v, A, C)).toBeCloseTo(0.5 * (1 / (1 + λ)), 12);
    expect(similarity(v, A, D)).toBe(0);
    expect(similarity(v, A, B)).toBe(similarity(v, B, A));
  });

  it("finds the known top-K neighbours and drops users who share nothing", () => {
    const v = buildUserVectors(matrix, noMeta);
    const A = v.index.get("A")!;
    const nbs = topNeighbours(v, [A]).get(A)!;
    expect(nbs.map((n) => v.userIds[n.user])).toEqual(["B", "C"]);
    expect(
      topNeighbours(v, [A], { k: 1 })
        .get(A)!
        .map((n) => v.userIds[n.user]),
    ).toEqual(["B"]);
  });

  it("counts categories and sellers in the cosine but only items make neighbours", () => {
    const meta = (id: string): ItemMeta => ({
      id,
      category: "과일",
      sellerId: "s1",
      productId: null,
      regionId: "r",
    });
    // E and F share only a category: with co = 0 they are not neighbours however similar their categories.
    const v = buildUserVectors(
      joins([
        ["E", "a"],
        ["F", "b"],
        ["G", "a"],
      ]),
      meta,
    );
    const E = v.index.get("E")!;
    expect(similarity(v, E, v.index.get("F")!)).toBe(0);
    expect(
      topNeighbours(v, [E])
        .get(E)!
        .map((n) => v.userIds[n.user]),
    ).toEqual(["G"]);
  });

  it("a 'not interested' turns a shared item into dissimilarity", () => {
    const v = buildUserVectors(
      [
        ...joins([
          ["A", "x"],
          ["B", "x"],
          ["A", "y"],
        ]),
        { userId: "B", itemId: "y", kind: "not_interested", at: 0 },
      ],
      noMeta,
    );
    expect(similarity(v, v.index.get("A")!, v.index.get("B")!)).toBeLessThan(0.01);
  });

  it("the inverted index gives exactly the all-pairs answer on random data", () => {
    const r = rng(7);
    const rows: Interaction[] = [];
    for (let i = 0; i < 3000; i++) {
      rows.push({
        userId: `u${Math.floor(r() * 300)}`,
        itemId: `i${Math.floor(r() ** 2 * 400)}`,
        kind: (["join", "view", "purchase", "not_interested"] as const)[Math.floor(r() * 4)],
        at: 0,
      });
    }
    const meta = (id: string): ItemMeta => ({
      id,
      category: `c${id.length % 3}`,
      sellerId: `s${Number(id.slice(1)) % 17}`,
      productId: `p${Number(id.slice(1)) % 150}`,
      regionId: "r",
    });
    const v = buildUserVectors(rows, meta);
    const targets = v.userIds.map((_, i) => i);
    expect(topNeighbours(v, targets, { k: 10 })).toEqual(allPairsNeighbours(v, targets, { k: 10 }));
  });
});

describe("candidate scores", () => {
  it("scores neighbours' items by Σ sim·weight / Σ sim and skips what the user already has", () => {
    const v = buildUserVectors(matrix, noMeta);
    const A = v.index.get("A")!;
    const nbs = topNeighbours(v, [A]).get(A)!;
    const sB = nbs[0].similarity;
    const sC = nbs[1].similarity;
    const cands = candidatesFor(v, A, nbs);
    expect(cands).toEqual([
      { itemId: "q", score: (sB * SIGNAL_WEIGHTS.join) / (sB + sC), neighbours: 1 },
      { itemId: "z", score: (sC * SIGNAL_WEIGHTS.join) / (sB + sC), neighbours: 1 },
    ]);
  });

  it("computeUserModels only rescans the targets", () => {
    const { models } = computeUserModels(matrix, noMeta, ["A"]);
    expect([...models.keys()]).toEqual(["A"]);
    expect(models.get("A")!.n).toBe(2);
    expect(models.get("A")!.neighbours.map((n) => n.userId)).toEqual(["B", "C"]);
  });
});

const row = (itemId: string, popularity: number, personal: number, extra: Partial<ScoredRow> = {}): ScoredRow => ({
  itemId,
  category: null,
  sellerId: null,
  popularity,
  personal,
  neighbours: personal > 0 ? 3 : 0,
  ...extra,
});

describe("cold-start blend", () => {
  it("α = n / (n + k)", () => {
    const k = RECOMMEND.blendK;
    expect(blendAlpha(0)).toBe(0);
    expect(blendAlpha(k)).toBe(0.5);
    expect(blendAlpha(3 * k)).toBe(0.75);
    expect(blendAlpha(1, 1)).toBe(0.5);
  });

  it("a new user gets popularity, a regular gets their neighbours' picks, each with the matching reason", () => {
    const rows = [row("popular", 10, 0), row("personal", 1, 5)];
    const base = { rows, affinity: new Map<string, number>(), fallback: false, limit: 10 };
    const fresh = rankForUser({ ...base, n: 0 });
    expect(fresh.map((r) => r.itemId)).toEqual(["popular", "personal"]);
    expect(fresh[0].reason).toEqual({ kind: "local_popular", params: {} });
    const regular = rankForUser({ ...base, n: 40 });
    expect(regular.map((r) => r.itemId)).toEqual(["personal", "popular"]);
    expect(regular[0].reason).toEqual({ kind: "neighbours", params: { count: 3 } });
    // exact blend: n = k ⇒ α = ½; popular = ½·1, personal = ½·0.1 + ½·1
    const half = rankForUser({ ...base, n: RECOMMEND.blendK });
    expect(half.find((r) => r.itemId === "popular")!.score).toBeCloseTo(0.5, 12);
    expect(half.find((r) => r.itemId === "personal")!.score).toBeCloseTo(0.55, 12);
  });

  it("onboarding interests tilt popularity towards the chosen category and say so", () => {
    const rows = [row("general", 10, 0, { category: "생활용품" }), row("fruit", 6, 0, { category: "과일" })];
    const affinity = categoryAffinity(undefined, noMeta, ["과일"]);
    const ranked = rankForUser({ rows, n: 0, affinity, fallback: true, limit: 10 });
    expect(ranked.map((r) => r.itemId)).toEqual(["fruit", "general"]);
    expect(ranked[0].reason).toEqual({ kind: "interest", params: { category: "과일" } });
    expect(ranked[1].reason).toEqual({ kind: "nearby_popular", params: {} });
  });
});

describe("diversity cap", () => {
  const item = (id: string, sellerId: string, category: string) => ({ id, sellerId, category });

  it("keeps at most M per seller and per category in the top window, in score order otherwise", () => {
    const sorted = [
      ...Array.from({ length: 6 }, (_, i) => item(`s${i}`, "big-seller", `c${i}`)),
      ...Array.from({ length: 6 }, (_, i) => item(`f${i}`, `seller${i}`, "fresh")),
      ...Array.from({ length: 8 }, (_, i) => item(`o${i}`, `other${i}`, `cat${i}`)),
    ];
    const out = diversify(sorted, 3, 10);
    const top = out.slice(0, 10);
    expect(top.filter((x) => x.sellerId === "big-seller")).toHaveLength(3);
    expect(top.filter((x) => x.category === "fresh")).toHaveLength(3);
    expect(top.map((x) => x.id)).toEqual(["s0", "s1", "s2", "f0", "f1", "f2", "o0", "o1", "o2", "o3"]);
    // nothing is lost, the deferred come right after the window
    expect(out).toHaveLength(sorted.length);
    expect(out.slice(10, 16).map((x) => x.id)).toEqual(["s3", "s4", "s5", "f3", "f4", "f5"]);
  });

  it("relaxes when there are not enough distinct sellers", () => {
    const sorted = Array.from({ length: 5 }, (_, i) => item(`x${i}`, "only", `c${i}`));
    expect(diversify(sorted, 2, 10).map((x) => x.id)).toEqual(["x0", "x1", "x2", "x3", "x4"]);
  });
});

describe("popularity", () => {
  const DAY = 86_400_000;
  const metaOf =
    (region: string, category = "과일") =>
    (id: string): ItemMeta => ({
      id,
      category,
      sellerId: null,
      productId: null,
      regionId: region,
    });

  it("decays with the configured half-life", () => {
    expect(decay(0)).toBe(1);
    expect(decay(RECOMMEND.popularityHalfLifeMs)).toBeCloseTo(0.5, 12);
    expect(decay(-5)).toBe(1);
  });

  it("counts recent joins in the item's region more than old ones, and ignores dismissals", () => {
    const now = 30 * DAY;
    const rows: Interaction[] = [
      ...joins(
        [
          ["a", "fresh"],
          ["b", "fresh"],
        ],
        now - DAY,
      ),
      ...joins(
        [
          ["a", "old"],
          ["b", "old"],
          ["c", "old"],
        ],
        now - 28 * DAY,
      ),
      { userId: "d", itemId: "fresh", kind: "not_interested", at: now },
    ];
    const table = regionalPopularity(rows, metaOf("r1"), now).get("r1")!;
    expect(itemPopularity(table, metaOf("r1")("fresh"), "fresh")).toBeGreaterThan(
      itemPopularity(table, metaOf("r1")("old"), "old"),
    );
    expect(table.get("i:fresh")).toBeCloseTo(2 * SIGNAL_WEIGHTS.join * decay(DAY), 12);
  });

  it("a new region falls back to nearby regions by distance, not far ones", () => {
    const centres = [
      { id: "new", lat: 37.5, lng: 127.0 },
      { id: "near", lat: 37.51, lng: 127.0 }, // ~1.1 km
      { id: "mid", lat: 37.54, lng: 127.0 }, // ~4.4 km
      { id: "far", lat: 35.1, lng: 129.0 }, // Busan
    ];
    expect(nearbyRegions("new", centres).map((r) => r.regionId)).toEqual(["near", "mid"]);
    const tables = new Map([
      [
        "near",
        new Map([
          ["c:과일", 100],
          ["i:n1", 100],
        ]),
      ],
      [
        "far",
        new Map([
          ["c:수산물", 1000],
          ["i:f1", 1000],
        ]),
      ],
    ]);
    const { table, fallback } = effectivePopularity("new", tables, centres);
    expect(fallback).toBe(true);
    expect(table.get("c:과일")).toBeGreaterThan(0);
    expect(table.has("c:수산물")).toBe(false);
    // a warm region uses its own table only
    const warm = new Map([
      ["near", new Map([["i:n1", RECOMMEND.coldRegionMinMass + 1]])],
      ["new", new Map()],
    ]);
    expect(effectivePopularity("near", warm, centres).fallback).toBe(false);
  });
});
