import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { cookieClient, newBuyer } from "./helpers";

async function dataOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCClientError) return e.data;
    throw e;
  }
  throw new Error("expected the call to fail");
}

describe("validation errors carry stable issue codes for clients to word", () => {
  it("signup: one issue per broken rule with its limit, beside the flattened messages", async () => {
    const data = await dataOf(
      cookieClient().auth.signup.mutate({ email: "nope", password: "short", displayName: "x" }),
    );
    expect(data.code).toBe("BAD_REQUEST");
    expect(data.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "email", code: "invalid_format", format: "email" }),
        expect.objectContaining({ path: "password", code: "too_small", kind: "string", min: 10 }),
        expect.objectContaining({ path: "displayName", code: "too_small", kind: "string", min: 2 }),
      ]),
    );
    expect(data.zodError.fieldErrors.password).toEqual(["Password must be at least 10 characters"]);
  });

  it("wallet.charge: amount limits and steps as numbers, nested paths joined", async () => {
    const { client } = await newBuyer();
    const data = await dataOf(
      client.wallet.charge.mutate({
        amount: 1_500,
        idempotencyKey: "validation-issue-1",
        paymentMethod: { type: "encryptedCard", encryptedCard: "bad", consent: "deferred-v1" },
      }),
    );
    expect(data.issues).toEqual([
      { path: "amount", code: "not_multiple_of", step: 1_000, message: "Charge in steps of 1,000 won" },
      expect.objectContaining({ path: "paymentMethod.encryptedCard", code: "invalid_format", format: "regex" }),
    ]);
  });

  it("errors that are not validation carry no issues", async () => {
    const data = await dataOf(cookieClient().wallet.get.query());
    expect(data.code).toBe("UNAUTHORIZED");
    expect(data.issues).toBeNull();
  });
});
