import { verifyRegionInput } from "../../../shared/schemas/regions";
import { listRegions, verifyRegion } from "../../regions/verification";
import { authedProcedure, publicProcedure, router } from "../init";

export const regionsRouter = router({
  list: publicProcedure.query(({ ctx }) => listRegions(ctx.db)),

  verify: authedProcedure.input(verifyRegionInput).mutation(async ({ ctx, input }) => {
    const { region, verification } = await verifyRegion(
      ctx.db,
      ctx.user.id,
      input.regionId,
      input.lat,
      input.lng,
      ctx.now,
    );
    return {
      regionId: region.id,
      regionName: region.name,
      distanceM: verification.distanceM,
      verifiedAt: verification.verifiedAt,
      expiresAt: verification.expiresAt,
    };
  }),
});
