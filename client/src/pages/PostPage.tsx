import { A, useParams } from "@solidjs/router";
import { createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { REPORT_REASONS } from "../../../shared/schemas/board";
import { FormError } from "../components/Field";
import { Empty, LoadError, Loading } from "../components/Status";
import { TrustLine } from "../components/TrustLine";
import { api } from "../lib/api";
import { formatDate } from "../lib/format";
import { createSubmission } from "../lib/forms";
import { locale, t } from "../lib/i18n";

function ReportForm(props: { targetType: "post" | "comment"; targetId: string; onDone: () => void }) {
  const submission = createSubmission();
  const [sent, setSent] = createSignal(false);
  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const ok = await submission.run(() =>
      api.board.report.mutate({
        targetType: props.targetType,
        targetId: props.targetId,
        reason: String(form.get("reason")) as (typeof REPORT_REASONS)[number],
      }),
    );
    if (ok) setSent(true);
  }
  return (
    <Show when={!sent()} fallback={<p role="status">{t("board.reported")}</p>}>
      <form class="inline-form" onSubmit={submit}>
        <label for={`report-${props.targetId}`}>{t("board.reportReason")}</label>
        <select id={`report-${props.targetId}`} name="reason">
          <For each={REPORT_REASONS}>{(r) => <option value={r}>{t(`board.reason.${r}`)}</option>}</For>
        </select>
        <button type="submit" disabled={submission.pending()}>
          {t("board.report")}
        </button>
        <button type="button" class="secondary" onClick={() => props.onDone()}>
          {t("board.cancel")}
        </button>
        <FormError message={submission.message()} />
      </form>
    </Show>
  );
}

export default function PostPage() {
  const params = useParams();
  const [post, { refetch, mutate }] = createResource(
    () => params.id,
    (id) => api.board.get.query({ id }),
  );
  const [comments, { refetch: refetchComments }] = createResource(
    () => params.id,
    (postId) => api.board.comments.query({ postId, limit: 50 }),
  );
  const [reporting, setReporting] = createSignal(false);
  // A failed like (a session that ended, no network) says so instead of failing silently.
  const liking = createSubmission();
  const commenting = createSubmission({ body: {} });

  async function toggleLike() {
    const p = post();
    if (!p) return;
    const liked = !p.likedByMe;
    if (await liking.run(() => api.board.like.mutate({ postId: p.id, liked }))) {
      mutate({ ...p, likedByMe: liked, likeCount: p.likeCount + (liked ? 1 : -1) });
    }
  }

  async function comment(event: SubmitEvent) {
    event.preventDefault();
    const formEl = event.currentTarget as HTMLFormElement;
    const body = String(new FormData(formEl).get("body"));
    const ok = await commenting.run(() => api.board.comment.mutate({ postId: params.id ?? "", body }));
    if (ok) {
      formEl.reset();
      void refetchComments();
      void refetch();
    }
  }

  return (
    <>
      <A href="/board" class="back">
        ← {t("board.heading")}
      </A>
      <Switch>
        <Match when={post.error}>
          <LoadError error={post.error} retry={refetch} />
        </Match>
        <Match when={post.loading && !post.latest}>
          <Loading />
        </Match>
        <Match when={post.latest}>
          {(p) => (
            <article class="card post" aria-labelledby="post-title">
              <small class="reason">{t(`board.category.${p().category}`)}</small>
              <h1 id="post-title">{p().title}</h1>
              <p class="muted">
                {p().author.displayName} · {formatDate(p().createdAt, locale())}
                <br />
                <TrustLine trust={p().author.trust} />
              </p>
              <p class="body">{p().body}</p>
              <For each={p().supplyOffers.filter((o) => o.groupBuyId)}>
                {(o) => (
                  <p>
                    <A href={`/g/${o.groupBuyId}`} data-testid="post-groupbuy">
                      {t("board.openedAs", { seller: o.sellerName })}
                    </A>
                  </p>
                )}
              </For>
              <div class="actions">
                <button
                  type="button"
                  class="secondary"
                  aria-pressed={p().likedByMe}
                  disabled={liking.pending()}
                  onClick={toggleLike}
                  data-testid="like"
                >
                  {p().likedByMe ? "♥" : "♡"} {t("board.like")} {p().likeCount}
                </button>
                <Show when={!p().mine}>
                  <button type="button" class="secondary" onClick={() => setReporting(!reporting())}>
                    {t("board.report")}
                  </button>
                </Show>
              </div>
              <FormError message={liking.message()} />
              <Show when={reporting()}>
                <ReportForm targetType="post" targetId={p().id} onDone={() => setReporting(false)} />
              </Show>
            </article>
          )}
        </Match>
      </Switch>
      <Show when={!post.error}>
        <section class="card" aria-labelledby="comments-heading">
          <h2 id="comments-heading">{t("board.comments")}</h2>
          <Switch>
            <Match when={comments.error}>
              <LoadError error={comments.error} retry={refetchComments} />
            </Match>
            <Match when={comments.latest?.items.length === 0}>
              <Empty>
                <p>{t("board.noComments")}</p>
              </Empty>
            </Match>
            <Match when={comments.latest}>
              <ul class="lines" data-testid="comments">
                <For each={comments.latest?.items}>
                  {(c) => (
                    <li class="comment">
                      <strong>{c.author?.displayName ?? t("board.deletedAuthor")}</strong> <span>{c.body}</span>
                    </li>
                  )}
                </For>
              </ul>
            </Match>
          </Switch>
          <form onSubmit={comment} novalidate>
            <label for="field-comment">{t("board.addComment")}</label>
            <textarea
              id="field-comment"
              name="body"
              rows={2}
              aria-invalid={commenting.fields().body ? true : undefined}
              aria-describedby={commenting.fields().body ? "field-comment-error" : undefined}
            />
            <Show when={commenting.fields().body ?? (commenting.message() ? [commenting.message()] : undefined)}>
              {(m) => (
                <p id="field-comment-error" class="field-error" role="alert">
                  {m()[0]}
                </p>
              )}
            </Show>
            <button type="submit" disabled={commenting.pending()} aria-busy={commenting.pending()}>
              {commenting.pending() ? t("board.posting") : t("board.commentSubmit")}
            </button>
          </form>
        </section>
      </Show>
    </>
  );
}
