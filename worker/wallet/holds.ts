/**
 * Two-phase holds on a user's points (what a group-buy join uses). Stable API:
 *
 *   placeHold(db, { holdId, userId, regionId, amount, reference?, expiresAt?, toAccount?, meta?, now }) → Hold
 *       Reserves `amount` won: reward points first, then charged points. Idempotent by holdId (same parameters → the
 *       same hold; other parameters → CONFLICT). Not enough points → PRECONDITION_FAILED "Not enough points: you need
 *       N won more." with error.cause.details = { reason: "insufficient_points", shortfall: N } (the client sees
 *       error.data.details). `toAccount` fixes the destination now (e.g. escrowAccount(groupBuyId, regionId));
 *       without it the points wait in the book's hold_clearing account and postHold names the destination.
 *   postHold(db, { holdId, amount?, toAccount?, now }) → Hold
 *       Captures `amount` (default all; the rest is released). Exactly once: a repeat with the same amount returns
 *       the posted hold; a different amount → CONFLICT; a voided/expired hold → PRECONDITION_FAILED.
 *   voidHold(db, { holdId, now }) → Hold          releases it; repeat → same hold; a posted hold → PRECONDITION_FAILED
 *   placeHoldsTogether(db, [args, ...]) → (Hold | null)[]
 *       Group commit: many holds in ONE batch (one round trip). Each hold is placed or not on its own (a buyer short of
 *       points or a hold id already used inserts nothing and does not fail the others); null = not placed here, so
 *       call placeHold for it to get the exact answer (the existing hold, or the shortfall error).
 *   getHold(db, holdId) → Hold | null
 *   sweepExpiredHolds(db, now) → number            cron: voids holds whose expiresAt has passed
 *
 * A hold is up to two pending ledger transfers ("legs"), `${holdId}:r` from the reward account and `${holdId}:c` from
 * the charged account, settled together in one batch. Capture spends the reward leg first (reward points are not
 * refundable, so using them first is the user's best outcome). The database refuses overdraft, double settlement and
 * posting after expiry (ledger.ts), so concurrent calls cannot break a hold; this module turns the refusals into
 * typed errors and idempotent replies. `db` is the book's database: bookDb(env, regionId).
 */
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { assertNonNegativeWon } from "../../shared/money";
import type { HoldStatus } from "../../shared/schemas/wallet";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { ledgerPending, ledgerTransfers } from "../db/schema";
import { fail } from "../lib/errors";
import { type AccountRef, ensureAccountStatement, ensureAccountsStatements, platformAccount } from "./accounts";
import { classifyLedgerError, ledgerErrorToTrpc } from "./errors";
import { getTransfersWithSettlements, settleStatement, type TransferRow } from "./ledger";
import { insertedLegs, rewardFirstAccounts, rewardFirstLegs, rewardFirstStatements, shortfallError } from "./spend";

export const HOLD_ID_PATTERN = /^[A-Za-z0-9:_.-]{1,140}$/;
/** Expired transfers voided per sweep call: ≤ 90 keeps the follow-up IN (...) under D1's 100 bound parameters. */
export const SWEEP_BATCH = 90;
/** Statements of one sweepExpiredHolds call: its read, a void per hold (one batch), its count. */
export const SWEEP_ROUND_MAX = SWEEP_BATCH + 2;

export interface Hold {
  id: string;
  userId: string;
  regionId: string;
  /** Total reserved. */
  amount: number;
  fromReward: number;
  fromCharged: number;
  status: HoldStatus;
  /** Won actually taken (0 unless posted), and from which account (reward first). */
  capturedAmount: number;
  capturedFromReward: number;
  capturedFromCharged: number;
  reference: string | null;
  expiresAt: number | null;
  createdAt: number;
  settledAt: number | null;
  /** Where the points go on capture: the destination, or the book's hold_clearing until postHold names one. */
  creditAccountId: string;
  /** What placeHold stored with the hold (its `meta`, plus holdId and userId). */
  meta: Record<string, string | number | null>;
}

