/**
 * The object-level authorization matrix (IDOR): every procedure and WebSocket route that takes an object id, called
 * by each caller on their OWN object and on SOMEONE ELSE's. test/worker/idor.test.ts runs every cell over HTTP.
 *
 * Callers: anonymous, buyer, seller, admin, suspended (a suspended buyer). Objects:
 *   own     the object belongs to the caller (their product, buy, membership, post, comment, notification, their
 *           neighbourhood's buy/post); a cell is left out when that caller cannot own such an object
 *   others  the object belongs to another buyer / another seller (a fresh user; "other buyer", "other seller"), or,
 *           for neighbourhood-scoped objects, to a region the caller is not a verified resident of
 * So the issue's seven callers are the rows here with "other buyer"/"other seller" as the owners of the others'
 * objects. Every signed-in caller is a verified resident of the fixture region with points, so a refusal is about
 * WHOSE object it is, not a missing fixture.
 *
 * Expected outcome per cell: "OK", a TRPCError code, or "NO_EFFECT" (200, but the object's `state` is unchanged,
 * e.g. marking someone else's notification read silently touches nothing). An "OK" on someone else's object is an
 * IDOR unless the row states why it is public (`publicToOthers`) — admins acting as moderators say so too.
 */
import { eq } from "drizzle-orm";
import { notifications } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import type { Outcome } from "./authz-table";
import { boardComment, boardPost, linkableOffer } from "./board-fixtures";
import { type Fixtures, type FixtureUser, insertRegion, insertUser, type Role, TEST_REGION } from "./fixtures";
import { fixtureBuy, fixtureFilledBuy, fixtureProduct, joinAs } from "./groupbuy-fixtures";
import type { InputOf, ProcedurePath } from "./procedures";

export type IdorOutcome = Outcome | "NO_EFFECT";
export type Scope = "own" | "others";

/** A second neighbourhood nobody in the matrix is verified in (성수1가1동). */
export const OTHER_REGION = { ...TEST_REGION, id: "test-seongsu1", name: "성수1가1동", lat: 37.5446, lng: 127.0557 };
export const ensureOtherRegion = (fx: Fixtures) => insertRegion(fx.db, OTHER_REGION);

/** Who owns the object: a buyer-kind user (member, author, recipient), a seller, or a neighbourhood. */
export type OwnerKind = "buyer" | "seller" | "region";

export interface ObjectCell {
  fx: Fixtures;
  /** The object's owner: the caller for "own", another user for "others" (null for region-owned objects). */
  owner: FixtureUser | null;
  /** For region-owned objects: the fixture region ("own") or OTHER_REGION ("others"). */
  regionId: string;
}

export interface IdorRow<P extends ProcedurePath> {
  path: P;
  kind: "query" | "mutation";
  owner: OwnerKind;
  /** Builds the object for this cell and returns a valid input addressing it. */
  object: (cell: ObjectCell) => Promise<InputOf<P>>;
  own: Partial<Record<Role, IdorOutcome>>;
  others: Record<Role, IdorOutcome>;
  /** Why an "OK" on someone else's object is intended (required when any `others` cell is "OK"). */
  publicToOthers?: string;
  /** A snapshot of the object's state, for NO_EFFECT cells. */
  state?: (fx: Fixtures, input: InputOf<P>) => Promise<unknown>;
}

const refusedTo = (code: IdorOutcome): Record<Role, IdorOutcome> => ({
  anonymous: "UNAUTHORIZED",
  buyer: code,
  seller: code,
  admin: code,
  suspended: "FORBIDDEN",
});

const row = <P extends ProcedurePath>(r: IdorRow<P>) => r as unknown as IdorRow<ProcedurePath>;
const seller = (c: ObjectCell) => c.owner?.id;

