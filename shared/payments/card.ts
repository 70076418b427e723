/**
 * Card helpers shared by the SPA (validate and encrypt in the browser), the sandbox gateway (decrypt and mask) and
 * tests (scan for leaked card numbers). WebCrypto only, so the same code runs in browsers and workerd.
 */

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card as the user types it. Only ever exists in the browser and, decrypted, inside the gateway. */
export interface CardCredential {
  number: string;
  expMonth: number;
  expYear: number;
  /** Optional: many Korean billing flows use birth date/business number instead of CVC. */
  cvc?: string;
}

export interface GatewayEncryptionKey {
  kid: string;
  alg: "RSA-OAEP-256";
  jwk: JsonWebKey;
}

const RSA_OAEP_256 = { name: "RSA-OAEP", hash: "SHA-256" } as const;

/** Encrypts the card for the gateway: "v1.<kid>.<base64url ciphertext>". Whoever stores the result cannot read it. */
export async function encryptCardForGateway(key: GatewayEncryptionKey, card: CardCredential): Promise<string> {
  const publicKey = await crypto.subtle.importKey("jwk", key.jwk, RSA_OAEP_256, false, ["encrypt"]);
  const plain = new TextEncoder().encode(
    JSON.stringify({ n: card.number.replace(/\D/g, ""), m: card.expMonth, y: card.expYear, c: card.cvc ?? null }),
  );
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, publicKey, plain));
  return `v1.${key.kid}.${base64Url(cipher)}`;
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
