// Interaction CSV: `user_id,item_id,timestamp[,category,region]`, plus optional sidecars next to it:
// <base>.items.csv (item_id,category,region,seller,product), <base>.regions.csv (region_id,lat,lng),
// <base>.interests.csv (user_id,categories separated by "|").
import type { Interaction, ItemMeta, RegionCentre } from "../../worker/recommend/types.ts";
import type { SyntheticData } from "./synthetic.ts";

export interface Dataset {
  interactions: Interaction[];
  items: Map<string, ItemMeta>;
  regions: RegionCentre[];
  interests: Map<string, string[]>;
}

function splitLine(line: string): string[] {
  // Our data has no quoted fields; refuse them rather than misparse.
  if (line.includes('"')) throw new Error(`quoted CSV fields are not supported: ${line.slice(0, 80)}`);
  return line.split(",").map((s) => s.trim());
}

function lines(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .map(splitLine);
}

/** Epoch ms, epoch seconds or an ISO date. */
export function parseTimestamp(raw: string): number {
  if (/^\d+(\.\d+)?$/.test(raw)) {
    const n = Number(raw);
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new Error(`not a timestamp: ${raw}`);
  return t;
}

export function parseInteractionsCsv(text: string): Dataset {
  const [header, ...body] = lines(text);
  const col = (name: string) => header.indexOf(name);
  const [u, i, t, c, r] = ["user_id", "item_id", "timestamp", "category", "region"].map(col);
  if (u < 0 || i < 0 || t < 0) throw new Error("the CSV needs a header with user_id,item_id,timestamp");
  const interactions: Interaction[] = [];
  const items = new Map<string, ItemMeta>();
  for (const row of body) {
    const itemId = row[i];
    interactions.push({ userId: row[u], itemId, kind: "join", at: parseTimestamp(row[t]) });
    if (!items.has(itemId)) {
      items.set(itemId, {
        id: itemId,
        category: c >= 0 ? row[c] || null : null,
        regionId: r >= 0 ? row[r] || null : null,
        sellerId: null,
        productId: null,
      });
    }
  }
  return { interactions, items, regions: [], interests: new Map() };
}

export function applyItemsSidecar(ds: Dataset, text: string) {
  for (const [itemId, category, region, seller, product] of lines(text).slice(1)) {
    ds.items.set(itemId, {
      id: itemId,
      category: category || null,
      regionId: region || null,
      sellerId: seller || null,
      productId: product || null,
    });
  }
}

export function applyRegionsSidecar(ds: Dataset, text: string) {
  ds.regions = lines(text)
    .slice(1)
    .map(([id, lat, lng]) => ({ id, lat: Number(lat), lng: Number(lng) }));
}

export function applyInterestsSidecar(ds: Dataset, text: string) {
  for (const [userId, categories] of lines(text).slice(1))
    ds.interests.set(userId, categories.split("|").filter(Boolean));
}

export function toCsvFiles(data: SyntheticData): { main: string; items: string; regions: string; interests: string } {
  return {
    main: [
      "user_id,item_id,timestamp,category,region",
      ...data.rows.map((x) => `${x.userId},${x.itemId},${x.at},${x.category},${x.region}`),
    ].join("\n"),
    items: [
      "item_id,category,region,seller,product",
      ...data.items.map(
        (x) => `${x.id},${x.category ?? ""},${x.regionId ?? ""},${x.sellerId ?? ""},${x.productId ?? ""}`,
      ),
    ].join("\n"),
    regions: ["region_id,lat,lng", ...data.regions.map((x) => `${x.id},${x.lat},${x.lng}`)].join("\n"),
    interests: ["user_id,categories", ...[...data.interests].map(([u, cs]) => `${u},${cs.join("|")}`)].join("\n"),
  };
}

/** The in-memory dataset the generator made, as the CSV round trip would give it. */
export function datasetFromSynthetic(data: SyntheticData): Dataset {
  return {
    interactions: data.interactions,
    items: new Map(data.items.map((x) => [x.id, x])),
    regions: data.regions,
    interests: data.interests,
  };
}
