import { A } from "@solidjs/router";
import { createEffect, createResource, For, on, Show } from "solid-js";
import type { NotificationItem } from "../../../shared/schemas/notifications";
import { Ago } from "../components/Ago";
import { FormError } from "../components/Field";
import { Loaded } from "../components/Loaded";
import { api } from "../lib/api";
import { createSubmission } from "../lib/forms";
import { locale, t } from "../lib/i18n";
import { latest, refreshUnread } from "../lib/inboxLive";
import { notificationHref, notificationLines } from "../lib/notificationText";

/** A notice's sentences and when it came ("3분 전", "어제"; the exact time on hover). */
function NoticeText(props: { n: NotificationItem }) {
  return (
    <>
      <For each={notificationLines(props.n, t, locale())}>{(line) => <p>{line}</p>}</For>
      <small class="muted">
        <Ago at={props.n.createdAt} />
      </small>
    </>
  );
}

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
  /** Opening a notice reads it: the badge goes down without a trip back to "mark all read". */
  function opened(n: NotificationItem) {
    if (n.readAt !== null) return;
    api.notifications.markRead.mutate({ ids: [n.id] }).then(refreshUnread, () => undefined);
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
                <li>
                  <Show
                    when={notificationHref(n)}
                    fallback={
                      <div class="card notice" classList={{ unread: n.readAt === null }}>
                        <NoticeText n={n} />
                      </div>
                    }
                  >
                    {(href) => (
                      <A
                        href={href()}
                        class="card notice notice-link"
                        classList={{ unread: n.readAt === null }}
                        data-testid="notice-link"
                        onClick={() => opened(n)}
                      >
                        <NoticeText n={n} />
                      </A>
                    )}
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </>
  );
}
