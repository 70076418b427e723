import {
  type CardCredential,
  encryptCardForGateway,
  type GatewayEncryptionKey,
  luhnValid,
} from "../../../shared/payments/card";
import { api } from "./api";

/**
 * The card gateway's side of the browser. The sandbox gateway takes any paymentKey the "payment window" returns and
 * any authKey from its card-registration window, so these stand in for Toss's payment and billing-auth windows
 * (with Toss, its SDK opens the window and redirects back with the same fields).
 */
export function sandboxPaymentWindow(): { paymentKey: string; orderId: string } {
  const id = crypto.randomUUID().replace(/-/g, "");
  return { paymentKey: `sbx_pay_${id}`, orderId: `gg_${id}` };
}

export function sandboxBillingAuthWindow(): { authKey: string } {
  return { authKey: `sbx_auth_${crypto.randomUUID().replace(/-/g, "")}` };
}

// The gateway's public key is public: it is kept for the session, so a card can still be encrypted after the
// gateway has gone down (the deferred flow exists exactly for that moment).
const KEY_STORAGE = "gonggu.pgKey";
let gatewayKey: GatewayEncryptionKey | null = null;

function storedKey(): GatewayEncryptionKey | null {
  try {
    const raw = sessionStorage.getItem(KEY_STORAGE);
    return raw ? (JSON.parse(raw) as GatewayEncryptionKey) : null;
  } catch {
    return null;
  }
}

/** Fetches the gateway's encryption key while it answers; quiet when it doesn't (the cached one is used). */
export async function prefetchGatewayKey(): Promise<void> {
  try {
    const key = await api.payments.gatewayPublicKey.query();
    if (!key) return;
    gatewayKey = key;
    sessionStorage.setItem(KEY_STORAGE, JSON.stringify(key));
  } catch {
    // down or storage blocked: encryptCard falls back to what we have
  }
}

export type CardInput = { number: string; expiry: string; cvc: string };
export type CardProblem = "number" | "expiry";

/** Checks what the user typed (Luhn, MM/YY in the future) before anything is encrypted. */
export function parseCard(input: CardInput, now = new Date()): { card: CardCredential } | { problem: CardProblem } {
  const number = input.number.replace(/[\s-]/g, "");
  if (!/^\d{13,19}$/.test(number) || !luhnValid(number)) return { problem: "number" };
  const m = input.expiry.trim().match(/^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/);
  if (!m) return { problem: "expiry" };
  const expMonth = Number(m[1]);
  const expYear = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  const endOfExpiry = Date.UTC(expYear, expMonth, 1);
  if (expMonth < 1 || expMonth > 12 || endOfExpiry <= now.getTime()) return { problem: "expiry" };
  const cvc = input.cvc.trim();
  return { card: { number, expMonth, expYear, ...(cvc ? { cvc } : {}) } };
}

/** The card encrypted for the gateway ("v1.<kid>.<ciphertext>"), or null when no gateway key is known. */
export async function encryptCard(card: CardCredential): Promise<string | null> {
  const key = gatewayKey ?? storedKey();
  if (!key) {
    await prefetchGatewayKey();
    if (!gatewayKey) return null;
  }
  return encryptCardForGateway((gatewayKey ?? key)!, card);
}
