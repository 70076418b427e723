import { kstWallClock } from "../../shared/kst";
import { fromBase64Url, toBase64Url } from "../lib/ids";

/**
 * Toss 지급대행's ENCRYPTION security mode: request and response bodies are compact JWEs (RFC 7516 §7.1) with
 * `alg: "dir"` (the security key itself is the content key) and `enc: "A256GCM"`, plus Toss's custom protected
 * headers `iat` (ISO 8601 with offset) and `nonce` (UUID). Serialization:
 *   BASE64URL(header) . "" (no encrypted key with dir) . BASE64URL(96-bit IV) . BASE64URL(ciphertext) . BASE64URL(tag)
 * and the AAD is the ASCII of the first part (RFC 7516 §5.1 step 14). WebCrypto's AES-GCM output is ciphertext‖tag
 * with a 128-bit tag.
 */

export interface JweHeader {
  alg: "dir";
  enc: "A256GCM";
  iat: string;
  nonce: string;
  [name: string]: unknown;
}

const TAG_BYTES = 16;
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

export class JweError extends Error {
  override name = "JweError";
}

/** The 64-hex-char security key as an AES-256 key (cached per key text). */
export function securityKey(hex: string | undefined): Promise<CryptoKey> {
  const text = (hex ?? "").trim();
  let key = keys.get(text);
  if (!key) {
    key = importKey(text);
    keys.set(text, key);
    key.catch(() => keys.delete(text));
  }
  return key;
}

async function importKey(hex: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", securityKeyBytes(hex), "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** The security key's 32 bytes (the webhook HMAC uses them too). */
export function securityKeyBytes(hex: string): Uint8Array<ArrayBuffer> {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new JweError("TOSS_SECURITY_KEY must be 64 hex characters");
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** "2026-12-03T20:00:00+09:00": Korean time with its offset, as Toss's `iat` wants it. */
export function kstTimestamp(now: number = Date.now()): string {
  return `${kstWallClock(now)}+09:00`;
}

export async function jweEncrypt(
  plaintext: string,
  key: CryptoKey,
  header: Partial<JweHeader> = {},
  iv: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(12)),
): Promise<string> {
  const full: JweHeader = { alg: "dir", enc: "A256GCM", iat: kstTimestamp(), nonce: crypto.randomUUID(), ...header };
  const protectedB64 = toBase64Url(encoder.encode(JSON.stringify(full)));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(protectedB64), tagLength: 128 },
      key,
      encoder.encode(plaintext),
    ),
  );
  const ciphertext = sealed.slice(0, sealed.length - TAG_BYTES);
  const tag = sealed.slice(sealed.length - TAG_BYTES);
  return [protectedB64, "", toBase64Url(iv), toBase64Url(ciphertext), toBase64Url(tag)].join(".");
}

/** Throws JweError when the text is not a dir/A256GCM compact JWE or was not sealed with this key (or altered). */
export async function jweDecrypt(compact: string, key: CryptoKey): Promise<{ header: JweHeader; plaintext: string }> {
  const parts = compact.trim().split(".");
  if (parts.length !== 5 || parts[1] !== "") throw new JweError("Not a compact JWE with alg dir");
  const [protectedB64, , ivB64, ciphertextB64, tagB64] = parts;
  let header: JweHeader;
  let iv: Uint8Array<ArrayBuffer>;
  let ciphertext: Uint8Array<ArrayBuffer>;
  let tag: Uint8Array<ArrayBuffer>;
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64Url(protectedB64)));
    iv = fromBase64Url(ivB64);
    ciphertext = fromBase64Url(ciphertextB64);
    tag = fromBase64Url(tagB64);
  } catch {
    throw new JweError("The JWE's parts are not base64url / JSON");
  }
  if (header?.alg !== "dir" || header.enc !== "A256GCM") throw new JweError("The JWE must be alg dir, enc A256GCM");
  if (iv.length !== 12 || tag.length !== TAG_BYTES) throw new JweError("The JWE needs a 96-bit IV and a 128-bit tag");
  const sealed = new Uint8Array(ciphertext.length + TAG_BYTES);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(protectedB64), tagLength: 128 },
      key,
      sealed,
    );
    return { header, plaintext: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(plain) };
  } catch {
    throw new JweError("The JWE does not decrypt with this key (wrong key, or altered header/ciphertext/tag)");
  }
}
