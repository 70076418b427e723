import { createResource, createSignal, For, Show } from "solid-js";
import { moderationDecisionInput } from "../../../../shared/schemas/board";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { Loaded } from "../../components/Loaded";
import { CheckField } from "../../console/fields";
import { t } from "../../console/i18n";
import { api, type RouterOutputs } from "../../lib/api";
import { createSubmission } from "../../lib/forms";
import { SuspensionNote } from "./SuspensionNote";

type Queue = RouterOutputs["admin"]["moderation"]["queue"];
type ChatEntry = Queue["chatMessages"][number];
type Item =
  | ((Queue["posts"][number] | Queue["comments"][number]) & { kind: "post" | "comment" })
  | {
      kind: "chat";
      id: string;
      chat: ChatEntry;
      excerpt: string;
      reportCount: number;
      reports: { reason: string; note: string | null }[];
    };

/** A reported chat message as a queue item: kept or deleted from its room (everyone there sees "deleted by admin"). */
function chatItem(c: ChatEntry): Item {
  return {
    kind: "chat",
    id: `${c.groupBuyId}:${c.messageId}`,
    chat: c,
    excerpt: c.text,
    reportCount: c.reports,
    reports: c.reasons.split(",").map((reason) => ({ reason, note: null })),
  };
}

function decideItem(
  item: Item,
  decision: "approve" | "remove",
  reason: string,
  suspendDays: number | undefined,
): Promise<unknown> {
  if (item.kind === "chat") {
    const input = { groupBuyId: item.chat.groupBuyId, messageId: item.chat.messageId, reason };
    return decision === "approve"
      ? api.admin.moderation.keepChatMessage.mutate(input)
      : api.admin.moderation.deleteChatMessage.mutate(input);
  }
  const input = { targetType: item.kind, targetId: item.id, reason, suspendDays };
  return decision === "approve"
    ? api.admin.moderation.approve.mutate(input)
    : api.admin.moderation.remove.mutate(input);
}
type Decision = { outcome: "approve" | "remove"; reason: string; suspendDays?: number };

/** The checkbox's suspension, in days (its label says 7). */
const SUSPEND_DAYS = 7;

