import { createEffect, createResource, For, on, Show } from "solid-js";
import { FormError } from "../components/Field";
import { Loaded } from "../components/Loaded";
import { api } from "../lib/api";
import { formatDate } from "../lib/format";
import { createSubmission } from "../lib/forms";
import { locale, t } from "../lib/i18n";
import { latest, refreshUnread } from "../lib/inboxLive";
import { notificationLines } from "../lib/notificationText";

export default function NotificationsPage() {
  const [inbox, { refetch }] = createResource(() => api.notifications.list.query({ limit: 50 }));
  const marking = createSubmission();
  const unread = () => inbox()?.items.some((n) => n.readAt === null) ?? false;
  // a notification pushed while the inbox is open shows up at once
  createEffect(on(latest, (n) => n && void refetch(), { defer: true }));

  async function markAll() {
    if (await marking.run(() => api.notifications.markRead.mutate({ all: true }))) {
      refreshUnread();
      await refetch();
    }
  }

  return (
    <>
      <div class="page-head">
        <h1 class="page-title">{t("inbox.heading")}</h1>
        <Show when={unread()}>
          <button
            type="button"
            class="secondary"
            onClick={markAll}
            disabled={marking.pending()}
            aria-busy={marking.pending()}
          >
            {t("inbox.markAll")}
          </button>
        </Show>
      </div>
      <FormError message={marking.message()} />
      <Loaded data={inbox} retry={refetch} empty={<p>{t("inbox.empty")}</p>}>
        {() => (
          <ul class="cards" data-testid="inbox">
            <For each={inbox.latest?.items}>
              {(n) => (
                <li class="card notice" classList={{ unread: n.readAt === null }}>
                  <For each={notificationLines(n, t, locale())}>{(line) => <p>{line}</p>}</For>
                  <small class="muted">{formatDate(n.createdAt, locale())}</small>
                </li>
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </>
  );
}
