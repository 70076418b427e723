import { publicProcedure, router } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { groupBuysRouter } from "./routers/groupBuys";
import { notificationsRouter } from "./routers/notifications";
import { productsRouter } from "./routers/products";
import { regionsRouter } from "./routers/regions";
import { sellerRouter } from "./routers/seller";
import { sellersRouter } from "./routers/sellers";
import { trustRouter } from "./routers/trust";
import { walletRouter } from "./routers/wallet";

export const appRouter = router({
  health: publicProcedure.query(() => ({ ok: true as const })),
  auth: authRouter,
  regions: regionsRouter,
  sellers: sellersRouter,
  wallet: walletRouter,
  admin: adminRouter,
  notifications: notificationsRouter,
  products: productsRouter,
  groupBuys: groupBuysRouter,
  seller: sellerRouter,
  trust: trustRouter,
});

export type AppRouter = typeof appRouter;
