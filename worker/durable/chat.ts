import {
  CHAT_HISTORY_ON_CONNECT,
  CHAT_ROOM_RATE,
  CHAT_UNREAD_CAP,
  CHAT_USER_RATE,
  type ChatMessage,
  type ChatRateReason,
  type ChatSystemCode,
} from "../../shared/chat";

import { ChatFanout } from "./chatFanout";

/**
 * The chat of one group-buy room, kept in the room Durable Object's own SQLite and fanned out to the sockets the
 * object accepted with the hibernation API (in staggered groups, see chatFanout.ts). Everything that decides (rate
 * limits, insert, delete) is synchronous on local storage, so no other message can interleave; nothing here awaits.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS chat_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, user_id TEXT, display_name TEXT, text TEXT,
    code TEXT, params TEXT, created_at INTEGER NOT NULL, deleted_at INTEGER, deleted_by TEXT)`,
  "CREATE INDEX IF NOT EXISTS chat_messages_user ON chat_messages (user_id, seq)",
  "CREATE TABLE IF NOT EXISTS chat_reads (user_id TEXT PRIMARY KEY, up_to INTEGER NOT NULL, at INTEGER NOT NULL)",
  // display names of people who joined, for join/leave lines written later (e.g. by the alarm healing a join)
  "CREATE TABLE IF NOT EXISTS chat_names (user_id TEXT PRIMARY KEY, display_name TEXT NOT NULL)",
  // who has chatted here, for the recommender's weak "chat" signal (sent to D1 by the room's alarm, once per person)
  "CREATE TABLE IF NOT EXISTS chat_signals (user_id TEXT PRIMARY KEY, at INTEGER NOT NULL, sent INTEGER NOT NULL DEFAULT 0)",
  // the alarm's "who is not sent yet, oldest first" without a scan and sort of every chatter
  "CREATE INDEX IF NOT EXISTS chat_signals_unsent ON chat_signals (at) WHERE sent = 0",
];

type Row = {
  seq: number;
  kind: "user" | "system";
  user_id: string | null;
  display_name: string | null;
  text: string | null;
  code: string | null;
  params: string | null;
  created_at: number;
  deleted_at: number | null;
};

function toMessage(r: Row): ChatMessage {
  const deleted = r.deleted_at !== null;
  return {
    id: r.seq,
    kind: r.kind,
    userId: r.user_id,
    displayName: r.display_name,
    text: deleted ? null : r.text,
    code: (r.code as ChatSystemCode | null) ?? null,
    params: r.params ? JSON.parse(r.params) : null,
    at: r.created_at,
    deleted,
  };
}

/**
 * Why a message was not taken, for clients that word it (client/src/lib/refusals.ts): the sender's own pace
 * (CHAT_USER_RATE) or the whole room's (its room-wide cap). `seconds`: when the sender may try again.
 */
export type SendRefusalDetails = { reason: ChatRateReason; seconds: number };
export type SendRefusal = {
  ok: false;
  code: "TOO_MANY_REQUESTS";
  message: string;
  retryAfterMs: number;
  details: SendRefusalDetails;
};

export class RoomChat {
  private readonly sql: SqlStorage;
  private readonly fanout: ChatFanout;
  private recent: number[] | null = null;

