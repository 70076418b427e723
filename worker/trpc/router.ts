import { publicProcedure, router } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { membershipRouter } from "./routers/membership";
import { notificationsRouter } from "./routers/notifications";
import { recommendRouter } from "./routers/recommend";
import { regionsRouter } from "./routers/regions";
import { sellersRouter } from "./routers/sellers";
import { walletRouter } from "./routers/wallet";

export const appRouter = router({
  health: publicProcedure.query(() => ({ ok: true as const })),
  auth: authRouter,
  regions: regionsRouter,
  sellers: sellersRouter,
  wallet: walletRouter,
  admin: adminRouter,
  notifications: notificationsRouter,
  recommend: recommendRouter,
  membership: membershipRouter,
});

export type AppRouter = typeof appRouter;