const legIds = (holdId: string) => ({ reward: `${holdId}:r`, charged: `${holdId}:c`, to: `${holdId}:to` });

function checkHoldId(holdId: string) {
  if (!HOLD_ID_PATTERN.test(holdId)) {
    fail("BAD_REQUEST", "Hold ids are 1–140 letters, digits, ':', '_', '.', '-'.");
  }
}

interface HoldRows {
  legs: TransferRow[];
  settlements: TransferRow[];
  /** hold_clearing → destination, when postHold named the destination */
  redirect?: TransferRow;
}

/** One hold's rows among `rows` (read by getTransfersWithSettlements, for it alone or for many holds); null: no leg. */
function holdRowsOf(holdId: string, rows: TransferRow[]): HoldRows | null {
  const ids = legIds(holdId);
  const legs = rows.filter((r) => r.phase === "pending" && (r.id === ids.reward || r.id === ids.charged));
  if (legs.length === 0) return null;
  return {
    legs,
    settlements: rows.filter((r) => r.pendingId === ids.reward || r.pendingId === ids.charged),
    redirect: rows.find((r) => r.id === ids.to),
  };
}

async function loadHold(db: Db, holdId: string): Promise<HoldRows | null> {
  const ids = legIds(holdId);
  return holdRowsOf(holdId, await getTransfersWithSettlements(db, [ids.reward, ids.charged, ids.to]));
}

/** Void statements for a hold's open legs (voidHold, and a settlement chunk's releaseStatements). */
function voidLegStatements(
  db: Db,
  hold: Hold,
  legs: TransferRow[],
  args: { kind: "hold_release" | "hold_expire"; description: string; now: number },
): BatchItem[] {
  return legs.map((leg) =>
    settleStatement(db, {
      id: `${leg.id}:void`,
      pending: leg,
      action: "void",
      kind: args.kind,
      description: args.description,
      meta: { holdId: hold.id, userId: hold.userId },
      now: args.now,
    }),
  );
}

function toHold(holdId: string, { legs, settlements, redirect }: HoldRows): Hold {
  const ids = legIds(holdId);
  const first = legs[0];
  const meta = first.meta ?? {};
  const posts = settlements.filter((s) => s.phase === "post");
  const open = legs.filter((l) => !settlements.some((s) => s.pendingId === l.id));
  let status: HoldStatus = "pending";
  if (open.length === 0) {
    if (posts.length > 0) status = "posted";
    else status = settlements.every((s) => s.kind === "hold_expire") ? "expired" : "voided";
  }
  return {
    id: holdId,
    userId: String(meta.userId),
    regionId: first.book,
    amount: legs.reduce((sum, l) => sum + l.amount, 0),
    fromReward: legs.find((l) => l.id === ids.reward)?.amount ?? 0,
    fromCharged: legs.find((l) => l.id === ids.charged)?.amount ?? 0,
    status,
    capturedAmount: posts.reduce((sum, p) => sum + p.amount, 0),
    capturedFromReward: posts.find((p) => p.pendingId === ids.reward)?.amount ?? 0,
    capturedFromCharged: posts.find((p) => p.pendingId === ids.charged)?.amount ?? 0,
    reference: first.reference,
    expiresAt: first.expiresAt,
    createdAt: first.createdAt,
    settledAt: status === "pending" ? null : Math.max(...settlements.map((s) => s.createdAt)),
    creditAccountId: redirect?.creditAccountId ?? first.creditAccountId,
    meta,
  };
}

export async function getHold(db: Db, holdId: string): Promise<Hold | null> {
  if (!HOLD_ID_PATTERN.test(holdId)) return null;
  const rows = await loadHold(db, holdId);
  return rows ? toHold(holdId, rows) : null;
}

