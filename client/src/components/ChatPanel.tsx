import { createEffect, createSignal, For, Match, onCleanup, Show, Switch } from "solid-js";
import { CHAT_TEXT_MAX, type ChatMessage } from "../../../shared/chat";
import { REPORT_REASONS } from "../../../shared/schemas/board";
import { errorText } from "../lib/errorText";
import { formatTime } from "../lib/format";
import { locale, t } from "../lib/i18n";
import type { ReportReason, RoomChatState } from "../lib/roomChat";
import "./chat.css";
import { FormError } from "./Field";

function systemText(m: ChatMessage): string {
  const params = { ...(m.params ?? {}) };
  return t(`chat.system.${m.code ?? "join"}` as "chat.system.join", params);
}

/** "민지님이 입력 중…", "민지님 외 2명이 입력 중…" (님 attached, as in the join lines), or nothing. */
function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return t("chat.typing", { name: names[0] });
  return t("chat.typingMany", { name: names[0], n: names.length - 1 });
}

/** One person's line: who, when, what (or "deleted by admin"), and a report form for other people's lines. */
function Line(props: { message: ChatMessage; mine: boolean; chat: RoomChatState }) {
  const [reporting, setReporting] = createSignal(false);
  const [reported, setReported] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  let reason!: HTMLSelectElement;
  async function report(event: SubmitEvent) {
    event.preventDefault();
    setProblem(null);
    try {
      await props.chat.report(props.message.id, reason.value as ReportReason);
      setReported(true);
      setReporting(false);
    } catch (e) {
      setProblem(errorText(e));
    }
  }
  return (
    <li class="chat-line" classList={{ mine: props.mine }} data-testid="chat-line">
      <div class="chat-meta">
        <strong>{props.message.displayName ?? "?"}</strong>
        <time dateTime={new Date(props.message.at).toISOString()}>{formatTime(props.message.at, locale())}</time>
      </div>
      <Show when={!props.message.deleted} fallback={<p class="chat-deleted">{t("chat.deletedByAdmin")}</p>}>
        <p class="chat-text">{props.message.text}</p>
      </Show>
      <Show when={!props.mine && !props.message.deleted}>
        <Switch>
          <Match when={reported()}>
            <small role="status">{t("board.reported")}</small>
          </Match>
          <Match when={reporting()}>
            <form class="chat-report" onSubmit={report}>
              <label for={`chat-report-${props.message.id}`}>{t("board.reportReason")}</label>
              <select id={`chat-report-${props.message.id}`} ref={reason}>
                <For each={REPORT_REASONS}>{(r) => <option value={r}>{t(`board.reason.${r}`)}</option>}</For>
              </select>
              <button type="submit" class="secondary">
                {t("board.report")}
              </button>
              <Show when={problem()}>
                <small class="error" role="alert">
                  {problem()}
                </small>
              </Show>
            </form>
          </Match>
          <Match when={true}>
            <button type="button" class="chat-report-open" onClick={() => setReporting(true)}>
              {t("board.report")}
            </button>
          </Match>
        </Switch>
      </Show>
    </li>
  );
}

/**
 * The group buy's chat: history on connect, older pages on demand, live lines, send with the room's rate limit
 * shown as a countdown, read-only for neighbours who are not in the buy (the room enforces it; this only explains).
 */