  constructor(
    sql: SqlStorage,
    /** Sends one serialized frame to every socket (the room's own broadcast); returns how many sockets. */
    private readonly broadcastText: (text: string) => number,
    /** The sockets of one fan-out group (see chatFanout.ts); without it every group is empty (storage-only use). */
    group: (g: number) => WebSocket[] = () => [],
    /** Room-wide messages per CHAT_ROOM_RATE.windowMs: the product's cap unless a bench lifted it (chatRoomCap.ts). */
    readonly roomLimit: number = CHAT_ROOM_RATE.limit,
  ) {
    this.sql = sql;
    this.fanout = new ChatFanout(group);
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  /**
   * Stores and fans out a person's message, unless they (CHAT_USER_RATE) or the room (roomLimit per 10 s) are over
   * the limit.
   * The limits are read from the messages table itself (the room's once per instance, see roomRecent), so they hold
   * across hibernation and restarts. `firstHere`: the person's first message in this room (a recommender signal).
   */
  post(
    user: { userId: string; displayName: string },
    text: string,
    now: number,
  ): (ChatMessage & { firstHere: boolean }) | SendRefusal {
    const mine = this.nthNewest(CHAT_USER_RATE.limit, user.userId);
    if (mine !== null && mine > now - CHAT_USER_RATE.windowMs) {
      const why = `at most ${CHAT_USER_RATE.limit} messages per 10 s`;
      return this.refuse(mine + CHAT_USER_RATE.windowMs - now, { reason: "chat_too_fast" }, why);
    }
    const recent = this.roomRecent();
    const room = recent.length >= this.roomLimit ? recent[recent.length - this.roomLimit] : null;
    if (room !== null && room > now - CHAT_ROOM_RATE.windowMs) {
      return this.refuse(
        room + CHAT_ROOM_RATE.windowMs - now,
        { reason: "chat_room_busy" },
        "this room is very busy right now",
      );
    }
    const row = this.sql
      .exec<Row>(
        "INSERT INTO chat_messages (kind, user_id, display_name, text, created_at) VALUES ('user', ?, ?, ?, ?) RETURNING *",
        user.userId,
        user.displayName,
        text,
        now,
      )
      .one();
    recent.push(now);
    if (recent.length > 2 * this.roomLimit) recent.splice(0, recent.length - this.roomLimit);
    const firstHere =
      this.sql
        .exec(
          "INSERT INTO chat_signals (user_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1",
          user.userId,
          now,
        )
        .toArray().length > 0;
    const message = toMessage(row);
    this.enqueue(message, now);
    return { ...message, firstHere };
  }

  /**
   * created_at of the room's newest person messages, oldest first (at least the last roomLimit): the
   * room-wide limit. Read from storage once per instance (so it holds across hibernation and restarts), then kept
   * here as post() appends: the same answer as asking the table per message, without walking 1,000 rows each time.
   */
  private roomRecent(): number[] {
    if (this.recent) return this.recent;
    this.recent = this.sql
      .exec<{ created_at: number }>(
        "SELECT created_at FROM chat_messages WHERE kind = 'user' ORDER BY seq DESC LIMIT ?",
        this.roomLimit,
      )
      .toArray()
      .map((r) => r.created_at)
      .reverse();
    return this.recent;
  }

  /** People whose chatting the recommender has not heard about yet, oldest first. */
  unsentSignals(limit: number): { userId: string; at: number }[] {
    return this.sql
      .exec<{ user_id: string; at: number }>(
        "SELECT user_id, at FROM chat_signals WHERE sent = 0 ORDER BY at LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ userId: r.user_id, at: r.at }));
  }

  markSignalsSent(userIds: string[]): void {
    for (const id of userIds) this.sql.exec("UPDATE chat_signals SET sent = 1 WHERE user_id = ?", id);
  }

  /** A system line (someone joined, the buy filled, …). */
  system(code: ChatSystemCode, params: Record<string, string | number> | null, now: number): ChatMessage {
    const row = this.sql
      .exec<Row>(
        "INSERT INTO chat_messages (kind, code, params, created_at) VALUES ('system', ?, ?, ?) RETURNING *",
        code,
        params ? JSON.stringify(params) : null,
        now,
      )
      .one();
    const message = toMessage(row);
    this.enqueue(message, now);
    return message;
  }

  rememberName(userId: string, displayName: string): void {
    this.sql.exec(
      "INSERT INTO chat_names (user_id, display_name) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name",
      userId,
      displayName,
    );
  }

  nameOf(userId: string): string {
    return (
      this.sql
        .exec<{ display_name: string }>("SELECT display_name FROM chat_names WHERE user_id = ?", userId)
        .toArray()[0]?.display_name ?? ""
    );
  }

  /** Messages before `before` (exclusive), newest `limit` of them, returned oldest first. */
  history(before: number | null, limit: number): { messages: ChatMessage[]; hasMore: boolean } {
    const rows = this.sql
      .exec<Row>(
        "SELECT * FROM chat_messages WHERE seq < ? ORDER BY seq DESC LIMIT ?",
        before ?? Number.MAX_SAFE_INTEGER,
        limit + 1,
      )
      .toArray();
    return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore: rows.length > limit };
  }

  latest() {
    return this.history(null, CHAT_HISTORY_ON_CONNECT);
  }

  get(id: number): ChatMessage | null {
    const row = this.sql.exec<Row>("SELECT * FROM chat_messages WHERE seq = ?", id).toArray()[0];
    return row ? toMessage(row) : null;
  }

  /** Admin deletion: the text is dropped from what anyone is sent again; everyone connected is told. */
  delete(id: number, adminId: string, now: number): ChatMessage | null {
    const row = this.sql
      .exec<Row>(
        "UPDATE chat_messages SET deleted_at = ?, deleted_by = ?, text = NULL WHERE seq = ? AND kind = 'user' AND deleted_at IS NULL RETURNING *",
        now,
        adminId,
        id,
      )
      .toArray()[0];
    if (!row) return null;
    this.flush(); // keep order: anything pending goes out before the deletion notice
    this.broadcastText(JSON.stringify({ type: "chat.deleted", id }));
    return toMessage(row);
  }

  /** Read markers only move forward. */
  markRead(userId: string, upTo: number, now: number): number {
    const capped = Math.min(upTo, this.lastId());
    return this.sql
      .exec<{ up_to: number }>(
        `INSERT INTO chat_reads (user_id, up_to, at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET up_to = max(up_to, excluded.up_to), at = excluded.at RETURNING up_to`,
        userId,
        capped,
        now,
      )
      .one().up_to;
  }

  readUpTo(userId: string): number {
    return (
      this.sql.exec<{ up_to: number }>("SELECT up_to FROM chat_reads WHERE user_id = ?", userId).toArray()[0]?.up_to ??
      0
    );
  }

  /** Other people's messages after the person's read marker (deleted ones and system lines don't count), ≤ cap. */
  unread(userId: string): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT count(*) AS n FROM (SELECT 1 FROM chat_messages WHERE seq > ? AND kind = 'user'
           AND deleted_at IS NULL AND user_id != ? LIMIT ?)`,
        this.readUpTo(userId),
        userId,
        CHAT_UNREAD_CAP,
      )
      .one().n;
  }

  /** Sends whatever is pending now (the room calls this before it sends a frame that must come after). */
  flush(): void {
    this.fanout.flushAll(Date.now());
  }

  private enqueue(message: ChatMessage, now: number): void {
    this.fanout.enqueue(message, now);
  }

  private lastId(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM chat_messages").one().seq ?? 0;
  }

  /** created_at of the n-th newest message of `userId`, or null if there are fewer. */
  private nthNewest(n: number, userId: string): number | null {
    const rows = this.sql.exec<{ created_at: number }>(
      "SELECT created_at FROM chat_messages WHERE user_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?",
      userId,
      n - 1,
    );
    return rows.toArray()[0]?.created_at ?? null;
  }

  private refuse(retryAfterMs: number, { reason }: Pick<SendRefusalDetails, "reason">, why: string): SendRefusal {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return {
      ok: false,
      code: "TOO_MANY_REQUESTS",
      message: `Slow down: ${why}. Try again in ${seconds} s.`,
      retryAfterMs,
      details: { reason, seconds },
    };
  }
}
