import type { Translate } from "../i18n/ko";

/**
 * Why a buy ended, in the reader's language: a failed buy from its rule (the room's stored reason is an English
 * sentence for SDK callers), a cancelled one in the canceller's own words. null for every other state.
 */
export function statusNote(
  t: Translate,
  status: string | undefined,
  reason: string | null | undefined,
  minShares: number,
): string | null {
  if (status === "FAILED") return t("gb.failedNote", { min: minShares });
  if (status === "CANCELLED") return reason || null;
  return null;
}
