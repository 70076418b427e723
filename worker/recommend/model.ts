import { candidatesFor } from "./candidates.ts";
import { anchorPostings, type NeighbourOptions, topNeighbours } from "./similarity.ts";
import type { Candidate, Interaction, Neighbour } from "./types.ts";
import { buildUserVectors, categoryAffinity, type ItemLookup, type UserVectors } from "./vectors.ts";

/** What the cron stores per user and the offline evaluation ranks from. */
export interface UserModel {
  userId: string;
  n: number;
  neighbours: Neighbour[];
  candidates: Candidate[];
  /** Category affinity from the user's own history (explicit interests are added at serving time). */
  affinity: [string, number][];
}

/**
 * Neighbours and candidate scores for `targets` (all users when omitted), computed over every interaction given:
 * a target's neighbours can be anyone, only the targets are (re)scored. This is the incremental step.
 */
export function computeUserModels(
  interactions: Iterable<Interaction>,
  lookup: ItemLookup,
  targets?: Iterable<string>,
  opts: NeighbourOptions & { candidates?: number; servable?: (itemId: string) => boolean } = {},
): { vectors: UserVectors; models: Map<string, UserModel> } {
  const vectors = buildUserVectors(interactions, lookup);
  const targetIdx: number[] = [];
  for (const id of targets ?? vectors.userIds) {
    const u = vectors.index.get(id);
    if (u !== undefined) targetIdx.push(u);
  }
  const neighbours = topNeighbours(vectors, targetIdx, opts, anchorPostings(vectors));
  const models = new Map<string, UserModel>();
  for (const u of targetIdx) {
    const list = neighbours.get(u) ?? [];
    models.set(vectors.userIds[u], {
      userId: vectors.userIds[u],
      n: vectors.counts[u],
      neighbours: list.map((nb) => ({ userId: vectors.userIds[nb.user], similarity: nb.similarity })),
      candidates: candidatesFor(vectors, u, list, opts.candidates, opts.servable),
      affinity: [...categoryAffinity(vectors.items[u], lookup)],
    });
  }
  return { vectors, models };
}
