import {
  CHAT_HISTORY_ON_CONNECT,
  CHAT_ROOM_RATE,
  CHAT_UNREAD_CAP,
  CHAT_USER_RATE,
  type ChatMessage,
  type ChatSystemCode,
} from "../../shared/chat";

/**
 * The chat of one group-buy room, kept in the room Durable Object's own SQLite and fanned out to the sockets the
 * object accepted with the hibernation API. Everything that decides (rate limits, insert, delete) is synchronous on
 * local storage, so no other message can interleave; nothing here awaits.
 *
 * Fan-out batching. A flush costs one send per socket (tens of µs each in workerd: 30–60 ms of CPU for 1,000
 * sockets) and blocks the object while it runs, so in a big room sends are the room's main cost. A message goes out
 * at once when the room has been quiet (no flush for QUIET_MS); otherwise it opens a window and everything that
 * arrives until the window closes goes out as ONE frame per socket. The window grows with the room (0.02 ms per
 * socket, at most 20 ms: a 10-person room sends every message at once, a 1,000-person room batches 20 ms), so a busy
 * room flushes at most once per (window + flush duration) however many messages arrive. "Quiet" is deliberately long
 * and not "one window since the last flush": inside an event the clock stands still, so the time a flush takes looks
 * like silence to the next message, and a room receiving a message every flush-duration flushed back to back, one
 * message per flush, saturating the object while incoming messages queued (bench:chat measured 340 ms p50 so).
 * A frame carries at most CHAT_FRAME_MAX_BYTES of messages; a bigger batch goes out as several frames, in order.
 */
export const FLUSH_MS_PER_SOCKET = 0.02;
export const FLUSH_MS_MAX = 20;
/** No flush for this long: the room is quiet and the next message goes out at once. */
export const QUIET_MS = 250;
/** Largest chat.messages frame the room sends (a batch is split above it; one message is ≤ ~6 KB). */
export const CHAT_FRAME_MAX_BYTES = 64 * 1024;

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

/** An upper bound of a message's bytes in a frame: keys and numbers fit in 200; a UTF-16 unit is ≤ 6 bytes of JSON. */
function messageBytes(m: ChatMessage): number {
  const strings = (m.text?.length ?? 0) + (m.displayName?.length ?? 0) + (m.userId?.length ?? 0);
  return 200 + 6 * (strings + (m.params ? JSON.stringify(m.params).length : 0));
}

/** Serialized chat.messages frames for `messages`, in order, each at most CHAT_FRAME_MAX_BYTES (by the estimate). */
export function chatFrames(messages: ChatMessage[]): string[] {
  const frames: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const b = messageBytes(messages[i]);
    if (i > start && bytes + b > CHAT_FRAME_MAX_BYTES) {
      frames.push(JSON.stringify({ type: "chat.messages", messages: messages.slice(start, i) }));
      start = i;
      bytes = 0;
    }
    bytes += b;
  }
  frames.push(JSON.stringify({ type: "chat.messages", messages: messages.slice(start) }));
  return frames;
}

export type SendRefusal = { ok: false; code: "TOO_MANY_REQUESTS"; message: string; retryAfterMs: number };

export class RoomChat {
  private readonly sql: SqlStorage;
  private pending: ChatMessage[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pendingBytes = 0;
  private lastFlushAt = 0;
  /** Sockets reached by the last flush: sizes the next window. */
  private lastFanout = 0;

  constructor(
    sql: SqlStorage,
    /** Sends one serialized frame to every socket (the room's own broadcast); returns how many sockets. */
    private readonly broadcastText: (text: string) => number,
  ) {
    this.sql = sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  /**
   * Stores and fans out a person's message, unless they (5 per 10 s) or the room (300 per 10 s) are over the limit.
   * The limits are read from the messages table itself, so they hold across hibernation and restarts.
   */
  post(user: { userId: string; displayName: string }, text: string, now: number): ChatMessage | SendRefusal {
    const mine = this.nthNewest(CHAT_USER_RATE.limit, user.userId);
    if (mine !== null && mine > now - CHAT_USER_RATE.windowMs) {
      return this.refuse(mine + CHAT_USER_RATE.windowMs - now, `at most ${CHAT_USER_RATE.limit} messages per 10 s`);
    }
    const room = this.nthNewest(CHAT_ROOM_RATE.limit, null);
    if (room !== null && room > now - CHAT_ROOM_RATE.windowMs) {
      return this.refuse(room + CHAT_ROOM_RATE.windowMs - now, "this room is very busy right now");
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
    this.sql.exec("INSERT INTO chat_signals (user_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING", user.userId, now);
    const message = toMessage(row);
    this.enqueue(message, now);
    return message;
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
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlushAt = Date.now();
    for (const frame of chatFrames(messages)) this.lastFanout = this.broadcastText(frame);
  }

  private enqueue(message: ChatMessage, now: number): void {
    this.pending.push(message);
    this.pendingBytes += messageBytes(message);
    if (this.pendingBytes >= CHAT_FRAME_MAX_BYTES) {
      this.flush(); // a full frame gains nothing by waiting
      return;
    }
    if (this.timer) return;
    const window = Math.min(FLUSH_MS_MAX, this.lastFanout * FLUSH_MS_PER_SOCKET);
    if (window < 1 || now - this.lastFlushAt >= QUIET_MS) this.flush();
    else this.timer = setTimeout(() => this.flush(), window);
  }

  private lastId(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM chat_messages").one().seq ?? 0;
  }

  /** created_at of the n-th newest person message (of `userId`, or of anyone), or null if there are fewer. */
  private nthNewest(n: number, userId: string | null): number | null {
    const rows = userId
      ? this.sql.exec<{ created_at: number }>(
          "SELECT created_at FROM chat_messages WHERE user_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?",
          userId,
          n - 1,
        )
      : this.sql.exec<{ created_at: number }>(
          "SELECT created_at FROM chat_messages WHERE kind = 'user' ORDER BY seq DESC LIMIT 1 OFFSET ?",
          n - 1,
        );
    return rows.toArray()[0]?.created_at ?? null;
  }

  private refuse(retryAfterMs: number, why: string): SendRefusal {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return {
      ok: false,
      code: "TOO_MANY_REQUESTS",
      message: `Slow down: ${why}. Try again in ${seconds} s.`,
      retryAfterMs,
    };
  }
}
