import { CHAT_TYPING } from "../../shared/chat";
import type { ServerFrame } from "../../shared/protocol";

type Typer = { userId: string; displayName: string };

/**
 * The room's typing indicator. Nothing is stored: the state lives in the object's memory and is simply gone after
 * hibernation (a stale "typing" is worse than a missing one). Rate limited twice: a person is announced at most once
 * per CHAT_TYPING.userIntervalMs however often their client says so, and the room sends at most one chat.typing frame
 * per CHAT_TYPING.roomIntervalMs (the first after a quiet spell at once, later ones gathered into the next frame).
 */
export class RoomTyping {
  /** When each person was last announced (or queued): the per-person limit. */
  private readonly lastAt = new Map<string, number>();
  private pending: Typer[] = [];
  private lastFrameAt = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** Sends one serialized frame to every socket (the room's broadcast). */
    private readonly broadcastText: (text: string) => number,
  ) {}

  /** Someone who may post says they are typing; returns whether it will be announced (false: rate limited). */
  typing(who: Typer, now: number): boolean {
    const last = this.lastAt.get(who.userId);
    if (last !== undefined && now - last < CHAT_TYPING.userIntervalMs) return false;
    if (this.pending.length >= CHAT_TYPING.maxPeople) return false; // the next frame is full; they will say again
    this.lastAt.set(who.userId, now);
    this.pending.push({ userId: who.userId, displayName: who.displayName });
    if (this.timer) return true;
    const wait = this.lastFrameAt + CHAT_TYPING.roomIntervalMs - now;
    if (wait <= 0) this.send(now);
    else this.timer = setTimeout(() => this.send(Date.now()), wait);
    return true;
  }

  /** A message from this person went out: their typing is over (the client hides the name itself). */
  stopped(userId: string): void {
    this.lastAt.delete(userId);
    this.pending = this.pending.filter((p) => p.userId !== userId);
  }

  private send(now: number): void {
    this.timer = null;
    if (this.pending.length === 0) return;
    const frame: ServerFrame = { type: "chat.typing", people: this.pending };
    this.pending = [];
    this.lastFrameAt = now;
    // forget people whose limit has passed, so the map stays as small as the set of recent typers
    for (const [userId, at] of this.lastAt) if (now - at >= CHAT_TYPING.userIntervalMs) this.lastAt.delete(userId);
    this.broadcastText(JSON.stringify(frame));
  }
}
