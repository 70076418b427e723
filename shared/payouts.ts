/**
 * Payout-account constants without imports (the SPA's seller console takes them without pulling zod in); the input
 * schema is shared/schemas/payoutAccounts.ts.
 */

/** Korean banks by their KFTC code (what Toss's `account.bankCode` takes). */
export const BANKS = [
  ["002", "KDB산업은행"],
  ["003", "IBK기업은행"],
  ["004", "KB국민은행"],
  ["007", "수협은행"],
  ["011", "NH농협은행"],
  ["012", "지역농축협"],
  ["020", "우리은행"],
  ["023", "SC제일은행"],
  ["027", "한국씨티은행"],
  ["031", "iM뱅크(대구)"],
  ["032", "부산은행"],
  ["034", "광주은행"],
  ["035", "제주은행"],
  ["037", "전북은행"],
  ["039", "경남은행"],
  ["045", "새마을금고"],
  ["048", "신협"],
  ["050", "저축은행"],
  ["064", "산림조합"],
  ["071", "우체국"],
  ["081", "하나은행"],
  ["088", "신한은행"],
  ["089", "케이뱅크"],
  ["090", "카카오뱅크"],
  ["092", "토스뱅크"],
] as const;
export type BankCode = (typeof BANKS)[number][0];
export const BANK_CODES = BANKS.map(([code]) => code) as [BankCode, ...BankCode[]];

export const BUSINESS_TYPES = ["INDIVIDUAL", "INDIVIDUAL_BUSINESS", "CORPORATE"] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

/**
 * Toss seller statuses. APPROVAL_REQUIRED: the seller must finish identity verification Toss sent them;
 * PARTIALLY_APPROVED: payable up to PARTIAL_PAYOUT_LIMIT_WON; KYC_REQUIRED: held until KYC review passes;
 * APPROVED: payable without limit. worker/groupbuy/payoutAccounts.ts owns what each one allows.
 */
export const SELLER_STATUSES = ["APPROVAL_REQUIRED", "PARTIALLY_APPROVED", "KYC_REQUIRED", "APPROVED"] as const;
export type SellerStatus = (typeof SELLER_STATUSES)[number];

/** Toss pays a PARTIALLY_APPROVED seller up to 10 million won; more needs KYC (docs: 지급대행 셀러 상태). */
export const PARTIAL_PAYOUT_LIMIT_WON = 10_000_000;
