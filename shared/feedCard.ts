import { GROUP_BUY_STATUSES, type GroupBuyStatus, PRODUCT_CATEGORIES, type ProductCategory } from "./groupbuy";

/**
 * The home feed's card and filter bar, as HTML: the one template both the worker (worker/web/home.ts streams the first feed page
 * into index.html) and the SPA (pages/home/Feed.tsx) draw, so the card the server painted and the one the app takes
 * over with are the same markup (and take the same room: the cards do not move when the app takes over). Every value from the group buy is escaped here; callers pass plain data.
 */

/** What a card shows of a group buy (a subset of groupBuys.list's items). */
export interface FeedCardItem {
  id: string;
  title: string;
  sellerName: string;
  category: string;
  pricePerShare: number;
  takenShares: number;
  totalShares: number;
}

/** The UI strings a card needs, already in the reader's language (keys of client/src/i18n). */
export type CardWords = (
  key:
    | "gb.filled"
    | "gb.shares"
    | "gb.perShare"
    | `category.${string}`
    | `gb.status.${string}`
    | "feed.filters"
    | "feed.status"
    | "feed.category"
    | "feed.allCategories",
  params?: Record<string, string | number>,
) => string;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or an attribute value (quoted) → HTML that shows exactly that text. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The inside of the share progress bar, `<div class="progress">` (also on the suggestions' cards). */
export function progressHtml(taken: number, total: number, t: CardWords): string {
  return (
    `<progress max="${escapeHtml(total)}" value="${escapeHtml(taken)}" aria-label="${escapeHtml(t("gb.filled"))}">` +
    `</progress><span>${escapeHtml(t("gb.shares", { taken, total }))}</span>`
  );
}

/** The inside of one feed list item (`<li>`): the card with its link to the group buy. */
export function feedCardHtml(g: FeedCardItem, t: CardWords, won: (amount: number) => string): string {
  return (
    `<article class="card gb" data-testid="feed-item">` +
    `<h3><a href="/g/${encodeURIComponent(g.id)}">${escapeHtml(g.title)}</a></h3>` +
    `<p class="muted">${escapeHtml(g.sellerName)} · ${escapeHtml(t(`category.${g.category}`))}</p>` +
    `<p class="price">${escapeHtml(t("gb.perShare", { price: won(g.pricePerShare) }))}</p>` +
    `<div class="progress">${progressHtml(g.takenShares, g.totalShares, t)}</div></article>`
  );
}

/** What the filter bar has chosen. */
export interface FeedFilters {
  status: GroupBuyStatus;
  category: ProductCategory | "";
}

function optionHtml(value: string, label: string, chosen: string): string {
  return `<option value="${escapeHtml(value)}"${value === chosen ? " selected" : ""}>${escapeHtml(label)}</option>`;
}

/** The inside of the feed's `<fieldset class="filters">`: the status and category selects (#feed-status, #feed-category). */
export function feedFiltersHtml(t: CardWords, chosen: FeedFilters): string {
  const statuses = GROUP_BUY_STATUSES.map((s) => optionHtml(s, t(`gb.status.${s}`), chosen.status)).join("");
  const categories = PRODUCT_CATEGORIES.map((c) => optionHtml(c, t(`category.${c}`), chosen.category)).join("");
  return (
    `<legend class="sr-only">${escapeHtml(t("feed.filters"))}</legend>` +
    `<div class="field"><label for="feed-status">${escapeHtml(t("feed.status"))}</label>` +
    `<select id="feed-status">${statuses}</select></div>` +
    `<div class="field"><label for="feed-category">${escapeHtml(t("feed.category"))}</label>` +
    `<select id="feed-category">${optionHtml("", t("feed.allCategories"), chosen.category)}${categories}</select></div>`
  );
}
