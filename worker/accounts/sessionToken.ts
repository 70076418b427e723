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
 * Who a token was issued to, if it is one of ours (tag checks out, constant time) and not expired; null otherwise.
 * Says nothing about logout or suspension: only for answers that are a refusal either way.
 */
export async function tokenClaim(secret: string, token: string, now: number): Promise<{ userId: string } | null> {
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
  return ok ? { userId } : null;
}
