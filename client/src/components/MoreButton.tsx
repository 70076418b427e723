import { onCleanup, onMount, Show } from "solid-js";
import { t } from "../lib/i18n";

/**
 * The end of a paged list (lib/paged.ts): the next page loads when this scrolls into view (`autoload`), or with the
 * button, which is always there while there is more (keyboards, screen readers, no IntersectionObserver). `end` is
 * said once the last page is shown.
 */
export function MoreButton(props: {
  list: { items: () => unknown[]; next: () => string | null; more: () => void; page: { loading: boolean } };
  label: string;
  end?: string;
  autoload?: boolean;
  testid?: string;
}) {
  let sentinel: HTMLDivElement | undefined;
  onMount(() => {
    if (!props.autoload || !sentinel || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) props.list.more();
      },
      { rootMargin: "200px" },
    );
    observer.observe(sentinel);
    onCleanup(() => observer.disconnect());
  });
  const loading = () => props.list.page.loading;
  return (
    <>
      <div ref={sentinel} aria-hidden="true" />
      <Show when={props.list.items().length > 0}>
        <Show
          when={loading() || props.list.next()}
          fallback={
            <Show when={props.end}>
              <p class="muted" data-testid={props.testid && `${props.testid}-end`}>
                {props.end}
              </p>
            </Show>
          }
        >
          <button
            type="button"
            class="secondary more"
            onClick={() => props.list.more()}
            disabled={loading()}
            aria-busy={loading() || undefined}
            data-testid={props.testid && `${props.testid}-more`}
          >
            {loading() ? t("loading") : props.label}
          </button>
        </Show>
      </Show>
    </>
  );
}
