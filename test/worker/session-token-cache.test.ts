import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hasVerifiedClaim, MAX_CLAIMS, signedSessionToken, tokenClaim } from "../../worker/accounts/sessionToken";
import { newId } from "../../worker/lib/ids";
import { readAuth } from "../../worker/trpc/context";

const secret = env.PASSWORD_PEPPER;
const HOUR = 3_600_000;
const tokenFor = (userId: string, expiresAt: number) => signedSessionToken(secret, userId, expiresAt);

describe("the per-isolate cache of verified token claims", () => {
  it("keeps a claim once its tag verified; a hit answers the same claim", async () => {
    const user = newId();
    const token = await tokenFor(user, Date.now() + HOUR);
    expect(hasVerifiedClaim(token)).toBe(false);
    expect(await tokenClaim(secret, token, Date.now())).toEqual({ userId: user });
    expect(hasVerifiedClaim(token)).toBe(true);
    expect(await tokenClaim(secret, token, Date.now())).toEqual({ userId: user });
  });

  it("never stores a token whose tag does not verify, and a cached token's altered twins are each verified and refused", async () => {
    const [user, other] = [newId(), newId()];
    const expiresAt = Date.now() + HOUR;
    const token = await tokenFor(user, expiresAt);
    expect(await tokenClaim(secret, token, Date.now())).toEqual({ userId: user });
    const [, exp, random, tag] = token.split(".");
    const flipped = tag[0] === "A" ? `B${tag.slice(1)}` : `A${tag.slice(1)}`;
    const twins = [
      `${user}.${exp}.${random}.${flipped}`, // another tag
      `${other}.${exp}.${random}.${tag}`, // another id under the cached token's tag
      `${user}.${(expiresAt + 86_400_000).toString(36)}.${random}.${tag}`, // a later expiry
      `${user}.${exp}.${random.slice(1)}x.${tag}`, // other random bytes
      `${token}x`, // longer
    ];
    for (const twin of twins) {
      expect(await tokenClaim(secret, twin, Date.now()), twin).toBeNull();
      expect(hasVerifiedClaim(twin), twin).toBe(false);
      expect(await tokenClaim(secret, twin, Date.now()), `${twin} (asked again)`).toBeNull();
    }
    expect(await tokenClaim(secret, token, Date.now())).toEqual({ userId: user });
  });

  it("refuses a cached token once it has expired, and drops it", async () => {
    const user = newId();
    const expiresAt = Date.now() + HOUR;
    const token = await tokenFor(user, expiresAt);
    expect(await tokenClaim(secret, token, expiresAt - 1)).toEqual({ userId: user });
    expect(hasVerifiedClaim(token)).toBe(true);
    expect(await tokenClaim(secret, token, expiresAt)).toBeNull();
    expect(hasVerifiedClaim(token)).toBe(false);
    // an expired token is refused before its tag is checked, so it is not stored again
    expect(await tokenClaim(secret, token, expiresAt + 1)).toBeNull();
    expect(hasVerifiedClaim(token)).toBe(false);
  });

  it("a claim verified under one secret is no claim under another (a new pepper)", async () => {
    const user = newId();
    const token = await tokenFor(user, Date.now() + HOUR);
    expect(await tokenClaim(secret, token, Date.now())).toEqual({ userId: user });
    expect(await tokenClaim(`${secret}-rotated`, token, Date.now())).toBeNull();
    expect(await tokenClaim(secret, token, Date.now())).toEqual({ userId: user });
  });

  it(`holds at most ${MAX_CLAIMS.toLocaleString("en-US")} claims, dropping the oldest first`, {
    timeout: 60_000,
  }, async () => {
    const expiresAt = Date.now() + HOUR;
    const first = await tokenFor(newId(), expiresAt);
    await tokenClaim(secret, first, Date.now());
    expect(hasVerifiedClaim(first)).toBe(true);
    let last = first;
    for (let i = 0; i < MAX_CLAIMS; i += 500) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(500, MAX_CLAIMS - i) }, () => tokenFor(newId(), expiresAt)),
      );
      for (const token of batch) expect(await tokenClaim(secret, token, Date.now())).not.toBeNull();
      last = batch[batch.length - 1];
    }
    expect(hasVerifiedClaim(first), "the oldest went").toBe(false);
    expect(hasVerifiedClaim(last)).toBe(true);
    // evicted is only forgotten: it verifies again
    expect(await tokenClaim(secret, first, Date.now())).not.toBeNull();
  });
});

describe("readAuth, once per request", () => {
  it("answers the same for the same request, and reads a rebuilt request afresh", () => {
    const req = new Request("https://gonggu.test/api/trpc/x", { headers: { authorization: "Bearer abc.def" } });
    const first = readAuth(req);
    expect(first).toEqual({ token: "abc.def", kind: "bearer" });
    expect(readAuth(req)).toBe(first);
    // a middleware that rebuilds the Request (the body limit does for a streamed body) makes a new one: read again
    const rebuilt = new Request(req, { headers: { cookie: "__Host-gonggu_session=zzz" } });
    expect(readAuth(rebuilt)).toEqual({ token: "zzz", kind: "cookie" });
    expect(readAuth(new Request(req, { headers: {} }))).toBeNull();
    expect(readAuth(req)).toBe(first);
  });
});
