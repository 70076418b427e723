import { A, useNavigate, useParams } from "@solidjs/router";
import { createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { REPORT_REASONS } from "../../../shared/schemas/board";
import { Ago } from "../components/Ago";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FormError } from "../components/Field";
import { MoreButton } from "../components/MoreButton";
import { Empty, LoadError, Loading } from "../components/Status";
import { TrustLine } from "../components/TrustLine";
import { api, type RouterOutputs } from "../lib/api";
import { createSubmission } from "../lib/forms";
import { t } from "../lib/i18n";
import { createPaged } from "../lib/paged";
import { usePageTitle } from "../lib/title";
import { EditedMark } from "./board/EditedMark";
import { PostForm } from "./board/PostForm";
import { SupplyOffers } from "./board/SupplyOffers";

/** Top-level comments per page (each with all its replies). */
const COMMENTS_PAGE = 30;

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

type Comment = RouterOutputs["board"]["comments"]["items"][number];

/** A comment's text, or why there is none (deleted by its author, hidden after reports). */
function commentText(c: Pick<Comment, "body" | "status">): string {
  return c.body ?? t(c.status === "hidden" ? "board.comment.hidden" : "board.comment.deleted");
}

/** One reply to a top-level comment (replies to replies do not exist: one level only). */
function ReplyForm(props: { postId: string; parentId: string; onDone: () => void }) {
  const submission = createSubmission({ body: {} });
  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const body = String(new FormData(event.currentTarget as HTMLFormElement).get("body"));
    const ok = await submission.run(() =>
      api.board.comment.mutate({ postId: props.postId, parentId: props.parentId, body }),
    );
    if (ok) props.onDone();
  }
  return (
    <form class="inline-form" onSubmit={submit} novalidate>
      <label for={`reply-${props.parentId}`}>{t("board.replyLabel")}</label>
      <textarea id={`reply-${props.parentId}`} name="body" rows={2} />
      <FormError message={submission.fields().body?.[0] ?? submission.message()} />
      <button type="submit" disabled={submission.pending()} aria-busy={submission.pending()}>
        {t("board.replySubmit")}
      </button>
    </form>
  );
}

/** A small text button opening (or closing) one comment's panel: at most one panel of a kind is open at a time. */
function PanelToggle(props: {
  open: () => string | null;
  set: (id: string | null) => void;
  id: string;
  label: string;
}) {
  return (
    <button
      type="button"
      class="link"
      aria-expanded={props.open() === props.id}
      onClick={() => props.set(props.open() === props.id ? null : props.id)}
    >
      {props.label}
    </button>
  );
}

