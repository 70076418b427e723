// Why a group buy is suggested: the structured reason the API returns, and its Korean/English text for the SPA and
// SDK users. The category is a key (e.g. "fresh"); pass the app's category label function to show its name.

export type Reason =
  | { kind: "neighbours"; params: { count: number } }
  | { kind: "interest"; params: { category: string } }
  | { kind: "local_popular"; params: Record<string, never> }
  | { kind: "nearby_popular"; params: Record<string, never> };

export type ReasonLocale = "ko" | "en";

export function formatReason(
  reason: Reason,
  locale: ReasonLocale = "ko",
  categoryLabel: (category: string) => string = (c) => c,
): string {
  switch (reason.kind) {
    case "neighbours":
      return locale === "ko"
        ? `이웃 ${reason.params.count}명이 참여`
        : `${reason.params.count} ${reason.params.count === 1 ? "neighbour" : "neighbours"} joined`;
    case "interest":
      return locale === "ko"
        ? `관심 카테고리: ${categoryLabel(reason.params.category)}`
        : `Your interest: ${categoryLabel(reason.params.category)}`;
    case "local_popular":
      return locale === "ko" ? "우리 동네 인기" : "Popular in your neighbourhood";
    case "nearby_popular":
      return locale === "ko" ? "가까운 동네에서 인기" : "Popular in nearby neighbourhoods";
  }
}
