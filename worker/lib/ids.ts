// Sortable random ids (ULID layout): 48-bit millisecond time + 80 random bits, Crockford base32, 26 chars.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Random bytes for ids, drawn from the CSPRNG a pool at a time: every API request takes an id (its request id), and
 * one getRandomValues call per id was ~5 % of a sold-out refusal's isolate time. Each byte is used once (five bits of
 * it, as before: 256 is a multiple of 32, so each character stays uniform), so the ids are as unpredictable as with a
 * call per id. Ids are not secrets (randomToken makes those, straight from the CSPRNG).
 */
const POOL_BYTES = 4_096;
let pool = new Uint8Array(0);
let used = 0;
/** The last time prefix built (a storm's ids share their millisecond). */
let lastNow = Number.NaN;
let lastTime = "";

export function newId(now: number = Date.now()): string {
  if (now !== lastNow) {
    let time = "";
    let t = now;
    for (let i = 0; i < 10; i++) {
      time = ALPHABET[t % 32] + time;
      t = Math.floor(t / 32);
    }
    lastNow = now;
    lastTime = time;
  }
  if (used + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    used = 0;
  }
  let id = lastTime;
  for (let i = used; i < used + 16; i++) id += ALPHABET[pool[i] & 31];
  used += 16;
  return id;
}

export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
