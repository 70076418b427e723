// Offline evaluation of the recommender on an interaction log. It ranks with the production code in
// worker/recommend (vectors, neighbours, candidates, popularity, blend, diversity), never a copy of it.
import { rankForUser, type ScoredRow } from "../../worker/recommend/blend.ts";
import { catalogueCoverage, hitAt, ndcgAt, precisionAt, recallAt } from "../../worker/recommend/metrics.ts";
import { computeUserModels } from "../../worker/recommend/model.ts";
import {
  effectivePopularity,
  globalPopularity,
  itemPopularity,
  regionalPopularity,
} from "../../worker/recommend/popularity.ts";
import type { Interaction } from "../../worker/recommend/types.ts";
import { categoryAffinity } from "../../worker/recommend/vectors.ts";
import type { Dataset } from "./csv.ts";

export type Protocol = "time-split" | "leave-last-out";
export const METHODS = ["global_popularity", "regional_popularity", "user_cf", "blend"] as const;
export type Method = (typeof METHODS)[number];

export interface Split {
  train: Interaction[];
  /** user → items to predict */
  test: Map<string, Set<string>>;
  /** The recompute time: popularity decays towards it. */
  now: number;
  /** Items on offer while the test interactions happened (null: the whole catalogue). */
  available: Set<string> | null;
}

