import { publicProcedure, router } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { notificationsRouter } from "./routers/notifications";
import { regionsRouter } from "./routers/regions";
import { sellersRouter } from "./routers/sellers";

export const appRouter = router({
  health: publicProcedure.query(() => ({ ok: true as const })),
  auth: authRouter,
  regions: regionsRouter,
  sellers: sellersRouter,
  admin: adminRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;
