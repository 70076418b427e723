import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createSession, revokeSession } from "../../worker/accounts/sessions";
import { getDb } from "../../worker/db/client";
import { users } from "../../worker/db/schema";
import { callApi } from "./api";
import { bearerClient, browserFetch, cookieClient, errorOf, newBuyer, uniqueEmail } from "./helpers";

const db = getDb(env);
const DAY = 86_400_000;

describe("signup, login, logout, me", () => {
  it("signs up with a session cookie and reads me", async () => {
    const { client, jar, email } = await newBuyer();
    expect(jar.cookies.get("__Host-gonggu_session")).toBeTruthy();
    const me = await client.auth.me.query();
    expect(me.email).toBe(email);
    expect(me.role).toBe("buyer");
    expect(me.verification).toBeNull();
    expect(me).not.toHaveProperty("passwordHash");
  });

  it("sets the session cookie __Host-, HttpOnly, Secure, SameSite=Lax for the whole site, expiring with the session", async () => {
    const res = await callApi({
      path: "auth.signup",
      kind: "mutation",
      input: { email: uniqueEmail(), password: "correct horse battery", displayName: "쿠키" },
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ token: null });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-gonggu_session="));
    const attrs = (cookie ?? "").split(";").map((a) => a.trim().toLowerCase());
    expect(attrs).toEqual(expect.arrayContaining(["httponly", "secure", "samesite=lax", "path=/"]));
    // __Host-: a sibling subdomain cannot set it, and the browser refuses it with a Domain
    expect(attrs.some((a) => a.startsWith("domain="))).toBe(false);
    const expires = Date.parse(attrs.find((a) => a.startsWith("expires="))?.slice(8) ?? "");
    expect(Math.abs(expires - (res.data as { expiresAt: number }).expiresAt)).toBeLessThan(1000);
    expect(expires - Date.now()).toBeGreaterThan(29 * DAY);
  });

  it("ignores a session under the old cookie name, which a sibling subdomain could plant (session fixation)", async () => {
    const { jar } = await newBuyer();
    const token = jar.cookies.get("__Host-gonggu_session");
    expect((await callApi({ path: "auth.me", kind: "query", cookie: `__Host-gonggu_session=${token}` })).status).toBe(
      200,
    );
    const planted = await callApi({ path: "auth.me", kind: "query", cookie: `gonggu_session=${token}` });
    expect(planted.code).toBe("UNAUTHORIZED");
  });

  it("normalises email: signup and login ignore case and surrounding spaces", async () => {
    const email = uniqueEmail("Mixed.Case");
    await cookieClient().auth.signup.mutate({
      email: `  ${email.toUpperCase()} `,
      password: "correct horse battery",
      displayName: "대소문자",
    });
    const login = await bearerClient().auth.login.mutate({
      email: email.toLowerCase(),
      password: "correct horse battery",
      tokenKind: "bearer",
    });
    expect(login.user.email).toBe(email.toLowerCase());
  });

  it("rejects a duplicate email case-insensitively", async () => {
    const { email } = await newBuyer();
    const err = await errorOf(
      cookieClient().auth.signup.mutate({
        email: email.toUpperCase(),
        password: "another password",
        displayName: "둘째",
      }),
    );
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/already exists.*Log in/);
  });

  it("logs in with a bearer token, and logout revokes it", async () => {
    const { email, password } = await newBuyer();
    const login = await bearerClient().auth.login.mutate({ email, password, tokenKind: "bearer" });
    // signed: <user id>.<expiry, base 36>.<24 random bytes>.<HMAC-SHA256 tag> (worker/accounts/sessionToken.ts)
    expect(login.token).toMatch(/^[0-9A-Z]{26}\.[0-9a-z]+\.[\w-]{32}\.[\w-]{43}$/);
    expect(login.token?.split(".")[0]).toBe(login.user.id);
    expect(Number.parseInt(login.token?.split(".")[1] ?? "", 36)).toBe(login.expiresAt);
    const sdk = bearerClient(login.token ?? "");
    expect((await sdk.auth.me.query()).email).toBe(email);
    await sdk.auth.logout.mutate();
    expect((await errorOf(sdk.auth.me.query())).code).toBe("UNAUTHORIZED");
  });

  it("logs in with a cookie by default; logout clears the cookie and the old cookie stops working", async () => {
    const { email, password } = await newBuyer();
    const jar = browserFetch();
    const client = cookieClient(jar);
    const login = await client.auth.login.mutate({ email, password });
    expect(login.token).toBeNull();
    const stolen = jar.cookies.get("__Host-gonggu_session");
    expect(stolen).toBeTruthy();
    expect((await client.auth.me.query()).email).toBe(email);

    await client.auth.logout.mutate();
    expect(jar.cookies.has("__Host-gonggu_session")).toBe(false);
    const replay = await callApi({ path: "auth.me", kind: "query", cookie: `__Host-gonggu_session=${stolen}` });
    expect(replay.code).toBe("UNAUTHORIZED");
  });

  it("gives the same error for unknown email and wrong password", async () => {
    const { email } = await newBuyer();
    const wrong = await errorOf(bearerClient().auth.login.mutate({ email, password: "wrong password!" }));
    const unknown = await errorOf(
      bearerClient().auth.login.mutate({ email: uniqueEmail(), password: "wrong password!" }),
    );
    expect(wrong).toEqual(unknown);
    expect(wrong.code).toBe("UNAUTHORIZED");
    expect(wrong.message).toBe("Email or password is incorrect.");
  });

  it("lets a suspended user log in and read their account", async () => {
    const { user, email, password } = await newBuyer();
    await db
      .update(users)
      .set({ suspendedUntil: Date.now() + 3 * DAY })
      .where(eq(users.id, user.id));
    const login = await bearerClient().auth.login.mutate({ email, password, tokenKind: "bearer" });
    const me = await bearerClient(login.token ?? "").auth.me.query();
    expect(me.suspendedUntil).toBeGreaterThan(Date.now());
    // what only active accounts may do is refused with the reason and its end, for the app to word
    const refused = await errorOf(
      bearerClient(login.token ?? "").sellers.applyToSell.mutate({
        businessName: "정지된 상점",
        businessNumber: "123-45-67890",
      }),
    );
    expect(refused).toMatchObject({
      code: "FORBIDDEN",
      details: { reason: "suspended", until: me.suspendedUntil },
    });
  });

  it("flattens zod issues for bad input and says what to fix", async () => {
    const err = await errorOf(
      cookieClient().auth.signup.mutate({ email: "nope", password: "short", displayName: "x" }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.zodError).toMatchObject({
      fieldErrors: { email: expect.any(Array), password: expect.any(Array), displayName: expect.any(Array) },
    });
    expect(err.message).toContain("email: Enter a valid email address");
    expect(err.message).toContain("password: Password must be at least 10 characters");
  });
});

