import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";

/**
 * The group-buy room's own SQLite storage. Every method here is synchronous: a check and the write that depends on it
 * happen in one call with no await in between, so no other request can interleave (the DO's input gate only opens
 * on awaits of things other than its own storage, and synchronous code never yields at all).
 *
 * Reservation states:
 *   reserved  — shares counted; the ledger hold may or may not exist yet (a join is between its steps)
 *   confirmed — shares counted; the hold exists (pending, later posted/voided/refunded by settlement jobs)
 *   voiding   — shares NOT counted; a hold exists and must be voided (leave, or a late confirm after the buy closed);
 *               becomes `then_state` once the void succeeds
 *   released  — shares NOT counted; no hold (the hold failed or never landed); `error` is replayed to retries
 *   left      — the buyer left while OPEN; hold voided
 * `check_at` is when the alarm must look at the row again (voiding rows; released rows get one late re-check).
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (
    k INTEGER PRIMARY KEY CHECK (k = 1),
    group_buy_id TEXT NOT NULL, region_id TEXT NOT NULL, seller_id TEXT NOT NULL, host_id TEXT NOT NULL,
    title TEXT NOT NULL, total_shares INTEGER NOT NULL, min_shares INTEGER NOT NULL, max_per_person INTEGER NOT NULL,
    price_per_share INTEGER NOT NULL, deadline INTEGER NOT NULL,
    status TEXT NOT NULL, status_reason TEXT,
    seq INTEGER NOT NULL DEFAULT 1, mirrored_seq INTEGER NOT NULL DEFAULT 0,
    settle_gen INTEGER NOT NULL DEFAULT 0, complete_sent INTEGER NOT NULL DEFAULT 0,
    flush_due INTEGER, opened_at INTEGER NOT NULL DEFAULT 0, plus_early_access INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS reservations (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, idem_key TEXT NOT NULL,
    shares INTEGER NOT NULL, amount INTEGER NOT NULL, state TEXT NOT NULL, then_state TEXT, error TEXT,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, check_at INTEGER,
    rev INTEGER NOT NULL DEFAULT 1, mirrored_rev INTEGER NOT NULL DEFAULT 0, settle_gen INTEGER NOT NULL DEFAULT 0,
    paid INTEGER, UNIQUE (user_id, idem_key))`,
  "CREATE INDEX IF NOT EXISTS reservations_state ON reservations (state, expires_at)",
  "CREATE INDEX IF NOT EXISTS reservations_user ON reservations (user_id, state)",
  "CREATE INDEX IF NOT EXISTS reservations_check ON reservations (check_at) WHERE check_at IS NOT NULL",
  // the mirror's "what changed since the last flush" (unmirroredReservations) without scanning every reservation
  "CREATE INDEX IF NOT EXISTS reservations_unmirrored ON reservations (created_at) WHERE rev > mirrored_rev",
  `CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, from_status TEXT NOT NULL, to_status TEXT NOT NULL, actor_id TEXT, reason TEXT,
    at INTEGER NOT NULL, mirrored INTEGER NOT NULL DEFAULT 0)`,
  // A step of the alarm (or one row's void / re-check) that failed and is backing off (roomRetries.ts); deleted once
  // it succeeds. `flagged`: the failure was marked for operators (a dead_letters row), to be resolved on success.
  `CREATE TABLE IF NOT EXISTS step_failures (
    step TEXT PRIMARY KEY, failures INTEGER NOT NULL, kind TEXT NOT NULL, first_at INTEGER NOT NULL,
    retry_at INTEGER NOT NULL, error TEXT NOT NULL, flagged INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS leave_requests (
    user_id TEXT NOT NULL, idem_key TEXT NOT NULL, result TEXT NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (user_id, idem_key))`,
];

/** Columns added after a room's storage was first created (CREATE TABLE IF NOT EXISTS does not add them). */
const ADDED_COLUMNS: [table: string, column: string, declaration: string][] = [
  ["meta", "opened_at", "INTEGER NOT NULL DEFAULT 0"],
  ["meta", "plus_early_access", "INTEGER NOT NULL DEFAULT 0"],
  ["reservations", "paid", "INTEGER"],
  ["meta", "hold_groups", "INTEGER NOT NULL DEFAULT 0"],
  ["meta", "hold_count", "INTEGER NOT NULL DEFAULT 0"],
];

