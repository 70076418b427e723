import { fromBase64Url, randomToken, toBase64Url } from "../lib/ids";

/**
 * Self-authenticating session tokens: `<userId>.<expiresAt, base 36>.<random>.<tag>`, the tag an HMAC-SHA256 of the
 * first three parts under a key derived (HKDF) from PASSWORD_PEPPER. D1 still decides whether a session is live
 * (sessions.ts looks tokens up by their SHA-256, as before); the tag only lets a hot path tell, without D1, that we
 * issued this token to this user and that it has not expired. What it cannot tell is a logout or a suspension, so a
 * claim (tokenClaim) may only ever decide a refusal (the join fast paths: "sold out"); anything that can move points
 * reads the session from D1 first. Tokens issued before this format (no dots) carry no claim and simply take the D1
 * path. A wrong tag (forged, or signed under an older pepper) carries no claim either.
 */

const INFO = new TextEncoder().encode("gonggu session token v1");
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: INFO },
        base,
        { name: "HMAC", hash: "SHA-256", length: 256 },
        false,
        ["sign", "verify"],
      );
    })();
    keys.set(secret, key);
  }
  return key;
}

/** A new token for `userId` valid until `expiresAt` (epoch ms); 24 random bytes, so it is unguessable on its own. */
export async function signedSessionToken(secret: string, userId: string, expiresAt: number): Promise<string> {
  const body = `${userId}.${expiresAt.toString(36)}.${randomToken(24)}`;
  const tag = await crypto.subtle.sign("HMAC", await keyFor(secret), new TextEncoder().encode(body));
  return `${body}.${toBase64Url(new Uint8Array(tag))}`;
}

/** Longest token any format produces (sessions.ts rejects longer ones before hashing). */
export const MAX_TOKEN_LENGTH = 160;

/**
 * Tokens whose tag this isolate has verified, with their claim: a storm's attempts are mostly the same people
 * retrying, and the WebCrypto verify (an async call into the runtime, with its base64 decoding and encoding) was ~12 %
 * of a sold-out refusal's isolate time. An entry is the exact token string that passed `crypto.subtle.verify` under
 * `secret`, so a hit answers what verifying again would (HMAC is deterministic): a token that differs in any character
 * (another id, expiry or tag) is a miss and is verified, and nothing is stored unless it verified. Expiry is checked
 * on every hit against the caller's `now`. A token's claim never reflected logout or suspension (only D1 knows those,
 * and a claim only ever decides a refusal), so caching it makes nothing later to revoke. Keyed by the token itself,
 * unlike the session cache (keyed by the SHA-256 the D1 lookup needs anyway): hashing it here would cost about what
 * the cache saves. Bounded: MAX_CLAIMS entries (~2.5 MB), the oldest go first; an expired entry goes at its next use.
 */
export const MAX_CLAIMS = 10_000;
const verified = new Map<string, { secret: string; userId: string; expiresAt: number }>();

/**
 * Who a token was issued to, if it is one of ours (tag checks out, constant time) and not expired; null otherwise.
 * Says nothing about logout or suspension: only for answers that are a refusal either way.
 */
export async function tokenClaim(secret: string, token: string, now: number): Promise<{ userId: string } | null> {
  const hit = verified.get(token);
  if (hit !== undefined && hit.secret === secret) {
    if (now < hit.expiresAt) return { userId: hit.userId };
    verified.delete(token);
    return null;
  }
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 4) return null;
  const [userId, exp, , tag] = parts;
  const expiresAt = Number.parseInt(exp, 36);
  if (!userId || !Number.isSafeInteger(expiresAt) || now >= expiresAt || !/^[A-Za-z0-9_-]{43}$/.test(tag)) {
    return null;
  }
  const ok = await crypto.subtle.verify(
    "HMAC",
    await keyFor(secret),
    fromBase64Url(tag),
    new TextEncoder().encode(token.slice(0, token.length - tag.length - 1)),
  );
  if (!ok) return null;
  verified.delete(token);
  if (verified.size >= MAX_CLAIMS) verified.delete(verified.keys().next().value as string);
  verified.set(token, { secret, userId, expiresAt });
  return { userId };
}

/** Whether this isolate holds a verified claim for `token` (tests: a hit is not verified again). */
export function hasVerifiedClaim(token: string): boolean {
  return verified.has(token);
}
