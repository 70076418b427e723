import { A } from "@solidjs/router";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { BOARD_CATEGORIES } from "../../../shared/schemas/board";
import { Ago } from "../components/Ago";
import { MoreButton } from "../components/MoreButton";
import { Empty, LoadError, Loading } from "../components/Status";
import { api } from "../lib/api";
import { t } from "../lib/i18n";
import { createPaged } from "../lib/paged";
import { session } from "../lib/session";
import { EditedMark } from "./board/EditedMark";
import { PostForm } from "./board/PostForm";

type Category = (typeof BOARD_CATEGORIES)[number];

/** A page of the list: 20 posts (the server allows up to BOARD_PAGE_MAX). */
const BOARD_PAGE = 20;

export default function BoardPage() {
  const regionId = () => session.me()?.homeRegionId ?? null;
  const [category, setCategory] = createSignal<Category | undefined>(undefined);
  const [query, setQuery] = createSignal("");
  const [sort, setSort] = createSignal<"newest" | "popular">("newest");
  const [writing, setWriting] = createSignal(false);
  const list = createPaged(
    () => {
      const id = regionId();
      return id ? { regionId: id, category: category(), query: query() || undefined, sort: sort() } : null;
    },
    (args, cursor) => api.board.list.query({ ...args, cursor, limit: BOARD_PAGE }),
  );
  const posts = list.page;

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
              <PostForm
                heading={t("board.new")}
                submitLabel={t("board.post")}
                pendingLabel={t("board.posting")}
                save={(fields) => api.board.create.mutate({ regionId: id(), ...fields })}
                onSaved={() => {
                  setWriting(false);
                  list.reload();
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
              <Match when={posts.error && list.items().length === 0}>
                <LoadError error={posts.error} retry={list.refetch} />
              </Match>
              <Match when={posts.loading && list.items().length === 0}>
                <Loading />
              </Match>
              <Match when={list.items().length === 0}>
                <Empty>
                  <p>{query() ? t("board.noResults", { query: query() }) : t("board.empty")}</p>
                </Empty>
              </Match>
              <Match when={true}>
                <ul class="cards" data-testid="board-list" aria-busy={posts.loading}>
                  <For each={list.items()}>
                    {(p) => (
                      <li>
                        <A href={`/board/${p.id}`} class="card post-link">
                          <small class="reason">{t(`board.category.${p.category}`)}</small>
                          <h3>{p.title}</h3>
                          <p class="muted excerpt">{p.excerpt}</p>
                          <small class="muted">
                            {p.author.displayName} · <Ago at={p.createdAt} />
                            <EditedMark createdAt={p.createdAt} updatedAt={p.updatedAt} /> ·{" "}
                            {t("board.counts", { likes: p.likeCount, comments: p.commentCount })}
                          </small>
                        </A>
                      </li>
                    )}
                  </For>
                </ul>
              </Match>
            </Switch>
            <Show when={posts.error && list.items().length > 0}>
              <LoadError error={posts.error} retry={list.refetch} />
            </Show>
            <MoreButton list={list} label={t("board.more")} autoload testid="board" />
          </>
        )}
      </Show>
    </>
  );
}