export default function PostPage() {
  const params = useParams();
  const [post, { refetch, mutate }] = createResource(
    () => params.id,
    (id) => api.board.get.query({ id }),
  );
  usePageTitle(() => (post.error ? undefined : post.latest?.title));
  const comments = createPaged(
    () => (params.id ? { postId: params.id } : null),
    (q, cursor) => api.board.comments.query({ ...q, cursor, limit: COMMENTS_PAGE }),
  );
  const [editing, setEditing] = createSignal(false);
  const [reporting, setReporting] = createSignal(false);
  const [replyingTo, setReplyingTo] = createSignal<string | null>(null);
  const [reportingComment, setReportingComment] = createSignal<string | null>(null);
  // Deleting cannot be undone: the dialog says so before it happens.
  const [askingDelete, setAskingDelete] = createSignal(false);
  const navigate = useNavigate();
  const deleting = createSubmission();
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

  async function deletePost() {
    if (await deleting.run(() => api.board.delete.mutate({ id: params.id ?? "" }))) {
      navigate("/board", { replace: true });
    }
  }

  async function comment(event: SubmitEvent) {
    event.preventDefault();
    const formEl = event.currentTarget as HTMLFormElement;
    const body = String(new FormData(formEl).get("body"));
    const ok = await commenting.run(() => api.board.comment.mutate({ postId: params.id ?? "", body }));
    if (ok) {
      formEl.reset();
      comments.reload();
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
        <Match when={editing() && post.latest}>
          {(p) => (
            <PostForm
              heading={t("board.editHeading")}
              initial={{ category: p().category, title: p().title, body: p().body }}
              submitLabel={t("board.save")}
              pendingLabel={t("board.saving")}
              save={(fields) => api.board.update.mutate({ id: p().id, ...fields })}
              onSaved={() => {
                setEditing(false);
                void refetch();
              }}
              onCancel={() => setEditing(false)}
            />
          )}
        </Match>
        <Match when={post.latest}>
          {(p) => (
            <article class="card post" aria-labelledby="post-title">
              <small class="reason">{t(`board.category.${p().category}`)}</small>
              <h1 id="post-title">{p().title}</h1>
              <p class="muted">
                {p().author.displayName} · <Ago at={p().createdAt} />
                <EditedMark createdAt={p().createdAt} updatedAt={p().updatedAt} long />
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
                <Show when={p().mine && p().status !== "removed"}>
                  <button type="button" class="secondary" onClick={() => setEditing(true)} data-testid="edit-post">
                    {t("board.edit")}
                  </button>
                </Show>
                <Show when={p().mine && p().status === "visible"}>
                  <button type="button" class="danger" onClick={() => setAskingDelete(true)}>
                    {t("board.deletePost")}
                  </button>
                </Show>
              </div>
              <ConfirmDialog
                open={askingDelete()}
                title={t("board.deleteTitle")}
                confirmLabel={t("board.deleteConfirm")}
                cancelLabel={t("board.cancel")}
                busyLabel={t("board.deleting")}
                busy={deleting.pending()}
                error={deleting.message()}
                onConfirm={() => void deletePost()}
                onCancel={() => {
                  deleting.clear();
                  setAskingDelete(false);
                }}
              >
                <p>{t("board.deleteBody")}</p>
              </ConfirmDialog>
              <FormError message={liking.message()} />
              <Show when={reporting()}>
                <ReportForm targetType="post" targetId={p().id} onDone={() => setReporting(false)} />
              </Show>
            </article>
          )}
        </Match>
      </Switch>
      <Show when={!post.error && post.latest?.category === "proposal" ? post.latest : null}>
        {(p) => <SupplyOffers post={p()} onChange={() => void refetch()} />}
      </Show>
      <Show when={!post.error}>
        <section class="card" aria-labelledby="comments-heading">
          <h2 id="comments-heading">{t("board.comments")}</h2>
          <Switch>
            <Match when={comments.page.error && comments.items().length === 0}>
              <LoadError error={comments.page.error} retry={comments.refetch} />
            </Match>
            <Match when={comments.page.loading && comments.items().length === 0}>
              <Loading />
            </Match>
            <Match when={comments.items().length === 0}>
              <Empty>
                <p>{t("board.noComments")}</p>
              </Empty>
            </Match>
            <Match when={true}>
              <ul class="lines" data-testid="comments">
                <For each={comments.items()}>
                  {(c) => (
                    <li class="comment" data-testid="comment">
                      <strong>{c.author?.displayName ?? t("board.deletedAuthor")}</strong> <span>{commentText(c)}</span>
                      {/* when, then its actions, apart: side by side '답글 신고' read as one phrase ("report the reply") */}
                      <div class="comment-meta">
                        <small class="muted">
                          <Ago at={c.createdAt} />
                        </small>
                        <Show when={c.status === "visible"}>
                          <PanelToggle open={replyingTo} set={setReplyingTo} id={c.id} label={t("board.reply")} />
                        </Show>
                        <Show when={c.status === "visible" && !c.mine}>
                          <PanelToggle
                            open={reportingComment}
                            set={setReportingComment}
                            id={c.id}
                            label={t("board.report")}
                          />
                        </Show>
                      </div>
                      <Show when={reportingComment() === c.id}>
                        <ReportForm targetType="comment" targetId={c.id} onDone={() => setReportingComment(null)} />
                      </Show>
                      <Show when={c.replies.length > 0}>
                        <ul class="lines replies" data-testid="replies">
                          <For each={c.replies}>
                            {(r) => (
                              <li class="comment">
                                <strong>{r.author?.displayName ?? t("board.deletedAuthor")}</strong>{" "}
                                <span>{commentText(r)}</span>
                                <div class="comment-meta">
                                  <small class="muted">
                                    <Ago at={r.createdAt} />
                                  </small>
                                </div>
                              </li>
                            )}
                          </For>
                        </ul>
                      </Show>
                      <Show when={replyingTo() === c.id}>
                        <ReplyForm
                          postId={params.id ?? ""}
                          parentId={c.id}
                          onDone={() => {
                            setReplyingTo(null);
                            comments.reload();
                            void refetch();
                          }}
                        />
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </Match>
          </Switch>
          <Show when={comments.page.error && comments.items().length > 0}>
            <LoadError error={comments.page.error} retry={comments.refetch} />
          </Show>
          <MoreButton list={comments} label={t("board.moreComments")} testid="comments" />
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
