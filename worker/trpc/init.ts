import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { validationIssues } from "../../shared/validation";
import { failSuspended, isSuspended, LOG_IN_MESSAGE } from "../accounts/auth";
import { detailsOf, retryAfterSeconds } from "../lib/errors";
import type { Context } from "./context";

/** "email: Enter a valid email address; password: …" instead of the JSON dump of issues tRPC puts in the message. */
function describeZodError(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  if (error.issues.length > 5) parts.push(`and ${error.issues.length - 5} more`);
  return `Invalid input — ${parts.join("; ")}`;
}

const t = initTRPC.context<Context>().create({
  // Plain JSON: money is integer won and timestamps are epoch ms, so no transformer is needed.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    // Only input validation reports zod issues; a ZodError thrown deeper is an internal error like any other.
    const zodError = error.code === "BAD_REQUEST" && error.cause instanceof z.ZodError ? error.cause : null;
    let message = shape.message;
    // Internals (SQL, stack, driver messages) stay in the log; the caller gets the request id to quote.
    // SERVICE_UNAVAILABLE is ours to throw (an outside service such as the card gateway is down) and says what to do.
    if (shape.data.httpStatus >= 500 && error.code !== "SERVICE_UNAVAILABLE") {
      message = `Something went wrong on our side. Quote request id ${ctx?.requestId ?? "unknown"} if you contact support.`;
    } else if (zodError) {
      message = describeZodError(zodError);
    }
    return {
      message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        requestId: ctx?.requestId,
        zodError: zodError ? z.flattenError(zodError) : null,
        /** The same problems as stable codes + limits, so clients can word them in the user's language. */
        issues: zodError ? validationIssues(zodError) : null,
        /** Seconds to wait before retrying a TOO_MANY_REQUESTS error (also sent as the Retry-After header). */
        retryAfterSeconds: retryAfterSeconds(error),
        details: shape.data.httpStatus < 500 || error.code === "SERVICE_UNAVAILABLE" ? detailsOf(error) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

function signedIn(ctx: Context) {
  if (!ctx.user || !ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: LOG_IN_MESSAGE });
  return { ...ctx, user: ctx.user, auth: ctx.auth };
}

function assertActive(user: NonNullable<Context["user"]>, now: number): void {
  if (isSuspended(user, now)) failSuspended(user.suspendedUntil);
}

export const authedProcedure = t.procedure.use(({ ctx, next }) => next({ ctx: signedIn(ctx) }));

/** For actions a suspended user may not take (join, post, chat): they can still log in and read. */
export const activeProcedure = authedProcedure.use(({ ctx, next }) => {
  assertActive(ctx.user, ctx.now);
  return next();
});

/**
 * For a procedure whose context may hold only a signed token's claim (context.ts; groupBuys.join):
 *   claimProcedure.input(…).use(<refusals that need only ctx.claim.userId>).mutation(<joinCaller first>)
 * Without a claim, activeProcedure's checks run at once (UNAUTHORIZED / FORBIDDEN before input errors, as
 * everywhere). With one, joinCaller (worker/groupbuy/actions.ts) reads the session (in its guard batch) and runs the
 * same checks before anything but a refusal.
 */
export const claimProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.claim) assertActive(signedIn(ctx).user, ctx.now);
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
