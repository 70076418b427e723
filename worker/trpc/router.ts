import { publicProcedure, router } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { boardRouter } from "./routers/board";
import { groupBuysRouter } from "./routers/groupBuys";
import { membershipRouter } from "./routers/membership";
import { notificationsRouter } from "./routers/notifications";
import { paymentsRouter } from "./routers/payments";
import { productsRouter } from "./routers/products";
import { recommendRouter } from "./routers/recommend";
import { regionsRouter } from "./routers/regions";
import { roomsRouter } from "./routers/rooms";
import { sellerRouter } from "./routers/seller";
import { sellersRouter } from "./routers/sellers";
import { trustRouter } from "./routers/trust";
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
  rooms: roomsRouter,
  recommend: recommendRouter,
  membership: membershipRouter,
  products: productsRouter,
  groupBuys: groupBuysRouter,
  seller: sellerRouter,
  trust: trustRouter,
});

export type AppRouter = typeof appRouter;
