/**
 * One row per tRPC procedure: who may call it and what each caller gets. test/worker/authz-N.test.ts (authz.ts) run every
 * row × role over HTTP and fails when a procedure of the router has no row here (the type below also makes
 * `npm run typecheck` fail). test/worker/fuzz.test.ts uses the same rows to fuzz every procedure.
 *
 * Adding a procedure: add a row keyed by its path with
 *   kind    "query" | "mutation" (checked against the router),
 *   input   a factory for one VALID input (typed from the router; may create fixtures, gets the caller),
 *   expect  the outcome per role: "OK" or the TRPCError code. Start from a preset (anyone, signedIn, active,
 *           sellersOnly, adminsOnly) and override: `{ ...active, seller: "PRECONDITION_FAILED" }`,
 *   fuzz    optional tuning for the fuzz test (see FuzzOptions).
 * Every cell gets a FRESH caller of its role (a new user row + session), so rows cannot disturb each other.
 * Need another fixture (a group buy, a wallet with points)? Add a helper to test/worker/fixtures.ts.
 */
import type * as fc from "fast-check";
import { sellerPayouts } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { boardComment, boardPost, linkableOffer, reportedPost } from "./board-fixtures";
import { chatMessageFixture } from "./chat-fixtures";
import type { Fixtures, FixtureUser, Role } from "./fixtures";
import { buyFields, fixtureBuy, fixtureFilledBuy, fixtureProduct, joinAs, makeResident } from "./groupbuy-fixtures";
import { giveHomeAndPoints } from "./membership-helpers";
import type { InputOf, ProcedurePath } from "./procedures";
import { insertGroupBuy, verifyResident } from "./recommend-fixtures";

export type Outcome =
  | "OK"
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "TOO_MANY_REQUESTS";
export type Expectation = Record<Role, Outcome>;

/** Public: anyone, signed in or not. */
export const anyone: Expectation = { anonymous: "OK", buyer: "OK", seller: "OK", admin: "OK", suspended: "OK" };
/** Any signed-in account, suspended ones included (reading your own things). */
export const signedIn: Expectation = { ...anyone, anonymous: "UNAUTHORIZED" };
/** Signed in and not suspended (activeProcedure: join, post, chat, apply). */
export const active: Expectation = { ...signedIn, suspended: "FORBIDDEN" };
/** Approved sellers that are not suspended (sellerProcedure). */
export const sellersOnly: Expectation = { ...active, buyer: "FORBIDDEN", admin: "FORBIDDEN" };
/** Admins (adminProcedure). */
export const adminsOnly: Expectation = { ...sellersOnly, seller: "FORBIDDEN", admin: "OK" };

export interface Cell {
  fx: Fixtures;
  role: Role;
  /** The fresh user making this call; null for anonymous. */
  caller: FixtureUser | null;
}

export interface FuzzOptions {
  /** Who sends the random inputs. Default: the first role whose expectation is "OK". */
  as?: Role;
  /** Tables a FAILED call may legitimately write (e.g. failed logins count in rate_limits). */
  mayWrite?: string[];
  /** Extra input shapes worth trying besides what is derived from the zod schema (e.g. ids that exist). */
  inputs?: (fx: Fixtures, fcApi: typeof fc) => fc.Arbitrary<unknown>;
  /** Prepares the fuzz file's database once, before writes are watched (e.g. tables a fixture creates). */
  setup?: (fx: Fixtures) => Promise<void>;
}

export interface AuthzRow<I> {
  kind: "query" | "mutation";
  input?: (cell: Cell) => I | Promise<I>;
  expect: Expectation;
  fuzz?: FuzzOptions;
}

export type AuthzTable = { [P in ProcedurePath]: AuthzRow<InputOf<P>> };

let serial = 0;

/** A paid payout for a fresh seller (rows only: no payables, no ledger); returns its id. */
async function paidPayout(fx: Fixtures) {
  const seller = await fx.newUser("seller");
  const id = newId();
  await fx.db.insert(sellerPayouts).values({
    id,
    sellerId: seller.id,
    regionId: fx.region.id,
    amount: 10_000,
    status: "paid",
    createdAt: Date.now(),
    paidAt: Date.now(),
  });
  return id;
}

