import type { ChatMessage } from "../../shared/chat";
import type { ServerFrame } from "../../shared/protocol";

/**
 * Fan-out of chat messages to a room's sockets, in staggered groups.
 *
 * A send costs tens of µs of the room's single thread whatever the frame's size or string kind (a message is
 * serialized once, a frame is put together once per group flush, never per socket): ≈ 30–35 µs inside ws.send, and as much again outside it, for a
 * socket that had nothing queued — the runtime starts a write pump for it, writes to the kernel, and later runs the
 * pump's completion in the isolate (bench:chat, BENCH_TRACE: 50–80 µs of thread CPU per frame at 1,000 sockets). So one
 * flush to 1,000 sockets takes 35–50 ms, blocks the object meanwhile, and the last socket in it waits the whole flush.
 * Batching bounds how many flushes run (each carries every message since the last), but with ONE flush per batch a
 * message that arrives just after a flush started waits for that flush, the next window and then up to a whole flush
 * again (≈ window + 2 flush durations, 90+ ms at 1,000 sockets, more when the object is busy).
 *
 * So sockets are split into FANOUT_GROUPS groups (a tag given at accept, into the smallest group) and the room sends to ONE group
 * per tick, each group getting every message since its own last flush. Every group is visited once per period P
 * (sized by the room, see periodMs), so a socket gets a frame at most every P ms — the same number of sends per second
 * as one flush per P — but a message waits at most P for its group's turn plus one group's flush (≈ 2.5 ms for 50
 * sockets), and incoming messages are handled between group flushes instead of queueing behind a whole one. A room
 * that has been quiet sends at once to everyone; a small room (P < 1 ms) always does. Ticks are spaced from when the
 * previous one was due, so the flushes' own time does not stretch P; when the thread cannot keep up, the rotation
 * runs back to back (P then is what the sends cost: the fan-out is work-conserving, never idle with work pending).
 * Frames per second are N × 1000 / P whatever the message rate, so P trades tail latency (a message waits ≤ P for
 * its group) against the room's CPU (≈ N × 50 µs per P, see PERIOD_MS_PER_SOCKET).
 *
 * Order per socket is kept: a group's frames carry its messages in order, and anything that must come after chat
 * (state changes, deletions, a newcomer's history) calls flushAll() first. A frame carries at most
 * CHAT_FRAME_MAX_BYTES of messages; a bigger batch goes out as several frames, in order.
 */
/**
 * 20 groups (50 sockets each at 1,000): a flush is ≈ 2.5 ms of the room's thread, the tick every P/20 (3.5 ms at 1,000
 * sockets). Each flush delays the messages that arrive during it (client→room) and the sockets late in its loop
 * (room→client) by up to its length. bench:chat on a quiet machine (other processes ≤ 2 % of it, session 9): with 10
 * groups (≈ 5 ms flushes) client→room p99 40.7 ms and room→client p99 11.4 ms; with 20, 23.9 and 5.5 ms, for the same
 * sends per second (N × 1000 / P) and one more timer per 3.5 ms. What is left of the tail is the wait for the group
 * plus the runtime's major GC pauses (≈ 45–55 ms every ≈ 2.3 s at 1,000 sockets, see PERIOD_MS_PER_SOCKET).
 */
export const FANOUT_GROUPS = 20;
/**
 * Fan-out period per socket in the room: 1,000 sockets → every group flushed every 70 ms, 14,300 frames/s. A
 * message waits up to P for its group, so p99 ≈ P + its way in and out + the collector's pauses: at 80 ms the quiet
 * p99 was 91–99.5 ms (session 7), with the wait's p99 78–83 ms of it. A frame costs ≈ 45–55 µs of the runtime's
 * thread (the process's CPU over the frames, messages' handling apart), so 70 ms is ≈ 65–80 % of it with the
 * messages' own handling, still below saturation; at 60 ms (sessions 5–6) the thread was runnable 98–100 % of the
 * window and the rotation fell behind (docs/RELIABILITY.md, session 8).
 *
 * Why the period cannot simply be shorter (session 9, perf and the isolate's heap during bench:chat): almost all of a
 * send's cost is the runtime's — ≈ 48 µs of the process per frame (its write pump and completion ≈ 35 %, the kernel's
 * loopback TCP ≈ 30 %, the JS call ≈ 22 %), and each send on an idle socket leaves promises and three cppgc-managed
 * wrappers that only a major GC reclaims: the old generation grows ≈ 12 MB/s at 14,300 frames/s (11 → 40 MB), and
 * every ≈ 2.3 s a major GC stops the thread for 43–54 ms, mostly sweeping and finalizing those (marking the 11 MB
 * live heap is a small part). A message waiting for a group flush that falls in such a pause waits that much longer,
 * and the rotation then catches up at the thread's spare 30 %. A shorter period means more sends, more garbage and a
 * fuller thread; sending pre-encoded bytes instead of strings changed neither the CPU per frame nor the garbage.
 */