describe("sessions", () => {
  it("refuses an expired session", async () => {
    const { user } = await newBuyer();
    // A 30-day session created 30 days and a second ago.
    const { token, expiresAt } = await createSession(
      db,
      env.PASSWORD_PEPPER,
      user.id,
      "bearer",
      30,
      Date.now() - 30 * DAY - 1000,
    );
    expect(expiresAt).toBeLessThan(Date.now());
    expect((await errorOf(bearerClient(token).auth.me.query())).code).toBe("UNAUTHORIZED");
    const asCookie = await callApi({ path: "auth.me", kind: "query", cookie: `__Host-gonggu_session=${token}` });
    expect(asCookie.code).toBe("UNAUTHORIZED");
  });

  it("accepts a session until it expires", async () => {
    const { user } = await newBuyer();
    const { token } = await createSession(
      db,
      env.PASSWORD_PEPPER,
      user.id,
      "bearer",
      30,
      Date.now() - 30 * DAY + 60_000,
    );
    expect((await bearerClient(token).auth.me.query()).id).toBe(user.id);
  });

  it("refuses a revoked session", async () => {
    const { user } = await newBuyer();
    const { token } = await createSession(db, env.PASSWORD_PEPPER, user.id, "bearer", 30, Date.now());
    expect((await bearerClient(token).auth.me.query()).id).toBe(user.id);
    await revokeSession(db, token, Date.now());
    expect((await errorOf(bearerClient(token).auth.me.query())).code).toBe("UNAUTHORIZED");
  });

  it("reads a bearer token from the Authorization header whatever the scheme's case", async () => {
    const { user } = await newBuyer();
    const { token } = await createSession(db, env.PASSWORD_PEPPER, user.id, "bearer", 30, Date.now());
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const res = await callApi({ path: "auth.me", kind: "query", headers: { authorization: `${scheme} ${token}` } });
      expect(res.code, scheme).toBeNull();
      expect((res.data as { id: string }).id).toBe(user.id);
    }
  });

  it("treats an unknown or malformed token as anonymous, not as an error", async () => {
    for (const token of ["x", "a".repeat(43), "a".repeat(500)]) {
      expect((await callApi({ path: "auth.me", kind: "query", token })).code).toBe("UNAUTHORIZED");
    }
    expect((await callApi({ path: "health", kind: "query", token: "junk-token-value-1234567" })).status).toBe(200);
  });
});
