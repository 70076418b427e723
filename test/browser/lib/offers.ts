import type { GongguClient, RouterInputs } from "../../../shared/sdk.ts";

const HOUR = 3_600_000;

/**
 * A seller's new product offered as an OPEN group buy in 서교동 (the demo sellers' neighbourhood): deadline in 26 h,
 * pickup at the community centre 30–34 h from now.
 */
export async function offerInSeogyo(
  seller: GongguClient,
  product: RouterInputs["products"]["create"],
  shares: Pick<RouterInputs["groupBuys"]["create"], "totalShares" | "minShares" | "maxPerPerson">,
) {
  const created = await seller.products.create.mutate(product);
  const now = Date.now();
  const { groupBuy } = await seller.groupBuys.create.mutate({
    productId: created.id,
    regionId: "seoul-mapo-seogyo",
    ...shares,
    deadline: now + 26 * HOUR,
    pickupPlace: "서교동 주민센터 앞",
    pickupStart: now + 30 * HOUR,
    pickupEnd: now + 34 * HOUR,
  });
  return { product: created, groupBuy };
}
