import { describe, expect, it } from "vitest";
import {
  applyInterestsSidecar,
  applyItemsSidecar,
  applyRegionsSidecar,
  datasetFromSynthetic,
  parseInteractionsCsv,
  toCsvFiles,
} from "../../scripts/recommend/csv";
import { evaluate, splitByTime, splitLeaveLastOut } from "../../scripts/recommend/evaluation";
import { generateInteractions } from "../../scripts/recommend/synthetic";
import { catalogueCoverage, hitAt, ndcgAt, precisionAt, recallAt } from "../../worker/recommend/metrics";

describe("ranking metrics on a hand-computed fixture", () => {
  const ranked = ["a", "b", "c", "d", "e"];
  const relevant = new Set(["b", "d", "z"]);

  it("hit, precision, recall", () => {
    expect(hitAt(ranked, relevant, 1)).toBe(0);
    expect(hitAt(ranked, relevant, 2)).toBe(1);
    expect(precisionAt(ranked, relevant, 4)).toBe(2 / 4);
    expect(recallAt(ranked, relevant, 4)).toBe(2 / 3);
    expect(recallAt(ranked, relevant, 2)).toBe(1 / 3);
    // a short list is not rewarded for being short
    expect(precisionAt(["b"], relevant, 10)).toBe(1 / 10);
  });

  it("NDCG@4 = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3 + 1/log2 4)", () => {
    const expected = (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 1 / 2);
    expect(ndcgAt(ranked, relevant, 4)).toBeCloseTo(expected, 12);
    expect(ndcgAt(["b", "d", "z"], relevant, 10)).toBeCloseTo(1, 12);
    expect(ndcgAt(["x"], relevant, 10)).toBe(0);
  });

  it("coverage counts distinct items in the top k of all lists", () => {
    expect(
      catalogueCoverage(
        [
          ["a", "b", "c"],
          ["b", "d"],
        ],
        10,
        2,
      ),
    ).toBe(3 / 10);
  });
});

describe("splits", () => {
  const rows = [
    { userId: "u1", itemId: "a", kind: "join" as const, at: 1 },
    { userId: "u1", itemId: "b", kind: "join" as const, at: 5 },
    { userId: "u2", itemId: "a", kind: "join" as const, at: 2 },
    { userId: "u2", itemId: "c", kind: "join" as const, at: 9 },
  ];
  it("leave-last-out holds out each user's latest interaction", () => {
    const s = splitLeaveLastOut(rows);
    expect(s.test).toEqual(
      new Map([
        ["u1", new Set(["b"])],
        ["u2", new Set(["c"])],
      ]),
    );
    expect(s.train.map((r) => r.itemId)).toEqual(["a", "a"]);
    expect(s.now).toBe(2);
  });
  it("time split predicts what happens after the cutoff", () => {
    const s = splitByTime(rows, 0.5);
    expect(s.now).toBe(5);
    expect(s.test).toEqual(
      new Map([
        ["u1", new Set(["b"])],
        ["u2", new Set(["c"])],
      ]),
    );
    expect(s.available).toEqual(new Set(["b", "c"]));
  });
});

describe("offline evaluation on generated data", () => {
  const data = generateInteractions({ interactions: 12_000, seed: 3 });

  it("round-trips the CSV and its sidecars", () => {
    const files = toCsvFiles(data);
    const ds = parseInteractionsCsv(files.main);
    applyItemsSidecar(ds, files.items);
    applyRegionsSidecar(ds, files.regions);
    applyInterestsSidecar(ds, files.interests);
    const direct = datasetFromSynthetic(data);
    expect(ds.interactions).toEqual(direct.interactions);
    expect(ds.items).toEqual(direct.items);
    expect(ds.regions).toEqual(direct.regions);
    expect(ds.interests).toEqual(direct.interests);
    expect(files.main.split("\n")[0]).toBe("user_id,item_id,timestamp,category,region");
  });

  it("is seeded: the same seed gives the same data", () => {
    expect(generateInteractions({ interactions: 500, seed: 9 }).rows).toEqual(
      generateInteractions({ interactions: 500, seed: 9 }).rows,
    );
  });

  for (const protocol of ["time-split", "leave-last-out"] as const) {
    it(`${protocol}: the blend beats popularity on hit@10, overall and for cold users`, () => {
      const r = evaluate(datasetFromSynthetic(data), protocol);
      const m = r.methods;
      expect(r.data.testUsers).toBeGreaterThan(500);
      expect(m.blend.cold.users).toBeGreaterThan(100);
      expect(m.blend.overall.hit).toBeGreaterThanOrEqual(1.5 * m.global_popularity.overall.hit);
      expect(m.blend.cold.hit).toBeGreaterThanOrEqual(m.global_popularity.cold.hit);
      expect(m.blend.cold.hit).toBeGreaterThanOrEqual(m.regional_popularity.cold.hit);
      // personalisation spreads suggestions over more of the catalogue than popularity does
      expect(m.blend.overall.coverage).toBeGreaterThan(m.regional_popularity.overall.coverage);
    });
  }
});