export const PERIOD_MS_PER_SOCKET = 0.07;
export const PERIOD_MS_MAX = 70;
/** No flush for this long: the room is quiet and the next message goes out to everyone at once. */
export const QUIET_MS = 250;
/** Largest chat.messages frame the room sends (a batch is split above it; one message is ≤ ~6 KB). */
export const CHAT_FRAME_MAX_BYTES = 64 * 1024;

const FANOUT_TAG = "fanout:";
export const fanoutTag = (group: number) => `${FANOUT_TAG}${group}`;
export const isFanoutTag = (tag: string) => tag.startsWith(FANOUT_TAG);

const NON_ASCII = /[\u0080-\uffff]/g;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const escapeUnit = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * JSON text with every non-ASCII UTF-16 unit written as a \uXXXX escape: the same value for any JSON parser, in a
 * one-byte string. ws.send(string) converts the string to UTF-8 for every socket, and for a two-byte string (any
 * Korean name or text makes one) V8 encodes it unit by unit: 6–7 % of the room's thread in bench:chat (perf, session
 * 7), once per socket per frame; this runs once per frame. A Korean syllable takes 6 bytes on the wire instead of 3.
 */
export function asciiJson(json: string): string {
  // replace() keeps a two-byte subject's representation even when the result is ASCII; decoding bytes does not
  return utf8Decoder.decode(utf8Encoder.encode(json.replace(NON_ASCII, escapeUnit)));
}

/** JSON text of a T, as messageJson writes it: only such text may go where the protocol puts a T. */
export type JsonOf<T> = string & { readonly jsonOf: T };

/**
 * One message as ASCII JSON (asciiJson), the form it takes inside every frame. The fan-out serializes a message once,
 * when it is enqueued, not once per group flush: a message rides in one frame per group (FANOUT_GROUPS of them), and
 * serializing whole frames per flush allocated ~9 % of the room's sampled JS heap in bench:chat (session 8).
 */
export function messageJson(m: ChatMessage): JsonOf<ChatMessage> {
  return asciiJson(JSON.stringify(m)) as JsonOf<ChatMessage>;
}

type ChatMessagesFrame = Extract<ServerFrame, { type: "chat.messages" }>;

/**
 * The chat.messages frame around already serialized messages: the same text as JSON.stringify of the frame. The
 * frame's own fields are serialized from an object checked against the protocol (shared/protocol.ts), so a field
 * the protocol adds, renames or retypes fails to compile here; its messages array is left empty there and the
 * serialized messages go between its brackets (messages is the last key, so the text ends with `[]}`).
 */
function frameOf(parts: JsonOf<ChatMessage>[], at: number): string {
  const head = JSON.stringify({ type: "chat.messages", at, messages: [] } satisfies ChatMessagesFrame);
  return `${head.slice(0, -2)}${parts.join(",")}]}`;
}

/** A frame's bytes beyond its messages' own (keys, the time, brackets, commas). */
const FRAME_OVERHEAD_BYTES = 64;

/**
 * chat.messages frames for serialized messages (messageJson), in order, each at most CHAT_FRAME_MAX_BYTES (ASCII: a
 * character is a byte), stamped with the room's clock when they go out (`at`).
 */
export function framesOf(parts: JsonOf<ChatMessage>[], at: number): string[] {
  const frames: string[] = [];
  let start = 0;
  let bytes = FRAME_OVERHEAD_BYTES;
  for (let i = 0; i < parts.length; i++) {
    const b = parts[i].length + 1;
    if (i > start && bytes + b > CHAT_FRAME_MAX_BYTES) {
      frames.push(frameOf(parts.slice(start, i), at));
      start = i;
      bytes = FRAME_OVERHEAD_BYTES;
    }
    bytes += b;
  }
  frames.push(frameOf(parts.slice(start), at));
  return frames;
}

/** Serialized chat.messages frames for `messages` (see framesOf). */
export function chatFrames(messages: ChatMessage[], at: number): string[] {
  return framesOf(messages.map(messageJson), at);
}

/**
 * The sockets of each fan-out group, kept by the room instead of asked of the runtime per flush:
 * `ctx.getWebSockets(tag)` walks every socket of the object and wraps each match (≈ 6 % of the fan-out's CPU at
 * 1,000 sockets, one call per tick). Built once per instance (after a wake from hibernation, say) from the runtime's
 * list and its tags; sockets accepted before fan-out groups existed (no tag) ride with group 0. Then kept current by
 * accept() and removed(), which the room calls from its close and error handlers.
 */
export class FanoutGroups {
  private lists: WebSocket[][] | null = null;

  constructor(private readonly ctx: DurableObjectState) {}

  of(g: number): WebSocket[] {
    return this.all()[g];
  }

  /** Accepts a socket (hibernation API) into the smallest group, with `tags` and its group's tag. */
  accept(ws: WebSocket, tags: string[]): number {
    const lists = this.all();
    let g = 0;
    for (let i = 1; i < FANOUT_GROUPS; i++) if (lists[i].length < lists[g].length) g = i;
    this.ctx.acceptWebSocket(ws, [...tags, fanoutTag(g)]);
    lists[g].push(ws);
    return g;
  }

