import { createEffect, createMemo, createSignal, on, onCleanup } from "solid-js";
import { CHAT_HISTORY_ON_CONNECT, CHAT_TYPING, type ChatMessage, type ChatRateReason } from "../../../shared/chat";
import type { ServerFrame } from "../../../shared/protocol";
import type { REPORT_REASONS } from "../../../shared/schemas/board";
import { api } from "./api";
import { mergeMessages as merge, mergeLive } from "./chatList";
import { errorText } from "./errorText";
import { type createRoom, roomErrorOf } from "./room";

export type Room = ReturnType<typeof createRoom>;
export type ReportReason = (typeof REPORT_REASONS)[number];

/**
 * The chat of one group buy, on the room socket the page already holds (no second connection). History comes on
 * connect (and again after a reconnect, merged), older pages over HTTP; the server decides who may post and how
 * fast, and the state here only mirrors its answers.
 */
export function createRoomChat(room: Room, groupBuyId: string) {
  const [messages, setMessages] = createSignal<ChatMessage[]>([]);
  const [hasOlder, setHasOlder] = createSignal(false);
  const [loaded, setLoaded] = createSignal(false);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  /** The reader is at the bottom of the list (the panel says so): live lines past CHAT_LIVE_KEEP are let go. */
  let following = true;
  /** Staff or the host (allowed without holding shares), as the room said on connect. */
  const [privileged, setPrivileged] = createSignal(false);
  const [refused, setRefused] = createSignal<null | "forbidden">(null);
  /**
   * Until when a rate limit holds the send button (epoch ms), and whose: the sender's own pace or the whole room's
   * (details.reason; a room that sends none limited the sender).
   */
  const [slow, setSlow] = createSignal<{ until: number; reason: ChatRateReason }>({
    until: 0,
    reason: "chat_too_fast",
  });
  const [error, setError] = createSignal<string | null>(null);
  const [sending, setSending] = createSignal<{ nonce: string; text: string } | null>(null);
  /** A message the room turned down, handed back so the box can show it again. */
  const [bounced, setBounced] = createSignal<string | null>(null);
  let readSent = 0;
  /** Others typing: name and until when to show it (epoch ms); ours is never shown to us. */
  const [typers, setTypers] = createSignal<ReadonlyMap<string, { name: string; until: number }>>(new Map());
  let typingSentAt = 0;
  const typingTimer = setInterval(() => {
    const now = Date.now();
    if ([...typers().values()].some((x) => x.until <= now)) {
      setTypers((m) => new Map([...m].filter(([, x]) => x.until > now)));
    }
  }, 1_000);
  /** A message from someone ends their "typing". */
  function stoppedTyping(messages: ChatMessage[]) {
    const authors = new Set(messages.map((m) => m.userId));
    if ([...typers().keys()].some((id) => authors.has(id))) {
      setTypers((m) => new Map([...m].filter(([id]) => !authors.has(id))));
    }
  }
  /** The read marker the room had for us when the page opened: lines after it are new to the reader. */
  const [readAtOpen, setReadAtOpen] = createSignal<number | null>(null);

  const canPost = createMemo(() => privileged() || (room.snapshot()?.you.shares ?? 0) > 0);
  // A refusal was about the shares held then: joining (or leaving) asks the room again on the next send.
  createEffect(
    on(
      () => room.snapshot()?.you.shares,
      () => setRefused(null),
      { defer: true },
    ),
  );

  function markRead() {
    const last = messages().at(-1)?.id ?? 0;
    if (last <= readSent || document.visibilityState !== "visible") return;
    if (room.send({ type: "chat.read", upTo: last })) readSent = last;
  }

  function onFrame(frame: ServerFrame) {
    switch (frame.type) {
      case "chat.history": {
        const earliest = messages()[0]?.id;
        setMessages((m) => merge(m, frame.messages));
        // A reconnect's history overlaps what we had: only an empty screen takes its "more" flag.
        if (earliest === undefined || (frame.messages[0] && frame.messages[0].id <= earliest)) {
          setHasOlder(frame.hasMore);
        }
        if (readAtOpen() === null) setReadAtOpen(frame.readUpTo);
        readSent = Math.max(readSent, frame.readUpTo);
        setPrivileged(frame.canPost && (room.snapshot()?.you.shares ?? 0) === 0);
        if (frame.canPost) setRefused(null);
        setLoaded(true);
        markRead();
        return;
      }
      case "chat.messages": {
        const { messages: kept, trimmed } = mergeLive(messages(), frame.messages, following);
        setMessages(kept);
        if (trimmed) setHasOlder(true);
        stoppedTyping(frame.messages);
        markRead();
        return;
      }
      case "chat.typing": {
        const until = Date.now() + CHAT_TYPING.showMs;
        setTypers((m) => {
          const next = new Map(m);
          for (const p of frame.people)
            if (p.userId !== room.snapshot()?.you.userId) next.set(p.userId, { name: p.displayName, until });
          return next;
        });
        return;
      }
      case "chat.deleted":
        setMessages((m) => m.map((x) => (x.id === frame.id ? { ...x, text: null, deleted: true } : x)));
        return;
      case "chat.ack":
        if (frame.nonce === sending()?.nonce) setSending(null);
        setError(null);
        return;
      case "error":
        if (sending() === null) return; // not about a message of ours (the page handles the rest)
        setBounced(sending()?.text ?? null);
        setSending(null);
        if (frame.code === "TOO_MANY_REQUESTS") {
          const reason = frame.details?.reason === "chat_room_busy" ? "chat_room_busy" : "chat_too_fast";
          setSlow({ until: Date.now() + (frame.retryAfterMs ?? 5_000), reason });
        } else if (frame.code === "FORBIDDEN") setRefused("forbidden");
        else setError(errorText(roomErrorOf(frame))); // its reason in words, or its code's (not the English message)
        return;
    }
  }

  const stop = room.onFrame(onFrame);
  const onVisible = () => markRead();
  document.addEventListener("visibilitychange", onVisible);
  onCleanup(() => {
    stop();
    clearInterval(typingTimer);
    document.removeEventListener("visibilitychange", onVisible);
  });

  return {
    messages,
    /** Id of the first message that arrived after our read marker when the page opened (null: none). */
    firstUnread: createMemo(() => {
      const marker = readAtOpen();
      if (marker === null || marker === 0) return null;
      return messages().find((m) => m.id > marker && m.kind === "user")?.id ?? null;
    }),
    hasOlder,
    loaded,
    loadingOlder,
    canPost,
    refused,
    slowUntil: () => slow().until,
    /** Whose limit holds the button: its words are `refusal.<reason>` with the seconds left. */
    slowReason: () => slow().reason,
    error,
    sending: () => sending() !== null,
    bounced,
    /** Whether the reader is at the bottom of the list (ChatPanel's scroll): only then are old live lines let go. */
    follow(atBottom: boolean) {
      following = atBottom;
    },
    /** Names of the others typing right now, oldest notice first. */
    typing: createMemo(() => [...typers().values()].map((x) => x.name)),
    /** The person is writing: tells the room, at most once per CHAT_TYPING.userIntervalMs. */
    typed() {
      const now = Date.now();
      if (!canPost() || now - typingSentAt < CHAT_TYPING.userIntervalMs) return;
      if (room.send({ type: "chat.typing" })) typingSentAt = now;
    },
    /** Sends `text`; false when the socket is down (the text stays in the box). */
    send(text: string): boolean {
      const nonce = crypto.randomUUID().slice(0, 12);
      if (!room.send({ type: "chat.send", text, nonce })) return false;
      typingSentAt = 0; // the next message's first keystroke announces again
      setSending({ nonce, text });
      setBounced(null);
      setError(null);
      return true;
    },
    async loadOlder() {
      const first = messages()[0]?.id;
      if (!first || loadingOlder()) return;
      setLoadingOlder(true);
      try {
        const page = await api.rooms.history.query({ id: groupBuyId, before: first, limit: CHAT_HISTORY_ON_CONNECT });
        setMessages((m) => merge(m, page.messages));
        setHasOlder(page.hasMore);
      } finally {
        setLoadingOlder(false);
      }
    },
    report: (messageId: number, reason: ReportReason) => api.rooms.report.mutate({ id: groupBuyId, messageId, reason }),
  };
}

export type RoomChatState = ReturnType<typeof createRoomChat>;
