import { loginInput, signupInput } from "../../../shared/schemas/accounts";
import { login, signup } from "../../accounts/auth";
import { toMe } from "../../accounts/profile";
import { endSessionSockets } from "../../accounts/sessionSockets";
import { clearedSessionCookie, createSession, revokeSession, sessionCookie } from "../../accounts/sessions";
import { latestVerification } from "../../regions/verification";
import type { Context } from "../context";
import { authedProcedure, publicProcedure, router } from "../init";

async function startSession(ctx: Context, userId: string, kind: "cookie" | "bearer") {
  const session = await createSession(
    ctx.db,
    ctx.env.PASSWORD_PEPPER,
    userId,
    kind,
    Number(ctx.env.SESSION_TTL_DAYS ?? 30),
    ctx.now,
  );
  if (kind === "cookie") {
    ctx.resHeaders.append("Set-Cookie", sessionCookie(session.token, session.expiresAt));
    return { token: null, expiresAt: session.expiresAt };
  }
  return { token: session.token, expiresAt: session.expiresAt };
}

export const authRouter = router({
  signup: publicProcedure.input(signupInput).mutation(async ({ ctx, input }) => {
    const user = await signup(ctx.db, ctx.env.PASSWORD_PEPPER, input, ctx.ip, ctx.now);
    const session = await startSession(ctx, user.id, "cookie");
    return { user: toMe({ ...user, homeRegionId: null, suspendedUntil: null }), ...session };
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const user = await login(ctx.db, ctx.env.PASSWORD_PEPPER, input.email, input.password, ctx.ip, ctx.now);
    const session = await startSession(ctx, user.id, input.tokenKind);
    return { user: toMe(user), ...session };
  }),

  logout: authedProcedure.mutation(async ({ ctx }) => {
    const sessionHash = await revokeSession(ctx.db, ctx.auth.token, ctx.now);
    await endSessionSockets(ctx.env, ctx.db, ctx.user.id, sessionHash, ctx.waitUntil);
    if (ctx.auth.kind === "cookie") ctx.resHeaders.append("Set-Cookie", clearedSessionCookie());
    return { ok: true as const };
  }),

  me: authedProcedure.query(async ({ ctx }) => {
    const verification = await latestVerification(ctx.db, ctx.user.id, ctx.user.homeRegionId);
    return {
      ...toMe(ctx.user),
      verification: verification && {
        regionId: verification.regionId,
        verifiedAt: verification.verifiedAt,
        expiresAt: verification.expiresAt,
        current: verification.expiresAt > ctx.now,
      },
    };
  }),
});
