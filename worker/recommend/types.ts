import type { SignalKind } from "./config.ts";

/** One thing a user did with an item (a group buy, or an item in an offline data set). */
export interface Interaction {
  userId: string;
  itemId: string;
  kind: SignalKind;
  /** epoch ms */
  at: number;
  /** As recorded (rec_interactions.weight); defaults to the config weight of `kind`. */
  weight?: number;
}

/** What is known about an item: the attributes users' vectors and popularity are keyed on. */
export interface ItemMeta {
  id: string;
  category: string | null;
  sellerId: string | null;
  productId: string | null;
  regionId: string | null;
}

export interface RegionCentre {
  id: string;
  lat: number;
  lng: number;
}

export interface Neighbour {
  userId: string;
  similarity: number;
}

export interface Candidate {
  itemId: string;
  /** Σ similarity × neighbour's weight on the item, over Σ similarity of all neighbours. */
  score: number;
  /** How many neighbours engaged with it positively. */
  neighbours: number;
}
