import { exports } from "cloudflare:workers";
import { TRPCClientError } from "@trpc/client";
import { createGongguClient, gongguErrorOf, type RouterOutputs } from "gonggu/sdk";
import { describe, expect, expectTypeOf, it } from "vitest";
import { testClientIp } from "./api";
import { BASE, uniqueEmail } from "./helpers";

const workerFetch: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));

/** The SDK's first steps: sign up, log in for a bearer token, read your own account with it. */
async function signUpWithToken() {
  const email = uniqueEmail("sdk");
  const password = "correct horse battery staple";
  const anonymous = createGongguClient({
    url: BASE,
    fetch: workerFetch,
    headers: { "cf-connecting-ip": testClientIp() },
  });
  await anonymous.auth.signup.mutate({ email, password, displayName: "SDK 이웃" });
  const { token } = await anonymous.auth.login.mutate({ email, password, tokenKind: "bearer" });
  const me = await createGongguClient({ url: BASE, token: token ?? undefined, fetch: workerFetch }).auth.me.query();
  return { me, token };
}

describe("SDK", () => {
  it("signs up, logs in with a bearer token and reads auth.me", async () => {
    const { me, token } = await signUpWithToken();
    expect(me).toMatchObject({ role: "buyer", displayName: "SDK 이웃", verification: null });
    expect(me.email).toMatch(/^sdk-.*@example\.com$/);
    expect(token).toMatch(/^[0-9A-Z]{26}\.[0-9a-z]+\.[\w-]{32}\.[\w-]{43}$/); // signed (sessionToken.ts)
    expectTypeOf(me).toEqualTypeOf<RouterOutputs["auth"]["me"]>();
  });

  it("surfaces typed errors, including ones answered before tRPC (body limit)", async () => {
    const client = createGongguClient({ url: `${BASE}/`, fetch: workerFetch });
    const unauthorized = await client.auth.me.query().catch((e) => e);
    expect(unauthorized).toBeInstanceOf(TRPCClientError);
    expect(unauthorized.data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });

    const tooBig = await client.auth.signup
      .mutate({ email: "big@example.com", password: "x".repeat(70_000), displayName: "큰값" })
      .catch((e) => e);
    expect(tooBig).toBeInstanceOf(TRPCClientError);
    expect(tooBig.data).toMatchObject({ code: "PAYLOAD_TOO_LARGE", httpStatus: 413 });
    expect(tooBig.message).toMatch(/64 KB/);
    // gongguErrorOf reads both the same way; fields the early answer lacks are null, not undefined
    expect(gongguErrorOf(tooBig)).toEqual({
      code: "PAYLOAD_TOO_LARGE",
      message: tooBig.message,
      httpStatus: 413,
      requestId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      zodError: null,
      issues: null,
      retryAfterSeconds: null,
      details: null,
      reason: null,
    });
    expect(gongguErrorOf(unauthorized)).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401, reason: null });
  });

  it("sends the token from a function on every call (token refresh)", async () => {
    const { token } = await signUpWithToken();
    let current: string | undefined;
    const client = createGongguClient({ url: BASE, token: () => current, fetch: workerFetch });
    expect((await client.auth.me.query().catch((e) => e)).data?.code).toBe("UNAUTHORIZED");
    current = token ?? undefined;
    expect((await client.auth.me.query()).role).toBe("buyer");
  });
});
