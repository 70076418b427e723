/**
 * Joining is blocked while a user owes a clawed-back card charge. The payments feature owns the debt (charges live in
 * the user's book database: pass bookDb(env, user.homeRegionId)).
 */
export { debtOf, hasOutstandingDebt, outstandingDebtQuery } from "../wallet/charges";