/** A hold as a settlement chunk reads it: the hold, and its legs while none of them is settled yet. */
export interface ReadHold {
  hold: Hold;
  /** Both legs still open (a pending hold nothing has touched); empty once it is settled. */
  openLegs: TransferRow[];
}

/**
 * Many holds in ONE query (a settlement chunk's: their legs, settlements and redirects), plus any `extraIds` the
 * caller wants from the same round trip (a hold's derived transfers, e.g. its discount): absent holds are not in the
 * map. The ids travel as one JSON value, so the list needs no splitting under D1's 100 bound values.
 */
export async function readHolds(
  db: Db,
  holdIds: string[],
  extraIds: string[] = [],
): Promise<{ holds: Map<string, ReadHold>; extra: Map<string, TransferRow> }> {
  const ids = holdIds.filter((id) => HOLD_ID_PATTERN.test(id));
  const rows = await getTransfersWithSettlements(db, [...ids.flatMap((id) => Object.values(legIds(id))), ...extraIds]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const holds = new Map<string, ReadHold>();
  for (const id of ids) {
    const found = holdRowsOf(id, rows);
    if (!found) continue;
    holds.set(id, { hold: toHold(id, found), openLegs: found.settlements.length === 0 ? found.legs : [] });
  }
  return { holds, extra: new Map(extraIds.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!]] : []))) };
}

/**
 * postHold's whole capture of an untouched hold whose destination was fixed when it was placed, as batch items (to run
 * with other holds' in one batch), and the hold as it will be once they ran. Null when the hold needs postHold's own
 * handling (already settled, a destination still to name, expired): call postHold for it instead. Each item settles
 * its leg exactly once (the database refuses a second settlement), so a batch that raced another capture fails whole.
 */
export function captureStatements(
  db: Db,
  read: ReadHold,
  args: { description: string; now: number },
): { statements: BatchItem[]; after: Hold } | null {
  const { hold, openLegs } = read;
  if (hold.status !== "pending" || openLegs.length === 0 || isClearing(hold)) return null;
  if (hold.expiresAt !== null && hold.expiresAt <= args.now) return null;
  const statements = openLegs.map((leg) =>
    settleStatement(db, {
      id: `${leg.id}:post`,
      pending: leg,
      action: "post",
      amount: leg.amount,
      kind: "hold_capture",
      description: args.description,
      meta: { holdId: hold.id, userId: hold.userId },
      now: args.now,
    }),
  );
  const after: Hold = {
    ...hold,
    status: "posted",
    capturedAmount: hold.amount,
    capturedFromReward: hold.fromReward,
    capturedFromCharged: hold.fromCharged,
    settledAt: args.now,
  };
  return { statements, after };
}

/** voidHold of an untouched hold as batch items (see captureStatements); null when voidHold must handle it. */
export function releaseStatements(db: Db, read: ReadHold, args: { description: string; now: number }) {
  const { hold, openLegs } = read;
  if (hold.status !== "pending" || openLegs.length === 0) return null;
  return voidLegStatements(db, hold, openLegs, { kind: "hold_release", ...args });
}

export interface PlaceHoldArgs {
  holdId: string;
  userId: string;
  regionId: string;
  amount: number;
  reference?: string | null;
  expiresAt?: number | null;
  /** Destination fixed now (must be in the same book); default: the book's hold_clearing account. */
  toAccount?: AccountRef;
  description?: string;
  /** Extra facts stored on the hold's ledger rows, atomically with it (e.g. a membership discount: gross, discount). */
  meta?: Record<string, string | number | null>;
  now: number;
}

function sameHold(hold: Hold, args: PlaceHoldArgs): boolean {
  return hold.userId === args.userId && hold.regionId === args.regionId && hold.amount === args.amount;
}

