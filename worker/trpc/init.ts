import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { isSuspended } from "../accounts/auth";
import { ErrorDetails } from "../lib/errors";
import type { Context } from "./context";

const t = initTRPC.context<Context>().create({
  // Plain JSON: money is integer won and timestamps are epoch ms, so no transformer is needed.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: internal
        ? `Something went wrong on our side. Quote request id ${ctx?.requestId ?? "unknown"} if you contact support.`
        : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        requestId: ctx?.requestId,
        zodError: error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null,
        details: !internal && error.cause instanceof ErrorDetails ? error.cause.details : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user, auth: ctx.auth } });
});

/** For actions a suspended user may not take (join, post, chat): they can still log in and read. */
export const activeProcedure = authedProcedure.use(({ ctx, next }) => {
  if (isSuspended(ctx.user, ctx.now)) {
    const until = new Date(ctx.user.suspendedUntil ?? 0).toISOString().slice(0, 10);
    throw new TRPCError({ code: "FORBIDDEN", message: `Your account is suspended until ${until}.` });
  }
  return next();
});

export const sellerProcedure = activeProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "seller") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "Only approved sellers can do this. Apply to become a seller first.",
    });
  }
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only." });
  return next();
});
