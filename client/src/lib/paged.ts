import { createMemo, createResource, createSignal } from "solid-js";

export type Page<T> = { items: T[]; nextCursor: string | null };

/**
 * A list paged by the server's cursor: `more()` appends the next page, a new `query` (filters) starts a new list, and
 * `reload()` fetches again every page shown so far (after a write that changed one of them). `query` returns null
 * while there is nothing to ask; it is compared as JSON, so a fresh object with the same filters is the same list.
 * `load` asks for one page (`cursor` undefined: the first).
 */
export function createPaged<Q, T>(
  query: () => Q | null,
  load: (query: Q, cursor: string | undefined) => Promise<Page<T>>,
) {
  const key = createMemo(() => {
    const q = query();
    return q === null ? null : JSON.stringify(q);
  });
  // What the next fetch asks for, for one run of the current filters: a `want` of an earlier run is stale (the filters
  // changed, perhaps back to these) and means "the first page".
  const [want, setWant] = createSignal<{ run: number; cursor?: string; refill?: number }>({ run: 0 });
  let run = 0;
  let runKey: string | null = null;
  const [shown, setShown] = createSignal<{ key: string | null; items: T[]; pages: number }>({
    key: null,
    items: [],
    pages: 0,
  });
  let latest = 0;
  const [page, { refetch }] = createResource(
    () => {
      const k = key();
      if (k === null) return null;
      if (k !== runKey) {
        runKey = k;
        run += 1;
      }
      const w = want();
      return w.run === run ? { key: k, cursor: w.cursor, refill: w.refill ?? 0 } : { key: k, refill: 0 };
    },
    async ({ key: k, cursor, refill }) => {
      const mine = ++latest;
      const q = JSON.parse(k) as Q;
      if (refill > 0) {
        // every page shown so far, from the first (the cursors of later pages may have moved)
        const items: T[] = [];
        let result: Page<T> = { items: [], nextCursor: null };
        let pages = 0;
        do {
          result = await load(q, result.nextCursor ?? undefined);
          items.push(...result.items);
          pages += 1;
        } while (result.nextCursor && pages < refill);
        if (mine === latest) setShown({ key: k, items, pages });
        return result;
      }
      const result = await load(q, cursor);
      if (mine === latest) {
        setShown((s) =>
          cursor && s.key === k
            ? { key: k, items: [...s.items, ...result.items], pages: s.pages + 1 }
            : { key: k, items: result.items, pages: 1 },
        );
      }
      return result;
    },
  );
  /** The items of the current filters (none while a new filter's first page is on its way). */
  const items = () => (shown().key === key() ? shown().items : []);
  /** The cursor of the page after the last one shown, when there is one and nothing is loading. */
  const next = () => (page.loading || page.error ? null : (page.latest?.nextCursor ?? null));
  return {
    page,
    items,
    next,
    refetch,
    more() {
      const cursor = next();
      if (cursor) setWant({ run, cursor });
    },
    reload() {
      setWant({ run, refill: Math.max(1, shown().pages) });
    },
  };
}

export type Paged<T> = ReturnType<typeof createPaged<unknown, T>>;