export async function placeHold(db: Db, args: PlaceHoldArgs): Promise<Hold> {
  checkHoldId(args.holdId);
  assertNonNegativeWon(args.amount, "amount", 1);
  if (args.expiresAt != null && args.expiresAt <= args.now) fail("BAD_REQUEST", "A hold must expire in the future.");
  const book = args.regionId;
  const credit = args.toAccount ?? platformAccount("hold_clearing", book);
  if (credit.book !== book) fail("BAD_REQUEST", "A hold's destination must be in the same region book.");
  const statements = rewardFirstStatements(db, {
    id: args.holdId,
    userId: args.userId,
    book,
    amount: args.amount,
    credit,
    phase: "pending",
    expiresAt: args.expiresAt,
    kind: "hold",
    reference: args.reference,
    description: args.description ?? "Points reserved",
    meta: { ...args.meta, holdId: args.holdId, userId: args.userId },
    now: args.now,
  });
  try {
    // one round trip: the split between reward and charged points is computed inside the batch
    const legs = insertedLegs(await runBatch(db, statements));
    return toHold(args.holdId, { legs, settlements: [] });
  } catch (e) {
    const failure = classifyLedgerError(e);
    if (failure === "duplicate_id") {
      const existing = await getHold(db, args.holdId);
      if (existing) return replyExisting(existing, args);
    }
    if (failure !== "overdraft") ledgerErrorToTrpc(e, failure);
    throw await shortfallError(db, args.userId, book, args.amount);
  }
}

/** Holds per placeHoldsTogether batch: 2 leg statements + ≤ 2 account upserts each keeps a batch ≤ ~200 statements. */
export const HOLD_GROUP_MAX = 50;

export async function placeHoldsTogether(db: Db, list: PlaceHoldArgs[]): Promise<(Hold | null)[]> {
  if (list.length > HOLD_GROUP_MAX) throw new Error(`placeHoldsTogether: at most ${HOLD_GROUP_MAX} holds per batch`);
  const ensured = new Map<string, AccountRef>();
  const legs: BatchItem[] = [];
  for (const args of list) {
    checkHoldId(args.holdId);
    assertNonNegativeWon(args.amount, "amount", 1);
    const credit = args.toAccount ?? platformAccount("hold_clearing", args.regionId);
    if (credit.book !== args.regionId) fail("BAD_REQUEST", "A hold's destination must be in the same region book.");
    const spec = {
      id: args.holdId,
      userId: args.userId,
      book: args.regionId,
      amount: args.amount,
      credit,
      phase: "pending" as const,
      expiresAt: args.expiresAt,
      kind: "hold" as const,
      reference: args.reference,
      description: args.description ?? "Points reserved",
      meta: { ...args.meta, holdId: args.holdId, userId: args.userId },
      now: args.now,
    };
    for (const ref of rewardFirstAccounts(spec)) {
      ensured.set(ref.id, ref);
    }
    legs.push(...rewardFirstLegs(db, spec, true));
  }
  if (list.length === 0) return [];
  // every account the legs touch exists first: a few multi-row inserts instead of ~2 statements per hold
  const ensure = ensureAccountsStatements(db, [...ensured.values()], list[0].now);
  const results = await runBatch(db, [...ensure, ...legs]);
  const inserted = results.slice(ensure.length) as TransferRow[][];
  return list.map((args, i) => {
    const placed = [...inserted[2 * i], ...inserted[2 * i + 1]];
    return placed.length > 0 ? toHold(args.holdId, { legs: placed, settlements: [] }) : null;
  });
}

function replyExisting(hold: Hold, args: PlaceHoldArgs): Hold {
  if (!sameHold(hold, args)) fail("CONFLICT", `Hold ${args.holdId} already exists with different parameters.`);
  return hold;
}

export interface PostHoldArgs {
  holdId: string;
  /** Won to capture, 1..hold.amount; default the whole hold. The rest is released. */
  amount?: number;
  /** Destination, when the hold was placed without one (it must then be in the same book). */
  toAccount?: AccountRef;
  description?: string;
  now: number;
}

const isClearing = (hold: Hold) => hold.creditAccountId === platformAccount("hold_clearing", hold.regionId).id;