export const IDOR_TABLE: IdorRow<ProcedurePath>[] = [
  // ---- a seller's objects --------------------------------------------------------------------------------------
  row({
    path: "board.linkGroupBuy",
    kind: "mutation",
    owner: "seller",
    // the owner's offer on a proposal and an OPEN buy of theirs
    object: (c) => linkableOffer(c.fx, seller(c)),
    own: { seller: "OK" },
    // the caller has no offer on another seller's proposal: nothing of theirs to link
    others: { ...refusedTo("FORBIDDEN"), seller: "NOT_FOUND" },
  }),
  row({
    path: "products.update",
    kind: "mutation",
    owner: "seller",
    object: async (c) => ({ id: (await fixtureProduct(c.fx.db, seller(c))).id, totalPrice: 12_000 }),
    own: { seller: "OK" },
    // another seller's product is looked up among the caller's own: it does not exist for them
    others: { ...refusedTo("FORBIDDEN"), seller: "NOT_FOUND" },
  }),
  row({
    path: "groupBuys.participants",
    kind: "query",
    owner: "seller",
    object: async (c) => ({ id: (await fixtureBuy(c.fx.db, c.fx.region.id, seller(c))).id }),
    own: { seller: "OK" },
    others: { ...refusedTo("FORBIDDEN"), admin: "OK" },
    publicToOthers: "admins see any buy's participants (support, no-show disputes)",
  }),
  row({
    path: "groupBuys.cancel",
    kind: "mutation",
    owner: "seller",
    object: async (c) => ({ id: (await fixtureBuy(c.fx.db, c.fx.region.id, seller(c))).id, reason: "IDOR 표 취소" }),
    own: { seller: "OK" },
    others: { ...refusedTo("FORBIDDEN"), admin: "OK" },
    publicToOthers: "admins may cancel any buy (moderation)",
  }),
  row({
    path: "groupBuys.markOrdered",
    kind: "mutation",
    owner: "seller",
    object: async (c) => ({ id: (await fixtureFilledBuy(c.fx.db, c.fx.region.id, { sellerId: seller(c) })).gb.id }),
    own: { seller: "OK" },
    others: refusedTo("FORBIDDEN"),
  }),
  row({
    path: "groupBuys.markReady",
    kind: "mutation",
    owner: "seller",
    object: async (c) => ({
      id: (await fixtureFilledBuy(c.fx.db, c.fx.region.id, { sellerId: seller(c), until: "ORDERED" })).gb.id,
    }),
    own: { seller: "OK" },
    others: refusedTo("FORBIDDEN"),
  }),
  row({
    path: "groupBuys.markNoShow",
    kind: "mutation",
    owner: "seller",
    object: async (c) => {
      const { gb, memberId } = await fixtureFilledBuy(c.fx.db, c.fx.region.id, { sellerId: seller(c), until: "READY" });
      return { id: gb.id, userId: memberId };
    },
    own: { seller: "OK" },
    others: { ...refusedTo("FORBIDDEN"), admin: "OK" },
    publicToOthers: "admins may record a no-show for any buy (disputes)",
  }),
  row({
    path: "groupBuys.refundPurchase",
    kind: "mutation",
    owner: "seller",
    // READY, not COMPLETED: who may refund is decided first, then the state (the money: groupbuy-refund.test.ts)
    object: async (c) => {
      const { gb, memberId } = await fixtureFilledBuy(c.fx.db, c.fx.region.id, { sellerId: seller(c), until: "READY" });
      return { groupBuyId: gb.id, buyerId: memberId, reason: "IDOR 환불 사유", idempotencyKey: `idor-${newId()}` };
    },
    own: { seller: "PRECONDITION_FAILED" },
    // an admin may refund for any seller (on the seller's behalf), so gets past who to the buy's state
    others: { ...refusedTo("FORBIDDEN"), admin: "PRECONDITION_FAILED" },
  }),

  // ---- a buyer's objects ---------------------------------------------------------------------------------------
  row({
    path: "groupBuys.leave",
    kind: "mutation",
    owner: "buyer",
    // the input names only the buy: the caller can only ever leave their own membership
    object: async (c) => {
      const gb = await fixtureBuy(c.fx.db, c.fx.region.id);
      if (c.owner) await joinAs(c.fx.db, c.owner.id, c.fx.region.id, gb.id);
      return { id: gb.id, idempotencyKey: `idor-leave-${newId()}` };
    },
    own: { buyer: "OK", suspended: "FORBIDDEN" },
    others: refusedTo("PRECONDITION_FAILED"),
  }),
  row({
    path: "groupBuys.confirmPickup",
    kind: "mutation",
    owner: "buyer",
    object: async (c) => ({
      id: (await fixtureFilledBuy(c.fx.db, c.fx.region.id, { memberId: c.owner?.id, until: "READY" })).gb.id,
    }),
    own: { buyer: "OK", suspended: "FORBIDDEN" },
    others: refusedTo("FORBIDDEN"),
  }),
  row({
    path: "board.update",
    kind: "mutation",
    owner: "buyer",
    object: async (c) => ({ id: await boardPost(c.fx, c.owner), title: "IDOR 표 수정" }),
    own: { buyer: "OK", suspended: "FORBIDDEN" },
    others: refusedTo("FORBIDDEN"),
  }),
  row({
    path: "board.delete",
    kind: "mutation",
    owner: "buyer",
    object: async (c) => ({ id: await boardPost(c.fx, c.owner) }),
    own: { buyer: "OK", suspended: "FORBIDDEN" },
    // an admin removing someone else's post/comment must give a reason (moderation, board.test.ts); without one: refused
    others: { ...refusedTo("FORBIDDEN"), admin: "BAD_REQUEST" },
  }),
  row({
    path: "board.deleteComment",
    kind: "mutation",
    owner: "buyer",
    object: async (c) => ({ id: await boardComment(c.fx, c.owner) }),
    own: { buyer: "OK", suspended: "FORBIDDEN" },
    // an admin removing someone else's post/comment must give a reason (moderation, board.test.ts); without one: refused
    others: { ...refusedTo("FORBIDDEN"), admin: "BAD_REQUEST" },
  }),
  row({
    path: "notifications.markRead",
    kind: "mutation",
    owner: "buyer",
    object: async (c) => {
      const id = newId();
      await c.fx.db
        .insert(notifications)
        .values({ id, userId: c.owner!.id, kind: "idor", params: {}, createdAt: Date.now() });
      return { ids: [id] };
    },
    own: { buyer: "OK", suspended: "OK" },
    // scoped to the caller's own rows: someone else's id is silently not touched
    others: {
      anonymous: "UNAUTHORIZED",
      buyer: "NO_EFFECT",
      seller: "NO_EFFECT",
      admin: "NO_EFFECT",
      suspended: "NO_EFFECT",
    },
    state: async (fx, input) =>
      "ids" in input
        ? (await fx.db.select().from(notifications).where(eq(notifications.id, input.ids[0])).get())?.readAt
        : null,
  }),

  // ---- a neighbourhood's objects: own = the caller's verified region, others = a region they are not verified in
  row({
    path: "groupBuys.get",
    kind: "query",
    owner: "region",
    object: async (c) => ({ id: (await fixtureBuy(c.fx.db, c.regionId)).id }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "OK" },
    others: { ...refusedTo("FORBIDDEN"), suspended: "FORBIDDEN", admin: "OK" },
    publicToOthers: "admins see every buy",
  }),
  row({
    path: "groupBuys.join",
    kind: "mutation",
    owner: "region",
    object: async (c) => ({
      id: (await fixtureBuy(c.fx.db, c.regionId)).id,
      shares: 1,
      idempotencyKey: `idor-join-${newId()}`,
    }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "FORBIDDEN" },
    others: refusedTo("PRECONDITION_FAILED"), // verify that neighbourhood first
  }),
  row({
    path: "board.get",
    kind: "query",
    owner: "region",
    object: async (c) => ({ id: await regionPost(c) }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "OK" },
    others: { anonymous: "UNAUTHORIZED", buyer: "OK", seller: "OK", admin: "OK", suspended: "OK" },
    publicToOthers: "region boards are readable by any signed-in user (only writing needs residency)",
  }),
  row({
    path: "board.comment",
    kind: "mutation",
    owner: "region",
    object: async (c) => ({ postId: await regionPost(c), body: "IDOR 표 댓글" }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "FORBIDDEN" },
    others: refusedTo("PRECONDITION_FAILED"), // verify that neighbourhood first
  }),
  row({
    path: "board.like",
    kind: "mutation",
    owner: "region",
    object: async (c) => ({ postId: await regionPost(c), liked: true }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "FORBIDDEN" },
    others: refusedTo("PRECONDITION_FAILED"), // verify that neighbourhood first
  }),
  row({
    path: "rooms.ticket",
    kind: "mutation",
    owner: "region",
    object: async (c) => ({ id: (await fixtureBuy(c.fx.db, c.regionId)).id }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "FORBIDDEN" },
    others: { ...refusedTo("FORBIDDEN"), admin: "OK" },
    publicToOthers: "admins may open any room (moderation)",
  }),
  row({
    path: "rooms.history",
    kind: "query",
    owner: "region",
    object: async (c) => ({ id: (await fixtureBuy(c.fx.db, c.regionId)).id }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "FORBIDDEN" }, // rooms are closed while suspended
    others: { ...refusedTo("FORBIDDEN"), suspended: "FORBIDDEN", admin: "OK" },
    publicToOthers: "admins read any room (moderation)",
  }),
  row({
    path: "rooms.knock",
    kind: "query",
    owner: "region",
    object: async (c) => ({ id: (await fixtureBuy(c.fx.db, c.regionId)).id }),
    own: { buyer: "OK", seller: "OK", admin: "OK", suspended: "FORBIDDEN" }, // the upgrade's rules
    others: { ...refusedTo("FORBIDDEN"), suspended: "FORBIDDEN", admin: "OK" },
    publicToOthers: "admins may open any room (moderation)",
  }),
];

/** A post in `c.regionId` by a fresh resident of it. */
async function regionPost(c: ObjectCell) {
  const author = await insertUser(c.fx.db, "buyer");
  return boardPost({ ...c.fx, region: c.regionId === OTHER_REGION.id ? OTHER_REGION : c.fx.region }, author);
}

/** Which callers can own an object of this kind ("own" cells exist only for them). */
export const CAN_OWN: Record<OwnerKind, Role[]> = {
  buyer: ["buyer", "suspended"],
  seller: ["seller"],
  region: ["buyer", "seller", "admin", "suspended"],
};

/** The "other buyer"/"other seller" who owns someone else's object. */
export const otherOwner = (fx: Fixtures, kind: OwnerKind) =>
  kind === "region" ? Promise.resolve(null) : insertUser(fx.db, kind);