/** A reservation's identity across retries: who joined, with which idempotency key (the closed-buy hint's exemptions). */
export const reservationKey = (userId: string, idempotencyKey: string) => `${userId}\n${idempotencyKey}`;

export type ReservationState = "reserved" | "confirmed" | "voiding" | "released" | "left";

export interface RoomMeta {
  groupBuyId: string;
  regionId: string;
  sellerId: string;
  hostId: string;
  title: string;
  totalShares: number;
  minShares: number;
  maxPerPerson: number;
  pricePerShare: number;
  deadline: number;
  status: GroupBuyStatus;
  statusReason: string | null;
  seq: number;
  mirroredSeq: number;
  settleGen: number;
  completeSent: number;
  flushDue: number | null;
  openedAt: number;
  plusEarlyAccess: boolean;
}

export type RoomInit = Pick<
  RoomMeta,
  | "groupBuyId"
  | "regionId"
  | "sellerId"
  | "hostId"
  | "title"
  | "totalShares"
  | "minShares"
  | "maxPerPerson"
  | "pricePerShare"
  | "deadline"
  | "status"
  | "statusReason"
  | "openedAt"
  | "plusEarlyAccess"
>;

export interface Reservation {
  id: string;
  userId: string;
  idemKey: string;
  shares: number;
  amount: number;
  state: ReservationState;
  thenState: ReservationState | null;
  error: string | null;
  createdAt: number;
  expiresAt: number;
  checkAt: number | null;
  rev: number;
  mirroredRev: number;
  settleGen: number;
  /** What the ledger hold took from the buyer (amount minus their membership discount); null until the hold exists. */
  paid: number | null;
}

/** One failing step (roomRetries.ts): how often in a row, since when, and when it runs again. */
export interface StepFailure {
  step: string;
  failures: number;
  kind: "permanent" | "transient";
  firstAt: number;
  retryAt: number;
  error: string;
  flagged: boolean;
}

export interface RoomEvent {
  seq: number;
  fromStatus: GroupBuyStatus;
  toStatus: GroupBuyStatus;
  actorId: string | null;
  reason: string | null;
  at: number;
}

type Row = Record<string, SqlStorageValue>;

/** Rows D1 knows about: holds that were confirmed (and may have been left since). */
const MIRRORED_STATES = "(state IN ('confirmed','left') OR (state = 'voiding' AND then_state = 'left'))";

/**
 * The mirror's scan: rows changed since the last flush, oldest first. INDEXED BY, because without table statistics
 * SQLite's planner prefers two lookups of the state index (the OR) to the partial index, and so read every confirmed
 * row and sorted them on every flush: O(shares) per flush, O(shares²) over a fill (0.17 ms per join of a 1,000-share
 * fill in bench:join's profile). The partial index holds only the changed rows, already in order.
 */
export const UNMIRRORED_SQL = `SELECT * FROM reservations INDEXED BY reservations_unmirrored
  WHERE rev > mirrored_rev AND ${MIRRORED_STATES} ORDER BY created_at LIMIT ?`;

function toMeta(r: Row): RoomMeta {
  return {
    groupBuyId: r.group_buy_id as string,
    regionId: r.region_id as string,
    sellerId: r.seller_id as string,
    hostId: r.host_id as string,
    title: r.title as string,
    totalShares: r.total_shares as number,
    minShares: r.min_shares as number,
    maxPerPerson: r.max_per_person as number,
    pricePerShare: r.price_per_share as number,
    deadline: r.deadline as number,
    status: r.status as GroupBuyStatus,
    statusReason: r.status_reason as string | null,
    seq: r.seq as number,
    mirroredSeq: r.mirrored_seq as number,
    settleGen: r.settle_gen as number,
    completeSent: r.complete_sent as number,
    flushDue: r.flush_due as number | null,
    openedAt: r.opened_at as number,
    plusEarlyAccess: r.plus_early_access === 1,
  };
}