function settledError(hold: Hold, wanted: "post" | "void"): never {
  if (hold.status === "posted") {
    fail(
      "PRECONDITION_FAILED",
      `This hold was already captured (${hold.capturedAmount} won); refund it from escrow instead of releasing it.`,
    );
  }
  const what = hold.status === "expired" ? "expired and was released" : "was released";
  fail("PRECONDITION_FAILED", `This hold ${what}; it can no longer be ${wanted === "post" ? "captured" : "changed"}.`);
}

function replyPosted(hold: Hold, amount: number | undefined): Hold {
  if (hold.status !== "posted") settledError(hold, "post");
  if (amount !== undefined && amount !== hold.capturedAmount) {
    fail("CONFLICT", `This hold was already captured for ${hold.capturedAmount} won, not ${amount}.`);
  }
  return hold;
}

export async function postHold(db: Db, args: PostHoldArgs): Promise<Hold> {
  checkHoldId(args.holdId);
  const rows = await loadHold(db, args.holdId);
  if (!rows) fail("NOT_FOUND", `No hold ${args.holdId}.`);
  const hold = toHold(args.holdId, rows);
  if (hold.status !== "pending") return replyPosted(hold, args.amount);
  if (hold.expiresAt !== null && hold.expiresAt <= args.now) {
    fail("PRECONDITION_FAILED", "This hold has expired; it will be released.");
  }
  const capture = args.amount ?? hold.amount;
  if (!Number.isSafeInteger(capture) || capture < 1 || capture > hold.amount) {
    fail("BAD_REQUEST", `Capture between 1 and ${hold.amount} won (release the hold to take nothing).`);
  }
  const to = args.toAccount;
  const redirect = to !== undefined && to.id !== hold.creditAccountId;
  if (redirect && !isClearing(hold)) {
    fail("BAD_REQUEST", "This hold already has a destination; post it without toAccount.");
  }
  if (redirect && to.book !== hold.regionId) fail("BAD_REQUEST", "A hold's destination must be in its region book.");
  if (!redirect && isClearing(hold)) fail("BAD_REQUEST", "Say where the captured points go (toAccount).");

  const ids = legIds(args.holdId);
  const open = rows.legs.filter((l) => !rows.settlements.some((s) => s.pendingId === l.id));
  // reward leg first, then charged
  open.sort((a, b) => Number(b.id === ids.reward) - Number(a.id === ids.reward));
  let left = capture;
  const taken = { reward: 0, charged: 0 };
  const statements: BatchItem[] = open.map((leg) => {
    const take = Math.min(left, leg.amount);
    left -= take;
    taken[leg.id === ids.reward ? "reward" : "charged"] = take;
    return take > 0
      ? settleStatement(db, {
          id: `${leg.id}:post`,
          pending: leg,
          action: "post",
          amount: take,
          kind: "hold_capture",
          description: args.description ?? "Reserved points used",
          meta: { holdId: args.holdId, userId: hold.userId },
          now: args.now,
        })
      : settleStatement(db, {
          id: `${leg.id}:void`,
          pending: leg,
          action: "void",
          kind: "hold_release",
          description: "Unused reserved points released",
          meta: { holdId: args.holdId, userId: hold.userId },
          now: args.now,
        });
  });
  if (redirect) {
    statements.push(
      ensureAccountStatement(db, to, args.now),
      db.insert(ledgerTransfers).values({
        id: ids.to,
        book: hold.regionId,
        debitAccountId: hold.creditAccountId,
        creditAccountId: to.id,
        amount: capture,
        phase: "single",
        pendingId: null,
        expiresAt: null,
        kind: "hold_capture",
        reference: hold.reference,
        description: args.description ?? "Reserved points used",
        meta: { holdId: args.holdId, userId: hold.userId },
        createdAt: args.now,
      }),
    );
  }
  try {
    await runBatch(db, statements);
  } catch (e) {
    const failure = classifyLedgerError(e);
    const now = await getHold(db, args.holdId);
    if (now && now.status !== "pending") return replyPosted(now, args.amount);
    if (failure === "expired") fail("PRECONDITION_FAILED", "This hold has expired; it will be released.");
    ledgerErrorToTrpc(e, failure);
  }
  return {
    ...hold,
    status: "posted",
    capturedAmount: capture,
    capturedFromReward: taken.reward,
    capturedFromCharged: taken.charged,
    settledAt: args.now,
    creditAccountId: redirect ? to.id : hold.creditAccountId,
  };
}

