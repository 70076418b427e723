import { securityKeyBytes } from "./jwe";

/**
 * Toss signs its 지급대행 webhooks (seller.changed, payout.changed): `tosspayments-webhook-signature` holds
 * "v1:<base64>,v1:<base64>" (two, so the key can rotate), each HMAC-SHA256 of `{payload}:{transmission time}` under
 * the security key; the time is the `tosspayments-webhook-transmission-time` header. One match is enough.
 */
export const SIGNATURE_HEADER = "tosspayments-webhook-signature";
export const TRANSMISSION_TIME_HEADER = "tosspayments-webhook-transmission-time";

const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(hex: string): Promise<CryptoKey> {
  let key = hmacKeys.get(hex);
  if (!key) {
    key = Promise.resolve().then(() =>
      crypto.subtle.importKey("raw", securityKeyBytes(hex), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
        "verify",
      ]),
    );
    hmacKeys.set(hex, key);
    key.catch(() => hmacKeys.delete(hex));
  }
  return key;
}

/** The header value Toss would send (the sandbox and tests use it). */
export async function signWebhook(payload: string, transmissionTime: string, securityKeyHex: string) {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(securityKeyHex),
    new TextEncoder().encode(`${payload}:${transmissionTime}`),
  );
  let binary = "";
  for (const b of new Uint8Array(mac)) binary += String.fromCharCode(b);
  return `v1:${btoa(binary)}`;
}

/**
 * True when one of the header's v1 signatures is the payload's. crypto.subtle.verify compares in constant time; a
 * malformed signature or a missing header is simply false.
 */
export async function verifyWebhook(
  payload: string,
  signatureHeader: string | null,
  transmissionTime: string | null,
  securityKeyHex: string | undefined,
): Promise<boolean> {
  if (!signatureHeader || !transmissionTime || !securityKeyHex) return false;
  let key: CryptoKey;
  try {
    key = await hmacKey(securityKeyHex.trim());
  } catch {
    return false;
  }
  const data = new TextEncoder().encode(`${payload}:${transmissionTime}`);
  const candidates = signatureHeader
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1:"))
    .slice(0, 4);
  let ok = false;
  for (const candidate of candidates) {
    let mac: Uint8Array<ArrayBuffer>;
    try {
      mac = Uint8Array.from(atob(candidate.slice(3)), (c) => c.charCodeAt(0));
    } catch {
      continue;
    }
    // every candidate is checked (no early exit), so timing says nothing about which one matched
    if (await crypto.subtle.verify("HMAC", key, mac, data)) ok = true;
  }
  return ok;
}
