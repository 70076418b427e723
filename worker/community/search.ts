/** At most this many terms are matched; the rest of a long query is ignored. */
export const MAX_SEARCH_TERMS = 8;

/**
 * Turns what a person typed into a safe FTS5 query: every word becomes a quoted prefix term ("사과"* finds 사과를,
 * 사과가 …) and the terms are ANDed. Quoting makes FTS5 operators (AND, NEAR, column filters, `*`, `^`) plain text, so
 * no input can produce a syntax error. Returns null when nothing searchable is left.
 */
export function toFtsQuery(input: string): string | null {
  const terms = input
    .normalize("NFC")
    // Split where the unicode61 tokenizer splits, so every term is a token it indexed.
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_SEARCH_TERMS);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t}"*`).join(" ");
}