export async function voidHold(
  db: Db,
  args: { holdId: string; now: number; description?: string; expired?: boolean },
): Promise<Hold> {
  checkHoldId(args.holdId);
  const rows = await loadHold(db, args.holdId);
  if (!rows) fail("NOT_FOUND", `No hold ${args.holdId}.`);
  const hold = toHold(args.holdId, rows);
  if (hold.status === "posted") settledError(hold, "void");
  if (hold.status !== "pending") return hold;
  const open = rows.legs.filter((l) => !rows.settlements.some((s) => s.pendingId === l.id));
  const statements = voidLegStatements(db, hold, open, {
    kind: args.expired ? "hold_expire" : "hold_release",
    description: args.description ?? (args.expired ? "Reservation expired" : "Reservation released"),
    now: args.now,
  });
  try {
    await runBatch(db, statements);
  } catch (e) {
    const failure = classifyLedgerError(e);
    const now = await getHold(db, args.holdId);
    if (now?.status === "posted") settledError(now, "void");
    if (now && now.status !== "pending") return now;
    ledgerErrorToTrpc(e, failure);
  }
  return { ...hold, status: args.expired ? "expired" : "voided", settledAt: args.now };
}

/**
 * Voids pending transfers whose expiry has passed, up to `limit` per call (cron). Each void is an INSERT ... SELECT
 * that only fires while the transfer is still open and expired, so a post racing the sweep, or two sweeps, cannot
 * fail the batch or settle anything twice. Covers any expiring pending transfer, not only holds.
 */
export async function sweepExpiredHolds(db: Db, now: number, limit = SWEEP_BATCH): Promise<number> {
  const due = await db
    .select({ id: ledgerPending.transferId })
    .from(ledgerPending)
    .where(lte(ledgerPending.expiresAt, now))
    .limit(Math.min(limit, SWEEP_BATCH))
    .all();
  if (due.length === 0) return 0;
  const p = ledgerTransfers;
  const statements = due.map(({ id }) =>
    // keys in table column order (drizzle lists the insert columns in that order)
    db.insert(ledgerTransfers).select(
      db
        .select({
          seq: sql<number>`NULL`.as("seq"),
          id: sql<string>`${p.id} || ':void'`.as("id"),
          book: p.book,
          debitAccountId: p.debitAccountId,
          creditAccountId: p.creditAccountId,
          amount: p.amount,
          phase: sql<"void">`'void'`.as("phase"),
          pendingId: p.id,
          expiresAt: sql<null>`NULL`.as("expires_at"),
          kind: sql<string>`'hold_expire'`.as("kind"),
          reference: p.reference,
          description: sql<string>`'Reservation expired'`.as("description"),
          meta: p.meta,
          createdAt: sql<number>`${now}`.as("created_at"),
        })
        .from(p)
        .innerJoin(ledgerPending, eq(ledgerPending.transferId, p.id))
        .where(and(eq(p.id, id), lte(ledgerPending.expiresAt, now))),
    ),
  );
  await runBatch(db, statements);
  const left = await db
    .select({ n: sql<number>`count(*)` })
    .from(ledgerPending)
    .where(
      inArray(
        ledgerPending.transferId,
        due.map((d) => d.id),
      ),
    )
    .get();
  return due.length - (left?.n ?? 0);
}
