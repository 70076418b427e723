import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { JweError, jweDecrypt, jweEncrypt, kstTimestamp, securityKey } from "../../worker/payments/jwe";
import { signWebhook, verifyWebhook } from "../../worker/payments/webhookSignature";

/**
 * The worker's JWE (WebCrypto) against an independent implementation: node's OpenSSL AES-256-GCM, with the compact
 * serialization and AAD written out from RFC 7516 §5.1/§7.1 here. Both directions, so a mistake in the AAD, the tag
 * placement or the key decoding cannot pass by agreeing with itself.
 */
const HEX = "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978";
const b64url = (b: Buffer) => b.toString("base64url");

function nodeEncrypt(plaintext: string, header: object, iv: Buffer): string {
  const protectedB64 = b64url(Buffer.from(JSON.stringify(header)));
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(HEX, "hex"), iv);
  cipher.setAAD(Buffer.from(protectedB64, "ascii"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [protectedB64, "", b64url(iv), b64url(ciphertext), b64url(cipher.getAuthTag())].join(".");
}

function nodeDecrypt(compact: string): string {
  const [protectedB64, encryptedKey, iv, ciphertext, tag] = compact.split(".");
  expect(encryptedKey).toBe("");
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(HEX, "hex"), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(protectedB64, "ascii"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

const HEADER = {
  alg: "dir" as const,
  enc: "A256GCM" as const,
  iat: "2026-12-03T20:00:00+09:00",
  nonce: "4f1c1d5e-9a56-4a5c-9d1e-3b2f7c8d9e0a",
};
const BODY = JSON.stringify([
  { refPayoutId: "po-1", destination: "seller_1", amount: { currency: "KRW", value: 19000 } },
]);

describe("Toss ENCRYPTION mode (JWE dir + A256GCM)", () => {
  it("decrypts a JWE that node's OpenSSL sealed (fixed IV: a known vector)", async () => {
    const compact = nodeEncrypt(BODY, HEADER, Buffer.alloc(12, 7));
    // the vector itself is stable: same key, header, IV and body give the same ciphertext
    expect(compact).toBe(nodeEncrypt(BODY, HEADER, Buffer.alloc(12, 7)));
    const opened = await jweDecrypt(compact, await securityKey(HEX));
    expect(opened).toEqual({ header: HEADER, plaintext: BODY });
  });

  it("seals what node's OpenSSL opens, with Toss's headers; the same IV gives the node vector byte for byte", async () => {
    const compact = await jweEncrypt(BODY, await securityKey(HEX));
    expect(nodeDecrypt(compact)).toBe(BODY);
    const header = JSON.parse(Buffer.from(compact.split(".")[0], "base64url").toString());
    expect(header).toMatchObject({ alg: "dir", enc: "A256GCM" });
    expect(header.iat).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/);
    expect(header.nonce).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const fixed = await jweEncrypt(BODY, await securityKey(HEX), HEADER, new Uint8Array(12).fill(7));
    expect(fixed).toBe(nodeEncrypt(BODY, HEADER, Buffer.alloc(12, 7)));
  });

  it("refuses a tampered header, ciphertext or tag, another key, and what is not a dir JWE", async () => {
    const key = await securityKey(HEX);
    const compact = nodeEncrypt(BODY, HEADER, Buffer.alloc(12, 1));
    const parts = compact.split(".");
    const flip = (s: string) => (s[5] === "A" ? `${s.slice(0, 5)}B${s.slice(6)}` : `${s.slice(0, 5)}A${s.slice(6)}`);
    const tamperedHeader = b64url(Buffer.from(JSON.stringify({ ...HEADER, nonce: "replayed" })));
    for (const bad of [
      [tamperedHeader, ...parts.slice(1)].join("."),
      [...parts.slice(0, 3), flip(parts[3]), parts[4]].join("."),
      [...parts.slice(0, 4), flip(parts[4])].join("."),
      parts.slice(0, 4).join("."),
      BODY,
    ]) {
      await expect(jweDecrypt(bad, key)).rejects.toBeInstanceOf(JweError);
    }
    await expect(jweDecrypt(compact, await securityKey("ff".repeat(32)))).rejects.toBeInstanceOf(JweError);
    await expect(securityKey("not-hex")).rejects.toBeInstanceOf(JweError);
  });

  it("writes iat in Korean time with its offset", () => {
    expect(kstTimestamp(Date.parse("2026-12-03T11:00:00Z"))).toBe("2026-12-03T20:00:00+09:00");
  });
});

describe("지급대행 webhook signatures", () => {
  const payload = JSON.stringify({ eventType: "seller.changed", data: { id: "seller_1" } });
  const time = "2024-09-05T12:19:21+09:00";
  const nodeSignature = createHmac("sha256", Buffer.from(HEX, "hex")).update(`${payload}:${time}`).digest("base64");

  it("is HMAC-SHA256 of payload:time under the security key, base64 after v1:", async () => {
    expect(await signWebhook(payload, time, HEX)).toBe(`v1:${nodeSignature}`);
    expect(await verifyWebhook(payload, `v1:AAAA,v1:${nodeSignature}`, time, HEX)).toBe(true);
  });

  it("refuses another payload, time, key, or a header without a matching v1 value", async () => {
    const header = `v1:${nodeSignature}`;
    expect(await verifyWebhook(`${payload} `, header, time, HEX)).toBe(false);
    expect(await verifyWebhook(payload, header, "2024-09-05T12:19:22+09:00", HEX)).toBe(false);
    expect(await verifyWebhook(payload, header, time, "ab".repeat(32))).toBe(false);
    expect(await verifyWebhook(payload, nodeSignature, time, HEX)).toBe(false);
    expect(await verifyWebhook(payload, "v1:***", time, HEX)).toBe(false);
    expect(await verifyWebhook(payload, null, time, HEX)).toBe(false);
    expect(await verifyWebhook(payload, header, time, undefined)).toBe(false);
  });
});
