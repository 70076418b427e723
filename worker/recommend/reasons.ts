/**
 * Why an item is suggested. The server sends the structured form; shared/recommend-reasons.ts turns it into
 * Korean or English text for the SPA and SDK users.
 */
export type Reason =
  | { kind: "neighbours"; params: { count: number } }
  | { kind: "interest"; params: { category: string } }
  | { kind: "local_popular"; params: Record<string, never> }
  | { kind: "nearby_popular"; params: Record<string, never> };
