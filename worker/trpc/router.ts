import { publicProcedure, router } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { boardRouter } from "./routers/board";
import { notificationsRouter } from "./routers/notifications";
import { paymentsRouter } from "./routers/payments";
import { recommendRouter } from "./routers/recommend";
import { regionsRouter } from "./routers/regions";
import { sellersRouter } from "./routers/sellers";
import { walletRouter } from "./routers/wallet";

export const appRouter = router({
  health: publicProcedure.query(() => ({ ok: true as const })),
  auth: authRouter,
  regions: regionsRouter,
  sellers: sellersRouter,
  payments: paymentsRouter,
  wallet: walletRouter,
  admin: adminRouter,
  notifications: notificationsRouter,
  board: boardRouter,
  recommend: recommendRouter,
});

export type AppRouter = typeof appRouter;
