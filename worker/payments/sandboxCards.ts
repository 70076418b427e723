import { luhnValid } from "../../shared/payments/card";
import { fromBase64Url } from "../lib/ids";

/**
 * The sandbox gateway's private side of browser-encrypted cards. The decrypted number lives only in memory for the
 * duration of one charge; what gets stored is the mask.
 */

const RSA_OAEP_256 = { name: "RSA-OAEP", hash: "SHA-256" } as const;

export async function generateEncryptionKeyPair(): Promise<{ publicJwk: JsonWebKey; privateJwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey(
    { ...RSA_OAEP_256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["encrypt", "decrypt"],
  )) as CryptoKeyPair;
  return {
    publicJwk: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey,
    privateJwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey,
  };
}

export function blobKeyId(blob: string): string | null {
  const parts = blob.split(".");
  return parts.length === 3 && parts[0] === "v1" ? parts[1] : null;
}

export type DecryptedCard =
  | { ok: true; masked: string; declineTestCard: boolean }
  | { ok: false; code: string; message: string };

/** Test card that always declines, like other gateways' sandboxes. */
const DECLINE_TEST_CARD = "4000000000000002";

export async function readEncryptedCard(blob: string, privateJwk: JsonWebKey, now: number): Promise<DecryptedCard> {
  let card: { n?: unknown; m?: unknown; y?: unknown };
  try {
    const key = await crypto.subtle.importKey("jwk", privateJwk, RSA_OAEP_256, false, ["decrypt"]);
    const plain = await crypto.subtle.decrypt({ name: "RSA-OAEP" }, key, fromBase64Url(blob.split(".")[2]));
    card = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    return { ok: false, code: "INVALID_ENCRYPTED_CARD", message: "The encrypted card could not be read." };
  }
  const number = typeof card.n === "string" ? card.n : "";
  if (number.length < 13 || number.length > 19 || !luhnValid(number)) {
    return { ok: false, code: "INVALID_CARD_NUMBER", message: "The card number is not valid." };
  }
  const month = Number(card.m);
  const year = Number(card.y) < 100 ? 2000 + Number(card.y) : Number(card.y);
  const expiresAt = Date.UTC(year, month, 1); // first day after the expiry month
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year) || expiresAt <= now) {
    return { ok: false, code: "INVALID_CARD_EXPIRATION", message: "The card has expired or the date is wrong." };
  }
  return { ok: true, masked: maskCardNumber(number), declineTestCard: number === DECLINE_TEST_CARD };
}

/** Toss-style mask: first 8 digits, then stars, keeping no run long enough to be a card number. */
export function maskCardNumber(number: string): string {
  return number.slice(0, 8) + "*".repeat(number.length - 8);
}