function addTo(map: Map<string, Set<string>>, key: string, value: string) {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

/** Each user's last interaction is held out (users with one interaction are pure cold start). */
export function splitLeaveLastOut(interactions: Interaction[]): Split {
  const last = new Map<string, Interaction>();
  for (const it of interactions) {
    const prev = last.get(it.userId);
    if (!prev || it.at > prev.at || (it.at === prev.at && it.itemId > prev.itemId)) last.set(it.userId, it);
  }
  const held = new Set(last.values());
  const train = interactions.filter((it) => !held.has(it));
  const test = new Map<string, Set<string>>();
  for (const it of held) test.set(it.userId, new Set([it.itemId]));
  const now = train.reduce((m, it) => Math.max(m, it.at), 0);
  return { train, test, now, available: null };
}

/**
 * Train on everything before the cutoff (the `trainShare` quantile of time) and predict what each user does after
 * it — what production does: recompute now, serve the offers that are open next.
 */
export function splitByTime(interactions: Interaction[], trainShare = 0.85): Split {
  const times = interactions.map((it) => it.at).sort((a, b) => a - b);
  const cutoff = times[Math.min(times.length - 1, Math.floor(times.length * trainShare))];
  const train = interactions.filter((it) => it.at < cutoff);
  const seen = new Map<string, Set<string>>();
  for (const it of train) {
    addTo(seen, it.userId, it.itemId);
  }
  const test = new Map<string, Set<string>>();
  const available = new Set<string>();
  for (const it of interactions) {
    if (it.at < cutoff) continue;
    available.add(it.itemId);
    if (seen.get(it.userId)?.has(it.itemId)) continue;
    addTo(test, it.userId, it.itemId);
  }
  return { train, test, now: cutoff, available };
}

export interface MetricRow {
  users: number;
  hit: number;
  precision: number;
  recall: number;
  ndcg: number;
  coverage: number;
}

export interface EvalReport {
  protocol: Protocol;
  k: number;
  /** Users with at most this many training interactions form the cold-start slice. */
  coldMax: number;
  data: { interactions: number; users: number; items: number; trainInteractions: number; testUsers: number };
  methods: Record<Method, { overall: MetricRow; cold: MetricRow }>;
  targets: { overallVsGlobal: number; overallTarget: number; coldVsPopularity: number; met: boolean };
  seconds: number;
}

class Accumulator {
  users = 0;
  hit = 0;
  precision = 0;
  recall = 0;
  ndcg = 0;
  lists: string[][] = [];
  add(list: string[], relevant: Set<string>, k: number) {
    this.users++;
    this.hit += hitAt(list, relevant, k);
    this.precision += precisionAt(list, relevant, k);
    this.recall += recallAt(list, relevant, k);
    this.ndcg += ndcgAt(list, relevant, k);
    this.lists.push(list);
  }
  row(catalogue: number, k: number): MetricRow {
    const d = Math.max(1, this.users);
    return {
      users: this.users,
      hit: this.hit / d,
      precision: this.precision / d,
      recall: this.recall / d,
      ndcg: this.ndcg / d,
      coverage: catalogueCoverage(this.lists, catalogue, k),
    };
  }
}

function mode(values: string[]): string | null {
  const count = new Map<string, number>();
  let best: string | null = null;
  for (const v of values) {
    const c = (count.get(v) ?? 0) + 1;
    count.set(v, c);
    if (best === null || c > count.get(best)! || (c === count.get(best)! && v < best)) best = v;
  }
  return best;
}

function topUnseen(sorted: string[], seen: Set<string> | undefined, k: number): string[] {
  const out: string[] = [];
  for (const id of sorted) {
    if (seen?.has(id)) continue;
    out.push(id);
    if (out.length === k) break;
  }
  return out;
}

export function evaluate(
  ds: Dataset,
  protocol: Protocol = "time-split",
  opts: { k?: number; coldMax?: number; poolSize?: number } = {},
): EvalReport {
  const started = performance.now();
  const k = opts.k ?? 10;
  const coldMax = opts.coldMax ?? 3;
  const poolSize = opts.poolSize ?? 200;
  const split = protocol === "time-split" ? splitByTime(ds.interactions) : splitLeaveLastOut(ds.interactions);
  const lookup = (id: string) => ds.items.get(id);
  const catalogue = split.available ? [...split.available] : [...ds.items.keys()];
  const isAvailable = (id: string) => !split.available || split.available.has(id);

  // The user's region: where most of their activity is (the service knows their verified region instead).
  const regionsOf = new Map<string, string[]>();
  for (const it of ds.interactions) {
    const region = lookup(it.itemId)?.regionId;
    if (!region) continue;
    const list = regionsOf.get(it.userId) ?? [];
    list.push(region);
    regionsOf.set(it.userId, list);
  }

  const global = globalPopularity(split.train);
  const globalSorted = catalogue
    .filter((id) => (global.get(id) ?? 0) > 0)
    .sort((a, b) => global.get(b)! - global.get(a)! || (a < b ? -1 : 1));

  const tables = regionalPopularity(split.train, lookup, split.now);
  const regional = new Map<string, { sorted: string[]; score: Map<string, number>; fallback: boolean }>();
  const regionalFor = (region: string) => {
    let entry = regional.get(region);
    if (!entry) {
      const { table, fallback } = effectivePopularity(region, tables, ds.regions);
      const score = new Map<string, number>();
      for (const id of catalogue) {
        const s = itemPopularity(table, lookup(id), id);
        if (s > 0) score.set(id, s);
      }
      const sorted = [...score.keys()].sort((a, b) => score.get(b)! - score.get(a)! || (a < b ? -1 : 1));
      entry = { sorted, score, fallback };
      regional.set(region, entry);
    }
    return entry;
  };

  const { vectors, models } = computeUserModels(split.train, lookup, split.test.keys(), { candidates: poolSize });

  const acc = Object.fromEntries(
    METHODS.map((m) => [m, { overall: new Accumulator(), cold: new Accumulator() }]),
  ) as Record<Method, { overall: Accumulator; cold: Accumulator }>;

  for (const [userId, relevant] of split.test) {
    const u = vectors.index.get(userId);
    const ownItems = u === undefined ? undefined : vectors.items[u];
    const seen = ownItems ? new Set(ownItems.keys()) : undefined;
    const n = u === undefined ? 0 : vectors.counts[u];
    const region = mode(regionsOf.get(userId) ?? []) ?? "";
    const pop = regionalFor(region);
    const model = models.get(userId);
    const candidates = (model?.candidates ?? []).filter((c) => isAvailable(c.itemId));

    const rows = new Map<string, ScoredRow>();
    const addRow = (itemId: string, personal: number, neighbours: number) => {
      const meta = lookup(itemId);
      rows.set(itemId, {
        itemId,
        category: meta?.category ?? null,
        sellerId: meta?.sellerId ?? null,
        popularity: pop.score.get(itemId) ?? 0,
        personal,
        neighbours,
      });
    };
    for (const id of topUnseen(pop.sorted, seen, poolSize)) addRow(id, 0, 0);
    for (const c of candidates) addRow(c.itemId, c.score, c.neighbours);
    const blended = rankForUser({
      rows: [...rows.values()],
      n,
      affinity: categoryAffinity(ownItems, lookup, ds.interests.get(userId) ?? []),
      fallback: pop.fallback,
      limit: k,
    }).map((r) => r.itemId);

    const lists: Record<Method, string[]> = {
      global_popularity: topUnseen(globalSorted, seen, k),
      regional_popularity: topUnseen(pop.sorted, seen, k),
      user_cf: candidates.slice(0, k).map((c) => c.itemId),
      blend: blended,
    };
    for (const m of METHODS) {
      acc[m].overall.add(lists[m], relevant, k);
      if (n <= coldMax) acc[m].cold.add(lists[m], relevant, k);
    }
  }

  const methods = Object.fromEntries(
    METHODS.map((m) => [
      m,
      { overall: acc[m].overall.row(catalogue.length, k), cold: acc[m].cold.row(catalogue.length, k) },
    ]),
  ) as EvalReport["methods"];
  const overallVsGlobal = methods.blend.overall.hit / Math.max(1e-12, methods.global_popularity.overall.hit);
  const bestColdPop = Math.max(methods.global_popularity.cold.hit, methods.regional_popularity.cold.hit);
  const coldVsPopularity = methods.blend.cold.hit / Math.max(1e-12, bestColdPop);
  return {
    protocol,
    k,
    coldMax,
    data: {
      interactions: ds.interactions.length,
      users: new Set(ds.interactions.map((it) => it.userId)).size,
      items: ds.items.size,
      trainInteractions: split.train.length,
      testUsers: split.test.size,
    },
    methods,
    targets: {
      overallVsGlobal,
      overallTarget: 1.5,
      coldVsPopularity,
      met: overallVsGlobal >= 1.5 && coldVsPopularity >= 1,
    },
    seconds: (performance.now() - started) / 1000,
  };
}

export function formatReport(r: EvalReport): string {
  const pct = (x: number) => x.toFixed(4);
  const head = `method               slice    users   hit@${r.k}   prec@${r.k}  recall@${r.k}  ndcg@${r.k}   coverage`;
  const out = [
    `protocol ${r.protocol}: ${r.data.interactions} interactions, ${r.data.users} users, ${r.data.items} items; ` +
      `${r.data.testUsers} test users; cold = ≤ ${r.coldMax} training interactions`,
    head,
    "-".repeat(head.length),
  ];
  for (const m of METHODS) {
    for (const slice of ["overall", "cold"] as const) {
      const x = r.methods[m][slice];
      out.push(
        `${m.padEnd(20)} ${slice.padEnd(7)} ${String(x.users).padStart(6)}   ${pct(x.hit)}  ${pct(x.precision)}  ${pct(x.recall)}   ${pct(x.ndcg)}  ${pct(x.coverage)}`,
      );
    }
  }
  out.push(
    `blend hit@${r.k} vs global popularity: ${r.targets.overallVsGlobal.toFixed(2)}× (target ≥ 1.5×); ` +
      `cold slice vs best popularity: ${r.targets.coldVsPopularity.toFixed(2)}× (target ≥ 1.0×) → ${r.targets.met ? "MET" : "MISSED"}`,
  );
  return out.join("\n");
}