/** The caller's own id when they are a seller (so "their" product/buy exists), else a fresh seller's. */
const ownSeller = (caller: FixtureUser | null) => (caller?.role === "seller" ? caller.id : undefined);
/** A buy in the caller's region, the caller made a verified resident of it (its page, its room). */
const aBuyOfMyRegion = async ({ fx, caller }: { fx: Fixtures; caller: FixtureUser | null }) => {
  if (caller) await makeResident(fx.db, caller.id, fx.region.id, 0);
  return { id: (await fixtureBuy(fx.db, fx.region.id)).id };
};
const freshEmail = () => `authz-${Date.now().toString(36)}-${++serial}@example.com`;

export const AUTHZ_TABLE: AuthzTable = {
  health: { kind: "query", expect: anyone },

  "auth.signup": {
    kind: "mutation",
    input: () => ({ email: freshEmail(), password: "a long enough password", displayName: "새이웃" }),
    expect: anyone,
    // every attempt counts against the client's network, a refused one (a taken email) too
    fuzz: { mayWrite: ["rate_limits"] },
  },
  "auth.login": {
    kind: "mutation",
    input: ({ fx }) => ({ email: fx.login.email, password: fx.login.password, tokenKind: "bearer" }),
    expect: anyone,
    fuzz: {
      mayWrite: ["rate_limits"],
      inputs: (fx, f) =>
        f.record({
          email: f.oneof(f.constant(fx.login.email), f.constant(fx.login.email.toUpperCase()), f.emailAddress()),
          password: f.string({ maxLength: 130 }),
          tokenKind: f.constantFrom("cookie", "bearer", "jwt", undefined),
        }),
    },
  },
  "auth.logout": { kind: "mutation", expect: signedIn },
  "auth.me": { kind: "query", expect: signedIn },

  "regions.list": { kind: "query", expect: anyone },
  "regions.verify": {
    kind: "mutation",
    input: ({ fx }) => ({ regionId: fx.region.id, lat: fx.region.lat, lng: fx.region.lng }),
    expect: signedIn,
    fuzz: {
      // past 10 verifications a day the refusal has counted its attempt
      mayWrite: ["rate_limits"],
      inputs: (fx, f) =>
        f.record({
          regionId: f.constantFrom(fx.region.id, "nowhere-dong"),
          // ±0.02° ≈ ±2 km around a 1.5 km radius: inside and outside.
          lat: f.double({ min: fx.region.lat - 0.02, max: fx.region.lat + 0.02, noNaN: true }),
          lng: f.double({ min: fx.region.lng - 0.02, max: fx.region.lng + 0.02, noNaN: true }),
        }),
    },
  },

  "sellers.applyToSell": {
    kind: "mutation",
    input: () => ({ businessName: "행복공구", businessNumber: "123-45-67890" }),
    // Sellers and admins already have a role: a business rule, not a permission, hence PRECONDITION_FAILED.
    expect: { ...active, seller: "PRECONDITION_FAILED", admin: "PRECONDITION_FAILED" },
  },
  "sellers.myApplications": { kind: "query", expect: signedIn },

  "admin.sellers.pending": { kind: "query", expect: adminsOnly },
  "admin.sellers.approve": {
    kind: "mutation",
    input: async ({ fx }) => ({ applicationId: await fx.pendingApplication() }),
    expect: adminsOnly,
  },
  "admin.sellers.reject": {
    kind: "mutation",
    input: async ({ fx }) => ({ applicationId: await fx.pendingApplication(), reason: "사업자 정보 불일치" }),
    expect: adminsOnly,
  },
  "notifications.list": { kind: "query", input: () => ({ limit: 5 }), expect: signedIn },
  "notifications.unreadCount": { kind: "query", expect: signedIn },
  "notifications.markRead": { kind: "mutation", input: () => ({ all: true as const }), expect: signedIn },
  "notifications.ticket": { kind: "mutation", expect: signedIn, fuzz: { mayWrite: ["rate_limits"] } },

  "wallet.get": { kind: "query", expect: signedIn },
  "wallet.history": { kind: "query", input: () => ({ limit: 5 }), expect: signedIn },
  "wallet.statement": { kind: "query", input: () => ({ month: "2026-03" }), expect: signedIn },
  "wallet.charge": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await verifyResident(fx.db, caller.id, fx.region.id);
      return {
        amount: 1_000,
        idempotencyKey: `authz-${newId()}`,
        paymentMethod: { type: "card" as const, paymentKey: `pk_${newId()}`, orderId: `o-${newId()}` },
      };
    },
    expect: active,
    // a charge refused by the limits still leaves its idempotency key and (for encrypted cards) the consent record
    fuzz: { mayWrite: ["idempotency_keys", "payment_consents", "charges"] },
  },
  "wallet.pendingCharges": { kind: "query", expect: signedIn },
  "wallet.refund": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await fx.chargedWallet(caller.id, 5_000);
      return { amount: 2_000, idempotencyKey: `authz-${newId()}` };
    },
    expect: active,
    fuzz: { mayWrite: ["idempotency_keys"] },
  },
  "admin.wallet.grant": {
    kind: "mutation",
    input: async ({ fx }) => ({
      userId: (await fx.walletUser()).id,
      amount: 1_000,
      reason: "테스트 적립",
      idempotencyKey: `authz-${++serial}-${newId()}`,
    }),
    expect: adminsOnly,
    // a valid-looking grant for an unknown user is a decided outcome: its idempotency key remembers it
    fuzz: { mayWrite: ["idempotency_keys"] },
  },
  "admin.wallet.reconciliations": { kind: "query", input: () => ({ limit: 5 }), expect: adminsOnly },
  "admin.wallet.reconcile": { kind: "mutation", expect: adminsOnly },

  // Group buys. Inputs build what each caller needs to succeed where the role allows it (their own product, a
  // verification of the fixture region, points), so the row tests the permission, not a missing fixture.
  "products.create": {
    kind: "mutation",
    input: () => ({ title: "권한표 사과", category: "fresh", totalQuantity: 5, unit: "kg", totalPrice: 10_000 }),
    expect: sellersOnly,
  },
  "products.update": {
    kind: "mutation",
    input: async ({ fx, caller }) => ({ id: (await fixtureProduct(fx.db, ownSeller(caller))).id, totalPrice: 12_000 }),
    expect: sellersOnly,
  },
  "products.list": { kind: "query", input: () => ({ limit: 5 }), expect: sellersOnly },
  "products.catalog": { kind: "query", input: () => ({ limit: 5 }), expect: active },
  "groupBuys.create": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      const product = await fixtureProduct(fx.db, ownSeller(caller), fx.region.id);
      if (caller?.role === "buyer") await makeResident(fx.db, caller.id, fx.region.id);
      return { ...buyFields(product.id, fx.region.id), ...(caller?.role === "buyer" ? { hostShares: 1 } : {}) };
    },
    // admins neither sell nor host
    expect: { ...active, admin: "FORBIDDEN" },
  },
  "groupBuys.list": {
    kind: "query",
    input: async ({ fx, caller }) => {
      if (caller) await makeResident(fx.db, caller.id, fx.region.id, 0);
      return { regionId: fx.region.id, limit: 5 };
    },
    expect: signedIn,
  },
  "groupBuys.get": {
    kind: "query",
    input: aBuyOfMyRegion,
    expect: signedIn,
  },
  "groupBuys.mine": { kind: "query", input: () => ({ limit: 5 }), expect: signedIn },
  "groupBuys.participants": {
    kind: "query",
    input: async ({ fx, caller }) => ({ id: (await fixtureBuy(fx.db, fx.region.id, ownSeller(caller))).id }),
    expect: { ...signedIn, buyer: "FORBIDDEN", suspended: "FORBIDDEN" },
  },
  "groupBuys.join": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await makeResident(fx.db, caller.id, fx.region.id);
      return { id: (await fixtureBuy(fx.db, fx.region.id)).id, shares: 1, idempotencyKey: `authz-join-${++serial}` };
    },
    expect: active,
  },
  "groupBuys.leave": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      const gb = await fixtureBuy(fx.db, fx.region.id);
      if (caller) await joinAs(fx.db, caller.id, fx.region.id, gb.id);
      return { id: gb.id, idempotencyKey: `authz-leave-${++serial}` };
    },
    expect: active,
  },
  "groupBuys.cancel": {
    kind: "mutation",
    input: async ({ fx, caller }) => ({
      id: (await fixtureBuy(fx.db, fx.region.id, ownSeller(caller))).id,
      reason: "권한표 취소 사유",
    }),
    expect: { ...active, buyer: "FORBIDDEN" },
  },
  "groupBuys.markOrdered": {
    kind: "mutation",
    input: async ({ fx, caller }) => ({
      id: (await fixtureFilledBuy(fx.db, fx.region.id, { sellerId: ownSeller(caller) })).gb.id,
    }),
    // only the seller orders; an admin may cancel but not act for the seller
    expect: { ...active, buyer: "FORBIDDEN", admin: "FORBIDDEN" },
  },
  "groupBuys.markReady": {
    kind: "mutation",
    input: async ({ fx, caller }) => ({
      id: (await fixtureFilledBuy(fx.db, fx.region.id, { sellerId: ownSeller(caller), until: "ORDERED" })).gb.id,
    }),
    expect: { ...active, buyer: "FORBIDDEN", admin: "FORBIDDEN" },
  },
  "groupBuys.confirmPickup": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      const memberId = caller?.role === "buyer" && !caller.suspendedUntil ? caller.id : undefined;
      return { id: (await fixtureFilledBuy(fx.db, fx.region.id, { memberId, until: "READY" })).gb.id };
    },
    // only the buy's buyers confirm a pickup
    expect: { ...active, seller: "FORBIDDEN", admin: "FORBIDDEN" },
  },
  "groupBuys.markNoShow": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      const { gb, memberId } = await fixtureFilledBuy(fx.db, fx.region.id, {
        sellerId: ownSeller(caller),
        until: "READY",
      });
      return { id: gb.id, userId: memberId };
    },
    expect: { ...active, buyer: "FORBIDDEN" },
  },
  "groupBuys.refundPurchase": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      // READY, not COMPLETED: who may refund is decided before the state (the money is groupbuy-refund.test.ts)
      const { gb, memberId } = await fixtureFilledBuy(fx.db, fx.region.id, {
        sellerId: ownSeller(caller),
        until: "READY",
      });
      return { groupBuyId: gb.id, buyerId: memberId, reason: "권한표 환불 사유", idempotencyKey: `authz-${newId()}` };
    },
    // the seller or an admin for them; a buy that is not COMPLETED cannot be refunded
    expect: { ...active, buyer: "FORBIDDEN", seller: "PRECONDITION_FAILED", admin: "PRECONDITION_FAILED" },
    fuzz: { as: "seller", mayWrite: ["idempotency_keys"] },
  },
  "seller.payouts": { kind: "query", input: () => ({ limit: 5 }), expect: sellersOnly },
  "seller.groupBuys": { kind: "query", input: () => ({ limit: 5 }), expect: sellersOnly },
  // no id in either: a seller only ever reaches their own payout account (payout-accounts.test.ts)
  "seller.payoutAccount.get": { kind: "query", expect: sellersOnly },
  "seller.payoutAccount.save": {
    kind: "mutation",
    input: () => ({
      businessType: "INDIVIDUAL" as const,
      name: "권한확인",
      email: "authz@example.com",
      phone: "01012345678",
      bankCode: "088" as const,
      accountNumber: "110123456789",
      holderName: "권한확인",
    }),
    expect: sellersOnly,
    // a refusal by the gateway still counts against the seller's hourly limit
    fuzz: { mayWrite: ["rate_limits"] },
  },
  "admin.sellers.list": { kind: "query", input: () => ({ limit: 5 }), expect: adminsOnly },
  "admin.payables.list": { kind: "query", input: () => ({ limit: 5 }), expect: adminsOnly },
  "admin.stats.timeline": { kind: "query", input: () => ({ bucket: "day" as const, points: 7 }), expect: adminsOnly },
  "trust.get": { kind: "query", input: ({ fx }) => ({ userId: fx.login.id }), expect: signedIn },
  "board.list": { kind: "query", input: ({ fx }) => ({ regionId: fx.region.id }), expect: signedIn },
  "board.get": { kind: "query", input: async ({ fx }) => ({ id: await boardPost(fx) }), expect: signedIn },
  "board.comments": { kind: "query", input: async ({ fx }) => ({ postId: await boardPost(fx) }), expect: signedIn },
  "board.create": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await verifyResident(fx.db, caller.id, fx.region.id);
      return { regionId: fx.region.id, category: "question" as const, title: "권한 확인", body: "본문" };
    },
    expect: active,
    fuzz: { mayWrite: ["rate_limits"] },
  },
  // the caller's own post/comment: author-only rules are covered in board.test.ts
  "board.update": {
    kind: "mutation",
    input: async ({ fx, caller }) => ({ id: await boardPost(fx, caller), title: "고친 제목" }),
    expect: active,
  },
  "board.delete": {
    kind: "mutation",
    input: async ({ fx, caller }) => ({ id: await boardPost(fx, caller) }),
    expect: active,
  },
  "board.comment": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await verifyResident(fx.db, caller.id, fx.region.id);
      return { postId: await boardPost(fx), body: "좋아요" };
    },
    expect: active,
    fuzz: { mayWrite: ["rate_limits"] },
  },
  "board.deleteComment": {
    kind: "mutation",
    input: async ({ fx, caller }) => ({ id: await boardComment(fx, caller) }),
    expect: active,
  },
  "board.like": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await verifyResident(fx.db, caller.id, fx.region.id);
      return { postId: await boardPost(fx), liked: true };
    },
    expect: active,
  },
  "board.report": {
    kind: "mutation",
    input: async ({ fx }) => ({ targetType: "post" as const, targetId: await boardPost(fx), reason: "spam" as const }),
    expect: active,
    fuzz: { mayWrite: ["rate_limits"] },
  },
  "board.offerSupply": {
    kind: "mutation",
    input: async ({ fx }) => ({ postId: await boardPost(fx, null, "proposal"), message: "공급할 수 있어요" }),
    expect: sellersOnly,
  },
  "board.linkGroupBuy": {
    kind: "mutation",
    input: ({ fx, caller }) => linkableOffer(fx, ownSeller(caller)),
    expect: sellersOnly,
  },
  "admin.moderation.queue": { kind: "query", input: () => ({ limit: 5 }), expect: adminsOnly },
  "admin.moderation.approve": {
    kind: "mutation",
    input: async ({ fx }) => ({ targetType: "post" as const, targetId: await reportedPost(fx), reason: "문제 없음" }),
    expect: adminsOnly,
  },
  "admin.moderation.remove": {
    kind: "mutation",
    input: async ({ fx }) => ({ targetType: "post" as const, targetId: await boardPost(fx), reason: "광고" }),
    expect: adminsOnly,
  },

  "rooms.ticket": {
    kind: "mutation",
    input: aBuyOfMyRegion,
    expect: active,
    fuzz: { mayWrite: ["rate_limits"] },
  },
  "rooms.history": {
    kind: "query",
    input: aBuyOfMyRegion,
    // a suspended account is kept out of rooms altogether
    expect: { ...signedIn, suspended: "FORBIDDEN" },
  },
  "rooms.knock": {
    kind: "query",
    input: aBuyOfMyRegion,
    // the upgrade's rules: a suspended account is kept out of rooms altogether
    expect: { ...signedIn, suspended: "FORBIDDEN" },
  },
  "rooms.report": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await makeResident(fx.db, caller.id, fx.region.id, 0);
      const { groupBuyId, messageId } = await chatMessageFixture(fx);
      return { id: groupBuyId, messageId, reason: "abuse" as const };
    },
    expect: active,
    fuzz: { mayWrite: ["rate_limits"] },
  },
  "admin.moderation.deleteChatMessage": {
    kind: "mutation",
    input: async ({ fx }) => ({ ...(await chatMessageFixture(fx)), reason: "욕설" }),
    expect: adminsOnly,
  },
  "admin.moderation.keepChatMessage": {
    kind: "mutation",
    input: async ({ fx }) => ({ ...(await chatMessageFixture(fx)), reason: "문제 없음" }),
    expect: adminsOnly,
  },

  "admin.users.suspend": {
    kind: "mutation",
    input: async ({ fx }) => ({ userId: (await fx.newUser("buyer")).id, days: 7, reason: "반복된 노쇼" }),
    expect: adminsOnly,
  },

  "membership.get": { kind: "query", expect: signedIn },
  "membership.quote": { kind: "query", input: () => ({ amount: 12_000 }), expect: signedIn },
  "membership.subscribe": {
    kind: "mutation",
    input: async ({ fx, caller }) => {
      if (caller) await giveHomeAndPoints(caller.id, fx.region.id, 4_900);
      return { idempotencyKey: `authz-plus-${++serial}-${newId()}` };
    },
    expect: active,
    // a refused subscribe (no region / not enough points) is a decided outcome its idempotency key remembers
    fuzz: { mayWrite: ["idempotency_keys"] },
  },
  "membership.cancel": {
    kind: "mutation",
    // nobody here has a running plan: cancelling is refused as a business rule for every signed-in caller
    expect: {
      ...signedIn,
      buyer: "PRECONDITION_FAILED",
      seller: "PRECONDITION_FAILED",
      admin: "PRECONDITION_FAILED",
      suspended: "PRECONDITION_FAILED",
    },
  },

  "payments.registerBillingKey": {
    kind: "mutation",
    input: () => ({ authKey: `auth_${newId()}`, consent: "billing-v1" as const }),
    expect: active,
    // every attempt that passes validation counts against the per-user registration limit
    fuzz: { mayWrite: ["rate_limits"] },
  },
  "payments.billingKey": { kind: "query", expect: signedIn },
  "payments.removeBillingKey": { kind: "mutation", expect: signedIn },
  "payments.gatewayPublicKey": { kind: "query", expect: signedIn },
  "admin.gateway.get": { kind: "query", expect: adminsOnly },
  "admin.gateway.set": { kind: "mutation", input: () => ({ mode: "up" as const }), expect: adminsOnly },
  "admin.charges.list": { kind: "query", input: () => ({ status: "deferred" as const, limit: 5 }), expect: adminsOnly },
  "admin.charges.retry": {
    kind: "mutation",
    input: async ({ fx }) => ({ chargeId: await fx.openCharge(), reason: "게이트웨이 복구 후 재시도" }),
    expect: adminsOnly,
  },
  "admin.charges.cancel": {
    kind: "mutation",
    input: async ({ fx }) => ({ chargeId: await fx.openCharge(), reason: "고객 요청으로 취소" }),
    expect: adminsOnly,
  },
  "admin.dlq.list": { kind: "query", input: () => ({ limit: 5 }), expect: adminsOnly },
  "admin.payouts.list": { kind: "query", input: () => ({ needsOperator: true, limit: 5 }), expect: adminsOnly },
  "admin.payouts.recheck": {
    kind: "mutation",
    // a paid payout: an admin gets past authz to "already paid" (a requested one, another file's payout run in the
    // shared runtime could finish first); the paying path is test/worker/payout-admin.test.ts
    input: async ({ fx }) => ({ payoutId: await paidPayout(fx) }),
    expect: { ...adminsOnly, admin: "PRECONDITION_FAILED" },
  },
  "admin.dlq.replay": {
    kind: "mutation",
    input: async ({ fx }) => ({ id: await fx.deadLetter() }),
    expect: adminsOnly,
  },
  "recommend.forMe": {
    kind: "query",
    input: async ({ fx, caller }) => {
      if (caller) await verifyResident(fx.db, caller.id, fx.region.id);
      return { limit: 10 };
    },
    expect: signedIn,
  },
  "recommend.interests": { kind: "query", expect: signedIn },
  "recommend.setInterests": { kind: "mutation", input: () => ({ categories: ["fresh", "pet"] }), expect: signedIn },
  "recommend.notInterested": {
    kind: "mutation",
    input: async ({ fx }) => {
      return { groupBuyId: (await insertGroupBuy(fx.db, { regionId: fx.region.id })).id };
    },
    expect: signedIn,
  },
  "recommend.undoNotInterested": {
    kind: "mutation",
    input: async ({ fx }) => {
      return { groupBuyId: (await insertGroupBuy(fx.db, { regionId: fx.region.id })).id };
    },
    expect: signedIn,
  },
};
