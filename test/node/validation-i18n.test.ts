import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { en } from "../../client/src/i18n/en";
import { ko, type MessageKey } from "../../client/src/i18n/ko";
import { EMAIL_FIELD, type FormSpec, issuesByField, issueText } from "../../client/src/lib/validation";
import { loginInput, signupInput } from "../../shared/schemas/accounts";
import { groupBuyJoinInput } from "../../shared/schemas/groupbuy";
import { chargeInput, refundInput } from "../../shared/schemas/payments";
import { type ValidationIssue, validationIssues } from "../../shared/validation";

const translator = (dict: Record<MessageKey, string>) => (key: MessageKey, params?: Record<string, string | number>) =>
  dict[key].replace(/\{(\w+)\}/g, (m, name: string) => String(params?.[name] ?? m));
const tKo = translator(ko);
const tEn = translator(en);

function issuesOf(schema: z.ZodType, input: unknown): ValidationIssue[] {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error("expected a validation failure");
  return validationIssues(parsed.error);
}

const KEY = "key-12345678";

describe("server validation issues worded by the client", () => {
  it("charge amounts read as won, with the schema's own limits, in Korean and English", () => {
    const money: FormSpec = { amount: { unit: "won" } };
    const cases: [unknown, string, string][] = [
      [500, "1,000원 이상이어야 해요.", "Must be at least ₩1,000."],
      [3_000_000, "2,000,000원 이하여야 해요.", "Must be at most ₩2,000,000."],
      [1_500, "1,000원 단위로 입력해 주세요.", "Use steps of ₩1,000."],
      [1000.5, "소수점 없이 정수로 입력해 주세요.", "Enter a whole number."],
      ["만원", "숫자로 입력해 주세요.", "Enter a number."],
    ];
    for (const [amount, inKo, inEn] of cases) {
      const issues = issuesOf(chargeInput, { amount, idempotencyKey: KEY, paymentMethod: { type: "billingKey" } });
      const first = issues.find((i) => i.path === "amount")!;
      expect(issueText(first, money.amount, tKo, "ko")).toBe(inKo);
      expect(issueText(first, money.amount, tEn, "en")).toBe(inEn);
    }
  });

  it("signup fields get their own messages; nothing English leaks into Korean", () => {
    const spec: FormSpec = {
      displayName: { messages: { invalid_format: "validation.noControlChars" } },
      email: EMAIL_FIELD,
      password: {},
    };
    const issues = issuesOf(signupInput, { email: "not-an-email", password: "short", displayName: "x" });
    const byField = issuesByField(issues, spec, tKo);
    expect(byField).toEqual({
      email: ["이메일 주소 형식이 아니에요. @ 뒤의 주소까지 입력해 주세요."],
      password: ["10자 이상 입력해 주세요."],
      displayName: ["2자 이상 입력해 주세요."],
    });
    const control = issuesOf(signupInput, { email: "a@b.co", password: "long enough pw", displayName: "a\nb" });
    expect(issuesByField(control, spec, tKo).displayName).toEqual(["줄바꿈이나 특수 제어 문자는 쓸 수 없어요."]);
    for (const text of Object.values(byField).flat()) expect(text).not.toMatch(/[A-Za-z]{3,}/);
  });

  it("an empty email or password says what to enter, not that a format is wrong (login and signup)", () => {
    const login: FormSpec = { email: EMAIL_FIELD, password: { messages: { too_small: "validation.passwordEmpty" } } };
    const issues = issuesOf(loginInput, { email: "  ", password: "" });
    expect(issuesByField(issues, login, tKo)).toEqual({
      email: ["이메일 주소를 입력해 주세요."],
      password: ["비밀번호를 입력해 주세요."],
    });
    expect(issuesByField(issues, login, tEn)).toEqual({
      email: ["Enter your email address."],
      password: ["Enter your password."],
    });
    const signup = issuesOf(signupInput, { email: "", password: "long enough pw", displayName: "새이웃" });
    expect(issuesByField(signup, { email: EMAIL_FIELD }, tKo)).toEqual({ email: ["이메일 주소를 입력해 주세요."] });
  });

  it("an issue on a field the form does not show goes to the form-level message instead of vanishing", () => {
    const issues = issuesOf(refundInput, { amount: 0, idempotencyKey: "x" });
    const byField = issuesByField(issues, { amount: { unit: "won" } }, tKo);
    expect(byField.amount).toEqual(["1원 이상이어야 해요."]);
    expect(byField[""]).toEqual(["8자 이상 입력해 주세요."]);
  });

  it("nested paths and share counts", () => {
    const issues = issuesOf(groupBuyJoinInput, { id: "01JAAAAAAAAAAAAAAAAAAAAAAA", shares: 0, idempotencyKey: KEY });
    expect(issuesByField(issues, { shares: {} }, tKo)).toEqual({ shares: ["1 이상이어야 해요."] });
    const card = issuesOf(chargeInput, {
      amount: 10_000,
      idempotencyKey: KEY,
      paymentMethod: { type: "encryptedCard", encryptedCard: "v1.k.short", consent: "deferred-v0" },
    });
    expect(card.map((i) => [i.path, i.code])).toEqual([
      ["paymentMethod.encryptedCard", "invalid_format"],
      ["paymentMethod.consent", "invalid_choice"],
    ]);
    const spec: FormSpec = { "paymentMethod.consent": { messages: { invalid_choice: "validation.consent" } } };
    expect(issuesByField(card, spec, tKo)).toEqual({
      "paymentMethod.consent": ["내용을 읽고 동의해 주세요."],
      "": ["형식이 올바르지 않아요."],
    });
  });
});
