import { verifyRegionInput } from "../../../shared/schemas/regions";
import { listRegions, verifyRegion } from "../../regions/verification";
import { startBookMove } from "../../wallet/books";
import { authedProcedure, publicProcedure, router } from "../init";

export const regionsRouter = router({
  list: publicProcedure.query(({ ctx }) => listRegions(ctx.db)),

  verify: authedProcedure.input(verifyRegionInput).mutation(async ({ ctx, input }) => {
    const previousHome = ctx.user.homeRegionId;
    const { region, verification } = await verifyRegion(
      ctx.db,
      ctx.user.id,
      input.regionId,
      input.lat,
      input.lng,
      ctx.now,
    );
    // points live in the home region's book: they follow the user
    if (previousHome && previousHome !== region.id) {
      await startBookMove(ctx.env, {
        userId: ctx.user.id,
        fromRegion: previousHome,
        toRegion: region.id,
        now: ctx.now,
      });
    }
    return {
      regionId: region.id,
      regionName: region.name,
      distanceM: verification.distanceM,
      verifiedAt: verification.verifiedAt,
      expiresAt: verification.expiresAt,
    };
  }),
});