function toReservation(r: Row): Reservation {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    idemKey: r.idem_key as string,
    shares: r.shares as number,
    amount: r.amount as number,
    state: r.state as ReservationState,
    thenState: r.then_state as ReservationState | null,
    error: r.error as string | null,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    checkAt: r.check_at as number | null,
    rev: r.rev as number,
    mirroredRev: r.mirrored_rev as number,
    settleGen: r.settle_gen as number,
    paid: r.paid as number | null,
  };
}

export type RoomCounts = { taken: number; confirmed: number; participants: number };

const COUNTED = (s: ReservationState) => s === "reserved" || s === "confirmed";

/**
 * Every read goes to this object's own SQLite, but two are kept in memory because a join asks for them several
 * times: `meta` (dropped by every write to the meta row, all of which are methods here) and `counts`, which is a sum
 * over every reservation (O(shares) per call, several calls per join: a 1,000-share buy spent more CPU summing than
 * joining). counts is computed once and then moved by the only two writes that change what it sums:
 * insertReservation and move. Nothing else writes these tables, and an instance that fails a storage write is
 * thrown away with its memory, so the cache cannot outlive the rows it was computed from.
 */
export class RoomStore {
  private metaCache: RoomMeta | null = null;
  private countsCache: RoomCounts | null = null;

  constructor(private readonly sql: SqlStorage) {
    for (const statement of SCHEMA) sql.exec(statement);
    for (const [table, column, declaration] of ADDED_COLUMNS) {
      const has = sql.exec(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`, column).toArray().length > 0;
      if (!has) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${declaration}`);
    }
  }

  meta(): RoomMeta | null {
    if (!this.metaCache) {
      const rows = this.sql.exec("SELECT * FROM meta WHERE k = 1").toArray();
      if (!rows.length) return null;
      this.metaCache = toMeta(rows[0]);
    }
    return { ...this.metaCache };
  }

  /** A write that bypassed this class (tests standing in for time passing): read everything from storage again. */
  forget(): void {
    this.metaCache = null;
    this.countsCache = null;
  }

  /** Every write to the meta row goes through here, so the cached row is dropped with it. */
  private writeMeta(query: string, ...bindings: SqlStorageValue[]): void {
    this.metaCache = null;
    this.sql.exec(query, ...bindings);
  }

