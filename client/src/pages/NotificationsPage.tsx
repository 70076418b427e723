import { createResource, createSignal, For, Show } from "solid-js";
import { Loaded } from "../components/Loaded";
import { api } from "../lib/api";
import { formatDate } from "../lib/format";
import { locale, t } from "../lib/i18n";
import { notificationLines } from "../lib/notificationText";

export default function NotificationsPage() {
  const [inbox, { refetch }] = createResource(() => api.notifications.list.query({ limit: 50 }));
  const [marking, setMarking] = createSignal(false);
  const unread = () => inbox()?.items.some((n) => n.readAt === null) ?? false;

  async function markAll() {
    setMarking(true);
    try {
      await api.notifications.markRead.mutate({ all: true });
      await refetch();
    } finally {
      setMarking(false);
    }
  }

  return (
    <>
      <div class="page-head">
        <h1 class="page-title">{t("inbox.heading")}</h1>
        <Show when={unread()}>
          <button type="button" class="secondary" onClick={markAll} disabled={marking()} aria-busy={marking()}>
            {t("inbox.markAll")}
          </button>
        </Show>
      </div>
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