/** `open`/`setOpen`: one decision form at a time, so field ids stay unique on the page. */
function Reported(props: { item: Item; onDone: () => void; open: boolean; setOpen: (on: boolean) => void }) {
  const open = () => props.open;
  const setOpen = (on: boolean) => props.setOpen(on);
  const submit = createSubmission({ reason: {}, suspendDays: {} });
  /** A decision that also suspends the author, waiting for the admin to confirm it (like the user-list suspend). */
  const [asking, setAsking] = createSignal<Decision | null>(null);
  async function send({ outcome, reason, suspendDays }: Decision) {
    const done = await submit.run(() => decideItem(props.item, outcome, reason, suspendDays));
    setAsking(null);
    if (done) props.onDone();
  }
  function decide(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const decision: Decision = {
      outcome: (e.submitter as HTMLButtonElement | null)?.value === "approve" ? "approve" : "remove",
      reason: String(form.get("reason") ?? ""),
      suspendDays: form.get("suspend") === "on" ? SUSPEND_DAYS : undefined,
    };
    // A suspension is asked about first; a request the server will refuse goes straight to it for its field messages.
    const item = props.item;
    const asksFirst =
      item.kind !== "chat" &&
      decision.suspendDays !== undefined &&
      moderationDecisionInput.safeParse({ targetType: item.kind, targetId: item.id, ...decision }).success;
    if (asksFirst) setAsking(decision);
    else void send(decision);
  }
  return (
    <li class="card" data-testid="reported">
      <p>
        <span class="status-pill">{t(`admin.mod.${props.item.kind}`)}</span>{" "}
        <strong>{"title" in props.item ? props.item.title : ""}</strong>
        <small class="muted">
          {" · "}
          {"author" in props.item ? (props.item.author?.displayName ?? "?") : ""}{" "}
          {t("admin.mod.reports", { n: props.item.reportCount })}
          {"status" in props.item ? ` · ${t(`admin.mod.status.${props.item.status}`)}` : ""}
        </small>
      </p>
      <p class="excerpt">{props.item.excerpt}</p>
      <ul class="muted small">
        <For each={props.item.reports}>
          {(r) => (
            <li>
              {r.reason}
              {r.note ? ` — ${r.note}` : ""}
            </li>
          )}
        </For>
      </ul>
      <Show
        when={open()}
        fallback={
          <button type="button" class="secondary" onClick={() => setOpen(true)}>
            {t("admin.mod.decide")}
          </button>
        }
      >
        <form onSubmit={decide} novalidate class="inline-form">
          <ConfirmDialog
            open={asking() !== null}
            title={t("admin.suspend.title", {
              name: ("author" in props.item && props.item.author?.displayName) || "?",
            })}
            confirmLabel={t(
              asking()?.outcome === "approve" ? "admin.mod.keepAndSuspend" : "admin.mod.removeAndSuspend",
            )}
            cancelLabel={t("console.back")}
            busyLabel={t("console.working")}
            busy={submit.pending()}
            onConfirm={() => {
              const decision = asking();
              if (decision) void send(decision);
            }}
            onCancel={() => setAsking(null)}
          >
            <Show when={props.item.kind !== "chat" ? props.item.kind : undefined}>
              {(kind) => (
                <p>
                  {t(
                    asking()?.outcome === "approve" ? `admin.mod.keepThen.${kind()}` : `admin.mod.removeThen.${kind()}`,
                  )}
                </p>
              )}
            </Show>
            <SuspensionNote days={SUSPEND_DAYS} />
          </ConfirmDialog>
          <Field label={t("admin.mod.reason")} name="reason" errors={submit.fields().reason} />
          <Show when={props.item.kind !== "chat"}>
            <CheckField
              label={t("admin.mod.suspendAuthor", { days: SUSPEND_DAYS })}
              name="suspend"
              errors={submit.fields().suspendDays}
            />
          </Show>
          <FormError message={submit.message()} />
          <div class="actions">
            <button type="submit" value="approve" disabled={submit.pending()} aria-busy={submit.pending()}>
              {t("admin.mod.keep")}
            </button>
            <button
              type="submit"
              value="remove"
              class="danger"
              disabled={submit.pending()}
              aria-busy={submit.pending()}
            >
              {t("admin.mod.remove")}
            </button>
            <button type="button" class="secondary" onClick={() => setOpen(false)}>
              {t("console.back")}
            </button>
          </div>
        </form>
      </Show>
    </li>
  );
}

/** Reported posts and comments (hidden ones first), then reported chat messages. */
export default function ModerationPanel() {
  const [queue, { refetch }] = createResource(() => api.admin.moderation.queue.query({ limit: 30 }));
  const [openId, setOpenId] = createSignal<string | null>(null);
  const items = (): Item[] => [
    ...(queue.latest?.posts ?? []).map((p) => ({ ...p, kind: "post" as const })),
    ...(queue.latest?.comments ?? []).map((c) => ({ ...c, kind: "comment" as const })),
    ...(queue.latest?.chatMessages ?? []).map(chatItem),
  ];
  return (
    <section aria-labelledby="mod-heading">
      <h2 id="mod-heading">{t("admin.moderation")}</h2>
      <Loaded data={queue} retry={refetch} empty={<p>{t("admin.mod.none")}</p>} isEmpty={() => items().length === 0}>
        {() => (
          <ul class="cards">
            <For each={items()}>
              {(item) => (
                <Reported
                  item={item}
                  onDone={() => void refetch()}
                  open={openId() === item.id}
                  setOpen={(on) => setOpenId(on ? item.id : null)}
                />
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </section>
  );
}