  /** First writer wins; later calls (retries, lazy init) change nothing. */
  init(m: RoomInit): void {
    this.writeMeta(
      `INSERT OR IGNORE INTO meta (k, group_buy_id, region_id, seller_id, host_id, title, total_shares, min_shares,
        max_per_person, price_per_share, deadline, status, status_reason, opened_at, plus_early_access)
        VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.groupBuyId,
      m.regionId,
      m.sellerId,
      m.hostId,
      m.title,
      m.totalShares,
      m.minShares,
      m.maxPerPerson,
      m.pricePerShare,
      m.deadline,
      m.status,
      m.statusReason,
      m.openedAt,
      m.plusEarlyAccess ? 1 : 0,
    );
  }

  counts(): RoomCounts {
    this.countsCache ??= this.countAll();
    return { ...this.countsCache };
  }

  /** The sum `counts` keeps (tests compare the two). */
  countAll(): RoomCounts {
    const r = this.sql
      .exec(
        `SELECT COALESCE(SUM(CASE WHEN state IN ('reserved','confirmed') THEN shares END), 0) AS taken,
          COALESCE(SUM(CASE WHEN state = 'confirmed' THEN shares END), 0) AS confirmed,
          COUNT(DISTINCT CASE WHEN state = 'confirmed' THEN user_id END) AS participants
        FROM reservations WHERE state IN ('reserved','confirmed')`,
      )
      .one();
    return { taken: r.taken as number, confirmed: r.confirmed as number, participants: r.participants as number };
  }

  /** Shares this user holds or is about to hold (reserved + confirmed). */
  userShares(userId: string, states: ReservationState[] = ["reserved", "confirmed"]): number {
    const marks = states.map(() => "?").join(",");
    const r = this.sql
      .exec(
        `SELECT COALESCE(SUM(shares), 0) AS s FROM reservations WHERE user_id = ? AND state IN (${marks})`,
        userId,
        ...states,
      )
      .one();
    return r.s as number;
  }

  byKey(userId: string, idemKey: string): Reservation | null {
    const rows = this.sql
      .exec("SELECT * FROM reservations WHERE user_id = ? AND idem_key = ?", userId, idemKey)
      .toArray();
    return rows.length ? toReservation(rows[0]) : null;
  }

  get(id: string): Reservation | null {
    const rows = this.sql.exec("SELECT * FROM reservations WHERE id = ?", id).toArray();
    return rows.length ? toReservation(rows[0]) : null;
  }

  list(where: string, ...bindings: SqlStorageValue[]): Reservation[] {
    return this.sql
      .exec(`SELECT * FROM reservations WHERE ${where}`, ...bindings)
      .toArray()
      .map(toReservation);
  }

  /** Inserts a `reserved` row and returns it as stored (one statement: the insert returns the row). */
  insertReservation(
    r: Pick<Reservation, "id" | "userId" | "idemKey" | "shares" | "amount" | "createdAt" | "expiresAt">,
  ): Reservation {
    const counts = this.countsCache;
    this.countsCache = null;
    const row = this.sql
      .exec(
        `INSERT INTO reservations (id, user_id, idem_key, shares, amount, state, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, 'reserved', ?, ?) RETURNING *`,
        r.id,
        r.userId,
        r.idemKey,
        r.shares,
        r.amount,
        r.createdAt,
        r.expiresAt,
      )
      .one();
    if (counts) this.countsCache = { ...counts, taken: counts.taken + r.shares }; // a new row is `reserved`
    return toReservation(row);
  }

  /**
   * Moves a reservation only if it is still in `from` (returns the row as moved, or null); bumps rev for the D1
   * mirror. `paid`: what the ledger hold took, written with the move that confirms it (one statement, not two).
   */
  move(
    id: string,
    from: ReservationState,
    to: ReservationState,
    extra: {
      thenState?: ReservationState | null;
      error?: string | null;
      checkAt?: number | null;
      paid?: number | null;
    } = {},
  ): Reservation | null {
    const counts = this.countsCache;
    this.countsCache = null;
    const row = this.sql
      .exec(
        `UPDATE reservations SET state = ?, then_state = ?, error = COALESCE(?, error), check_at = ?,
          paid = COALESCE(?, paid), rev = rev + 1
        WHERE id = ? AND state = ? RETURNING *`,
        to,
        extra.thenState ?? null,
        extra.error ?? null,
        extra.checkAt ?? null,
        extra.paid ?? null,
        id,
        from,
      )
      .toArray()[0];
    if (!row) {
      this.countsCache = counts;
      return null;
    }
    const moved = toReservation(row);
    if (counts) this.countsCache = this.countsAfterMove(counts, from, to, moved.userId, moved.shares);
    return moved;
  }

  /** counts after one row of `userId` with `shares` went from → to (the row is already written). */
  private countsAfterMove(
    c: RoomCounts,
    from: ReservationState,
    to: ReservationState,
    userId: string,
    shares: number,
  ): RoomCounts {
    const taken = c.taken + (COUNTED(to) ? shares : 0) - (COUNTED(from) ? shares : 0);
    if ((from === "confirmed") === (to === "confirmed")) return { ...c, taken };
    const confirmed = c.confirmed + (to === "confirmed" ? shares : -shares);
    // participants: the user's first confirmed row makes one, their last one leaving unmakes one (indexed lookup)
    const left = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM reservations WHERE user_id = ? AND state = 'confirmed'", userId)
      .one().n;
    const participants = c.participants + (to === "confirmed" ? (left === 1 ? 1 : 0) : left === 0 ? -1 : 0);
    return { taken, confirmed, participants };
  }

  setCheckAt(id: string, checkAt: number | null): void {
    this.sql.exec("UPDATE reservations SET check_at = ? WHERE id = ?", checkAt, id);
  }

  /** Bumps the mirror sequence: the D1 row (status, fill) is stale until the next flush. */
  touch(): void {
    this.writeMeta("UPDATE meta SET seq = seq + 1 WHERE k = 1");
  }

  setStatus(from: GroupBuyStatus, to: GroupBuyStatus, actorId: string | null, reason: string | null, at: number) {
    const moneyMoves = to === "FILLED" || to === "TIPPED" || to === "FAILED" || to === "CANCELLED";
    this.writeMeta(
      `UPDATE meta SET status = ?, status_reason = ?, seq = seq + 1, settle_gen = settle_gen + ? WHERE k = 1`,
      to,
      reason,
      moneyMoves ? 1 : 0,
    );
    const seq = this.meta()!.seq;
    this.sql.exec(
      "INSERT INTO events (seq, from_status, to_status, actor_id, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
      seq,
      from,
      to,
      actorId,
      reason,
      at,
    );
  }

  unmirroredEvents(): RoomEvent[] {
    return this.sql
      .exec("SELECT * FROM events WHERE mirrored = 0 ORDER BY seq")
      .toArray()
      .map((r) => ({
        seq: r.seq as number,
        fromStatus: r.from_status as GroupBuyStatus,
        toStatus: r.to_status as GroupBuyStatus,
        actorId: r.actor_id as string | null,
        reason: r.reason as string | null,
        at: r.at as number,
      }));
  }

  /** Rows whose D1 mirror is behind: confirmed or left ones (reserved/released never reach D1). */
  unmirroredReservations(limit: number): Reservation[] {
    return this.sql.exec(UNMIRRORED_SQL, limit).toArray().map(toReservation);
  }

  /** Per-user totals of confirmed shares, for the D1 members mirror. */
  memberTotals(userIds: string[]): Map<string, { shares: number; amount: number; paid: number; joinedAt: number }> {
    const totals = new Map<string, { shares: number; amount: number; paid: number; joinedAt: number }>();
    if (userIds.length === 0) return totals;
    const marks = userIds.map(() => "?").join(",");
    for (const r of this.sql
      .exec(
        `SELECT user_id, SUM(CASE WHEN state = 'confirmed' THEN shares ELSE 0 END) AS shares,
          SUM(CASE WHEN state = 'confirmed' THEN amount ELSE 0 END) AS amount,
          SUM(CASE WHEN state = 'confirmed' THEN COALESCE(paid, amount) ELSE 0 END) AS paid, MIN(created_at) AS joined_at
        FROM reservations WHERE user_id IN (${marks}) AND ${MIRRORED_STATES} GROUP BY user_id`,
        ...userIds,
      )
      .toArray()) {
      totals.set(r.user_id as string, {
        shares: r.shares as number,
        amount: r.amount as number,
        paid: r.paid as number,
        joinedAt: r.joined_at as number,
      });
    }
    return totals;
  }

  /** After a mirror batch: the revs it carried (one statement for all its rows), its events, its sequence. */
  markMirrored(rows: { id: string; rev: number }[], eventSeqs: number[], seq: number): void {
    if (rows.length > 0) {
      this.sql.exec(
        `UPDATE reservations SET mirrored_rev = m.rev
        FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS rev FROM json_each(?)) AS m
        WHERE reservations.id = m.id`,
        JSON.stringify(rows.map((r) => [r.id, r.rev])),
      );
    }
    for (const s of eventSeqs) this.sql.exec("UPDATE events SET mirrored = 1 WHERE seq = ?", s);
    this.writeMeta("UPDATE meta SET mirrored_seq = MAX(mirrored_seq, ?) WHERE k = 1", seq);
  }

  /** Confirmed holds that have not yet been sent a settlement message in the current generation. */
  unsettled(gen: number, limit: number): Reservation[] {
    return this.list("state = 'confirmed' AND settle_gen < ? ORDER BY created_at LIMIT ?", gen, limit);
  }

  markSettleSent(ids: string[], gen: number): void {
    for (const id of ids) this.sql.exec("UPDATE reservations SET settle_gen = ? WHERE id = ?", gen, id);
  }

  markCompleteSent(): void {
    this.writeMeta("UPDATE meta SET complete_sent = 1 WHERE k = 1");
  }

  setFlushDue(at: number | null): void {
    this.writeMeta("UPDATE meta SET flush_due = ? WHERE k = 1", at);
  }

  stepFailure(step: string): StepFailure | null {
    const r = this.sql.exec("SELECT * FROM step_failures WHERE step = ?", step).toArray()[0];
    if (!r) return null;
    return {
      step: r.step as string,
      failures: r.failures as number,
      kind: r.kind as StepFailure["kind"],
      firstAt: r.first_at as number,
      retryAt: r.retry_at as number,
      error: r.error as string,
      flagged: r.flagged === 1,
    };
  }

  setStepFailure(f: StepFailure): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO step_failures (step, failures, kind, first_at, retry_at, error, flagged)
        VALUES (?, ?, ?, ?, ?, ?, ?)`,
      f.step,
      f.failures,
      f.kind,
      f.firstAt,
      f.retryAt,
      f.error,
      f.flagged ? 1 : 0,
    );
  }

  clearStepFailure(step: string): void {
    this.sql.exec("DELETE FROM step_failures WHERE step = ?", step);
  }

  /** The earliest moment the alarm has work: deadline, reservation expiry, a re-check, a failed flush or step. */
  nextWakeUp(): number | null {
    const m = this.meta();
    if (!m) return null;
    const r = this.sql
      .exec(
        `SELECT MIN(t) AS t FROM (
          SELECT MIN(expires_at) AS t FROM reservations WHERE state = 'reserved'
          UNION ALL SELECT MIN(check_at) FROM reservations WHERE check_at IS NOT NULL
          UNION ALL SELECT MIN(retry_at) FROM step_failures)`,
      )
      .one();
    const candidates = [r.t as number | null, m.flushDue, m.status === "OPEN" ? m.deadline : null].filter(
      (t): t is number => t !== null,
    );
    return candidates.length ? Math.min(...candidates) : null;
  }

  leaveResult(userId: string, idemKey: string): string | null {
    const rows = this.sql
      .exec("SELECT result FROM leave_requests WHERE user_id = ? AND idem_key = ?", userId, idemKey)
      .toArray();
    return rows.length ? (rows[0].result as string) : null;
  }

  saveLeaveResult(userId: string, idemKey: string, result: string, at: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO leave_requests (user_id, idem_key, result, at) VALUES (?, ?, ?, ?)",
      userId,
      idemKey,
      result,
      at,
    );
  }

  /** Counts one group commit of `holds` ledger holds (diagnostics, bench:join); kept in storage so they survive a restart. */
  countHoldGroup(holds: number): void {
    this.writeMeta("UPDATE meta SET hold_groups = hold_groups + 1, hold_count = hold_count + ? WHERE k = 1", holds);
  }

  holdGroupCounts(): { groups: number; holds: number } {
    const rows = this.sql.exec("SELECT hold_groups, hold_count FROM meta WHERE k = 1").toArray();
    return rows.length
      ? { groups: rows[0].hold_groups as number, holds: rows[0].hold_count as number }
      : { groups: 0, holds: 0 };
  }

  /** Whether this user has any reservation row (their join may replay, or meet max-per-person). */
  hasReservation(userId: string): boolean {
    return this.sql.exec("SELECT 1 FROM reservations WHERE user_id = ? LIMIT 1", userId).toArray().length > 0;
  }

  /** Every reservation's reservationKey in any state (a retry with that key replays its outcome). */
  reservationKeys(): string[] {
    return this.sql
      .exec("SELECT user_id, idem_key FROM reservations")
      .toArray()
      .map((r) => reservationKey(r.user_id as string, r.idem_key as string));
  }

  /** Test/diagnostic view: all reservations. */
  all(): Reservation[] {
    return this.list("1 = 1 ORDER BY created_at");
  }
}
