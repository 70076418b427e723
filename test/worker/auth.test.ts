import { describe, expect, it } from "vitest";
import { bearerClient, cookieClient, errorOf, newBuyer, uniqueEmail } from "./helpers";

describe("auth", () => {
  it("signs up with a session cookie and reads me", async () => {
    const { client, jar, email } = await newBuyer();
    expect(jar.cookies.get("gonggu_session")).toBeTruthy();
    const me = await client.auth.me.query();
    expect(me.email).toBe(email);
    expect(me.role).toBe("buyer");
    expect(me).not.toHaveProperty("passwordHash");
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
  });

  it("logs in with a bearer token, and logout revokes it", async () => {
    const { email, password } = await newBuyer();
    const login = await bearerClient().auth.login.mutate({ email, password, tokenKind: "bearer" });
    expect(login.token).toBeTruthy();
    const sdk = bearerClient(login.token ?? "");
    expect((await sdk.auth.me.query()).email).toBe(email);
    await sdk.auth.logout.mutate();
    expect((await errorOf(sdk.auth.me.query())).code).toBe("UNAUTHORIZED");
  });

  it("gives the same error for unknown email and wrong password", async () => {
    const { email } = await newBuyer();
    const wrong = await errorOf(bearerClient().auth.login.mutate({ email, password: "wrong password!" }));
    const unknown = await errorOf(
      bearerClient().auth.login.mutate({ email: uniqueEmail(), password: "wrong password!" }),
    );
    expect(wrong).toEqual(unknown);
    expect(wrong.code).toBe("UNAUTHORIZED");
  });

  it("flattens zod issues for bad input", async () => {
    const err = await errorOf(
      cookieClient().auth.signup.mutate({ email: "nope", password: "short", displayName: "x" }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.zodError).toMatchObject({
      fieldErrors: { email: expect.any(Array), password: expect.any(Array), displayName: expect.any(Array) },
    });
  });
});