export default function ChatPanel(props: {
  chat: RoomChatState;
  userId: string | undefined;
  connected: boolean;
  /** Why the room let the reader go or will not let them in (suspended, the buy closed to readers), in words. */
  refusal: string | null;
  /** Why the room cannot take the reader right now (it is full), in words, while the page knocks again later. */
  waiting: string | null;
}) {
  const chat = props.chat;
  const [draft, setDraft] = createSignal("");
  const [now, setNow] = createSignal(Date.now());
  let list!: HTMLOListElement;
  let stick = true;

  const tick = setInterval(() => setNow(Date.now()), 500);
  onCleanup(() => clearInterval(tick));
  const waitSeconds = () => Math.max(0, Math.ceil((chat.slowUntil() - now()) / 1000));

  // A refused message comes back into an empty box.
  createEffect(() => {
    const text = chat.bounced();
    if (text && draft() === "") setDraft(text);
  });
  // Follow new lines while the reader is at the bottom; leave them alone while they scroll back.
  createEffect(() => {
    chat.messages();
    if (stick) queueMicrotask(() => list.scrollTo({ top: list.scrollHeight }));
  });

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const text = draft().trim();
    if (!text || waitSeconds() > 0) return;
    if (chat.send(text)) {
      setDraft("");
      stick = true;
      chat.follow(true);
    }
  }

  async function older() {
    const top = list.scrollHeight - list.scrollTop;
    stick = false;
    chat.follow(false);
    await chat.loadOlder();
    list.scrollTop = list.scrollHeight - top; // keep the reader's place
  }

  return (
    <section class="card chat" aria-labelledby="chat-heading" data-testid="chat">
      <h2 id="chat-heading">{t("chat.title")}</h2>
      <ol
        class="chat-list"
        ref={list}
        aria-live="polite"
        onScroll={() => {
          stick = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
          chat.follow(stick);
        }}
      >
        <Show when={chat.hasOlder()}>
          <li class="chat-older">
            <button type="button" class="secondary" onClick={older} disabled={chat.loadingOlder()}>
              {t("chat.loadOlder")}
            </button>
          </li>
        </Show>
        <Show when={chat.loaded() && chat.messages().length === 0}>
          {/* "say hello" only to someone who can: a reader outside the buy is told below why they cannot */}
          <li class="chat-empty muted" data-testid="chat-empty">
            {chat.canPost() && !chat.refused() && !props.refusal ? t("chat.empty") : t("chat.emptyReadOnly")}
          </li>
        </Show>
        <For each={chat.messages()}>
          {(m) => (
            <>
              <Show when={m.id === chat.firstUnread() && m.userId !== props.userId}>
                <li class="chat-unread">{t("chat.newSince")}</li>
              </Show>
              <Show
                when={m.kind === "user"}
                fallback={
                  <li class="chat-system" data-testid="chat-system">
                    {systemText(m)}
                  </li>
                }
              >
                <Line message={m} mine={m.userId === props.userId} chat={chat} />
              </Show>
            </>
          )}
        </For>
      </ol>
      <p class="chat-typing muted" aria-live="polite" data-testid="chat-typing">
        {typingText(chat.typing())}
      </p>
      <Show when={props.refusal}>
        <p class="hint" role="status" data-testid="chat-refused">
          {props.refusal}
        </p>
      </Show>
      <Show when={!props.connected && !props.refusal}>
        <p class="hint" role="status" data-testid="chat-waiting">
          {props.waiting ?? t("chat.reconnecting")}
        </p>
      </Show>
      <Show
        when={chat.canPost() && !chat.refused() && !props.refusal}
        fallback={
          <Show when={!props.refusal}>
            <p class="hint" data-testid="chat-readonly">
              {t("chat.readOnly")}
            </p>
          </Show>
        }
      >
        <form class="chat-form" onSubmit={submit}>
          <label for="chat-input" class="sr-only">
            {t("chat.inputLabel")}
          </label>
          <textarea
            id="chat-input"
            rows={2}
            maxLength={CHAT_TEXT_MAX}
            placeholder={t("chat.placeholder")}
            value={draft()}
            onInput={(e) => {
              setDraft(e.currentTarget.value);
              if (e.currentTarget.value.trim() !== "") chat.typed();
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <div class="chat-actions">
            <small class="muted">
              {draft().length}/{CHAT_TEXT_MAX}
            </small>
            <button
              type="submit"
              disabled={!props.connected || chat.sending() || waitSeconds() > 0 || draft().trim() === ""}
            >
              {t("chat.send")}
            </button>
          </div>
          <Show when={waitSeconds() > 0}>
            <p class="error" role="alert" data-testid="chat-slow">
              {t(`refusal.${chat.slowReason()}`, { seconds: waitSeconds() })}
            </p>
          </Show>
          <FormError message={chat.error()} />
        </form>
      </Show>
    </section>
  );
}