  removed(ws: WebSocket): void {
    for (const list of this.lists ?? []) {
      const i = list.indexOf(ws);
      if (i >= 0) {
        list.splice(i, 1);
        return;
      }
    }
  }

  private all(): WebSocket[][] {
    if (this.lists) return this.lists;
    const lists: WebSocket[][] = Array.from({ length: FANOUT_GROUPS }, () => []);
    for (const ws of this.ctx.getWebSockets()) {
      const tag = this.ctx.getTags(ws).find(isFanoutTag);
      const g = tag ? Number(tag.slice(FANOUT_TAG.length)) : 0;
      lists[Number.isInteger(g) && g >= 0 && g < FANOUT_GROUPS ? g : 0].push(ws);
    }
    this.lists = lists;
    return lists;
  }
}

export class ChatFanout {
  /** Messages not yet sent to every group, serialized (messageJson); buffer[0] has the logical index `start`. */
  private buffer: JsonOf<ChatMessage>[] = [];
  /** Their serialized length, for the full-frame check on enqueue. */
  private bufferBytes = 0;
  private start = 0;
  /** Per group: logical index of the first message it has not been sent. */
  private readonly cursor = new Array<number>(FANOUT_GROUPS).fill(0);
  /** Sockets per group at its last flush: sizes the period. */
  private readonly sizes = new Array<number>(FANOUT_GROUPS).fill(0);
  private nextGroup = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending tick is due: ticks are spaced from when they were due, not from when the last one ended. */
  private due = 0;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    /** The open sockets of one group. */
    private readonly group: (g: number) => WebSocket[],
  ) {}

  /** Sockets in the room as of the last flushes (what the period is sized by). */
  get roomSize(): number {
    return this.sizes.reduce((a, b) => a + b, 0);
  }

  periodMs(): number {
    return Math.min(PERIOD_MS_MAX, this.roomSize * PERIOD_MS_PER_SOCKET);
  }

  enqueue(message: ChatMessage, now: number): void {
    const json = messageJson(message);
    this.buffer.push(json);
    this.bufferBytes += json.length + 1;
    if (this.timer) {
      if (this.bufferBytes >= CHAT_FRAME_MAX_BYTES)
        this.flushAll(now); // a full frame gains nothing by waiting
      else if (now - this.due >= this.periodMs()) {
        // The pending tick is a whole period late (bench:chat saw the runtime hold a timer ~240 ms while messages
        // kept arriving): run it from this event instead of letting every group wait for the timer.
        clearTimeout(this.timer);
        this.tick();
      }
      return;
    }
    if (this.periodMs() < 1 || now - this.lastFlushAt >= QUIET_MS) this.flushAll(now);
    else this.schedule(now);
  }

  /** Sends everything pending to every group now (before a frame that must come after the chat). */
  flushAll(now: number): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const end = this.start + this.buffer.length;
    // groups that are at the same point share one serialization
    const frames = new Map<number, string[]>();
    for (let g = 0; g < FANOUT_GROUPS; g++) {
      const from = this.cursor[g];
      if (from >= end) continue;
      let f = frames.get(from);
      if (!f) {
        f = framesOf(this.buffer.slice(from - this.start), now);
        frames.set(from, f);
      }
      this.send(g, f, end, now);
    }
    this.trim();
  }

  private tick(): void {
    this.timer = null;
    const now = Date.now();
    const g = this.nextGroup;
    this.nextGroup = (g + 1) % FANOUT_GROUPS;
    const end = this.start + this.buffer.length;
    if (this.cursor[g] < end) this.send(g, framesOf(this.buffer.slice(this.cursor[g] - this.start), now), end, now);
    this.trim();
    if (this.buffer.length > 0) this.schedule(this.due);
  }

  /**
   * Arms the next tick one interval after `from`: when the previous tick was DUE (or now, when a rotation starts), so the
   * time a flush takes and a late timer do not stretch the rotation. A room that fell more than a period behind (its
   * thread saturated) restarts the spacing from now instead of bursting to catch up; until then ticks run back to back.
   */
  private schedule(from: number): void {
    const now = Date.now(); // after the flush: a timer counts from when it is set
    const interval = Math.max(1, this.periodMs() / FANOUT_GROUPS);
    this.due = from + interval < now - this.periodMs() ? now : from + interval;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.due - now));
  }

  private send(g: number, frames: string[], end: number, now: number): void {
    const sockets = this.group(g);
    for (const frame of frames) {
      for (const ws of sockets) {
        try {
          ws.send(frame);
        } catch {
          // a socket closing under us; its close handler cleans up
        }
      }
    }
    this.sizes[g] = sockets.length;
    this.cursor[g] = end;
    this.lastFlushAt = now;
  }

  /** Drops what every group has been sent. */
  private trim(): void {
    const done = Math.min(...this.cursor);
    if (done <= this.start) return;
    for (const json of this.buffer.slice(0, done - this.start)) this.bufferBytes -= json.length + 1;
    this.buffer = this.buffer.slice(done - this.start);
    this.start = done;
  }
}
