import { fromBase64Url, toBase64Url } from "../lib/ids";

/**
 * Versioned AES-256-GCM keys from BILLING_KEY_SECRETS ("version:base64key" pairs, comma-separated). The highest
 * version encrypts; every listed version decrypts, so rotation is: add a higher version, deploy, and rows move to it
 * lazily the next time they are used (or by a sweep); drop an old version only when no row uses it.
 */

export interface Keyring {
  current: number;
  keys: Map<number, CryptoKey>;
}

export interface Sealed {
  version: number;
  /** base64url(12-byte IV || ciphertext+tag) */
  ciphertext: string;
}

const cache = new Map<string, Promise<Keyring>>();

export function loadKeyring(secret: string | undefined): Promise<Keyring> {
  const spec = secret ?? "";
  let ring = cache.get(spec);
  if (!ring) {
    ring = parseKeyring(spec);
    cache.set(spec, ring);
    ring.catch(() => cache.delete(spec));
  }
  return ring;
}

async function parseKeyring(spec: string): Promise<Keyring> {
  const keys = new Map<number, CryptoKey>();
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = entry.match(/^(\d{1,6}):([A-Za-z0-9+/_-]+={0,2})$/);
    if (!match) throw new Error("BILLING_KEY_SECRETS: each entry is version:base64key");
    const version = Number(match[1]);
    const raw = fromBase64Url(match[2].replace(/=+$/, ""));
    if (raw.length !== 32) throw new Error(`BILLING_KEY_SECRETS: version ${version} is not a 32-byte key`);
    if (keys.has(version)) throw new Error(`BILLING_KEY_SECRETS: version ${version} appears twice`);
    keys.set(version, await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
  }
  if (keys.size === 0) throw new Error("BILLING_KEY_SECRETS is not set");
  return { current: Math.max(...keys.keys()), keys };
}

export async function seal(ring: Keyring, plaintext: string, aad: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = ring.keys.get(ring.current)!;
  const encoder = new TextEncoder();
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
      key,
      encoder.encode(plaintext),
    ),
  );
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return { version: ring.current, ciphertext: toBase64Url(out) };
}

/** Throws when the version is unknown or the ciphertext/AAD were tampered with. */
export async function open(ring: Keyring, sealed: Sealed, aad: string): Promise<string> {
  const key = ring.keys.get(sealed.version);
  if (!key) throw new Error(`BILLING_KEY_SECRETS has no version ${sealed.version}`);
  const bytes = fromBase64Url(sealed.ciphertext);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(aad) },
    key,
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}
