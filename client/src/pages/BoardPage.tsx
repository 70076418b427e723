import { A } from "@solidjs/router";
import { createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { BOARD_CATEGORIES } from "../../../shared/schemas/board";
import { Field, FieldError, FormError } from "../components/Field";
import { Empty, LoadError, Loading } from "../components/Status";
import { api } from "../lib/api";
import { formatDate } from "../lib/format";
import { createSubmission } from "../lib/forms";
import { locale, t } from "../lib/i18n";
import { session } from "../lib/session";

type Category = (typeof BOARD_CATEGORIES)[number];

function NewPost(props: { regionId: string; onPosted: () => void }) {
  const submission = createSubmission({ title: {}, body: {} });
  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const formEl = event.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    const created = await submission.run(() =>
      api.board.create.mutate({
        regionId: props.regionId,
        category: String(form.get("category")) as Category,
        title: String(form.get("title")),
        body: String(form.get("body")),
      }),
    );
    if (created) {
      formEl.reset();
      props.onPosted();
    }
  }
  return (
    <form class="card" onSubmit={submit} novalidate aria-labelledby="new-post-heading">
      <h2 id="new-post-heading">{t("board.new")}</h2>
      <div class="field">
        <label for="post-category">{t("board.categoryLabel")}</label>
        <select id="post-category" name="category">
          <For each={BOARD_CATEGORIES}>{(c) => <option value={c}>{t(`board.category.${c}`)}</option>}</For>
        </select>
      </div>
      <Field label={t("board.titleLabel")} name="title" errors={submission.fields().title} />
      <div class="field">
        <label for="field-body">{t("board.bodyLabel")}</label>
        <textarea
          id="field-body"
          name="body"
          rows={5}
          aria-invalid={submission.fields().body ? true : undefined}
          aria-describedby={submission.fields().body ? "field-body-error" : undefined}
        />
        <FieldError id="field-body" message={submission.fields().body?.[0]} />
      </div>
      <FormError message={submission.message()} />
      <button type="submit" disabled={submission.pending()} aria-busy={submission.pending()}>
        {submission.pending() ? t("board.posting") : t("board.post")}
      </button>
    </form>
  );
}

export default function BoardPage() {
  const regionId = () => session.me()?.homeRegionId ?? null;
  const [category, setCategory] = createSignal<Category | undefined>(undefined);
  const [query, setQuery] = createSignal("");
  const [sort, setSort] = createSignal<"newest" | "popular">("newest");
  const [writing, setWriting] = createSignal(false);
  const [posts, { refetch }] = createResource(
    () => {
      const id = regionId();
      return id ? { regionId: id, category: category(), query: query() || undefined, sort: sort() } : null;
    },
    (args) => api.board.list.query({ ...args, limit: 30 }),
  );

  function search(event: SubmitEvent) {
    event.preventDefault();
    setQuery(String(new FormData(event.currentTarget as HTMLFormElement).get("q") ?? "").trim());
  }

  return (
    <>
      <div class="page-head">
        <h1 class="page-title">{t("board.heading")}</h1>
        <Show when={regionId()}>
          <button type="button" class="secondary" aria-expanded={writing()} onClick={() => setWriting(!writing())}>
            {writing() ? t("board.cancel") : t("board.write")}
          </button>
        </Show>
      </div>
      <Show
        when={regionId()}
        fallback={
          <Empty>
            <p>{t("board.needRegion")}</p>
            <A href="/verify" class="button">
              {t("home.verifyCta")}
            </A>
          </Empty>
        }
      >
        {(id) => (
          <>
            <Show when={writing()}>
              <NewPost
                regionId={id()}
                onPosted={() => {
                  setWriting(false);
                  void refetch();
                }}
              />
            </Show>
            <search>
              <form class="search" onSubmit={search}>
                <label for="board-q" class="sr-only">
                  {t("board.search")}
                </label>
                <input id="board-q" name="q" type="search" placeholder={t("board.search")} maxLength={100} />
                <button type="submit" class="secondary">
                  {t("board.searchButton")}
                </button>
              </form>
            </search>
            <fieldset class="chips">
              <legend class="sr-only">{t("board.categoryLabel")}</legend>
              <button
                type="button"
                class="chip"
                classList={{ on: !category() }}
                aria-pressed={!category()}
                onClick={() => setCategory(undefined)}
              >
                {t("board.all")}
              </button>
              <For each={BOARD_CATEGORIES}>
                {(c) => (
                  <button
                    type="button"
                    class="chip"
                    classList={{ on: category() === c }}
                    aria-pressed={category() === c}
                    onClick={() => setCategory(c)}
                  >
                    {t(`board.category.${c}`)}
                  </button>
                )}
              </For>
            </fieldset>
            <fieldset class="chips">
              <legend class="sr-only">{t("board.sortLabel")}</legend>
              <For each={["newest", "popular"] as const}>
                {(s) => (
                  <button
                    type="button"
                    class="chip"
                    classList={{ on: sort() === s }}
                    aria-pressed={sort() === s}
                    onClick={() => setSort(s)}
                  >
                    {t(`board.sort.${s}`)}
                  </button>
                )}
              </For>
            </fieldset>
            <Switch>
              <Match when={posts.error}>
                <LoadError error={posts.error} retry={refetch} />
              </Match>
              <Match when={posts.loading && !posts.latest}>
                <Loading />
              </Match>
              <Match when={posts.latest?.items.length === 0}>
                <Empty>
                  <p>{query() ? t("board.noResults", { query: query() }) : t("board.empty")}</p>
                </Empty>
              </Match>
              <Match when={posts.latest}>
                <ul class="cards" data-testid="board-list" aria-busy={posts.loading}>
                  <For each={posts.latest?.items}>
                    {(p) => (
                      <li>
                        <A href={`/board/${p.id}`} class="card post-link">
                          <small class="reason">{t(`board.category.${p.category}`)}</small>
                          <h3>{p.title}</h3>
                          <p class="muted excerpt">{p.excerpt}</p>
                          <small class="muted">
                            {p.author.displayName} · {formatDate(p.createdAt, locale())} ·{" "}
                            {t("board.counts", { likes: p.likeCount, comments: p.commentCount })}
                          </small>
                        </A>
                      </li>
                    )}
                  </For>
                </ul>
              </Match>
            </Switch>
          </>
        )}
      </Show>
    </>
  );
}
