import { TRPCError } from "@trpc/server";
import { ErrorDetails } from "../lib/errors";

/** What a failed ledger batch ran into, read from the database's own error text (triggers / CHECK / UNIQUE). */
export type LedgerFailure =
  | "overdraft"
  | "already_settled"
  | "expired"
  | "pending_not_found"
  | "post_exceeds_pending"
  | "cross_book"
  | "duplicate_id"
  | "invalid"
  | "unknown";

/** The messages of an error and its causes (drizzle wraps the driver error). */
export function messageChain(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (cur instanceof Error) {
      parts.push(cur.message);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(" | ");
}

export function classifyLedgerError(e: unknown): LedgerFailure {
  const text = messageChain(e);
  if (text.includes("ledger_accounts_no_overdraft") || text.includes("ledger_accounts_no_overcredit"))
    return "overdraft";
  if (text.includes("ledger: pending transfer already settled") || text.includes("ledger_transfers_pending_unique"))
    return "already_settled";
  if (text.includes("ledger: pending transfer expired")) return "expired";
  if (text.includes("ledger: pending transfer not found")) return "pending_not_found";
  if (text.includes("ledger: post exceeds")) return "post_exceeds_pending";
  if (text.includes("ledger: account missing or in another book")) return "cross_book";
  if (text.includes("ledger_transfers.id") || text.includes("ledger_transfers_id_unique")) return "duplicate_id";
  if (text.includes("ledger:") || text.includes("ledger_accounts_nonnegative")) return "invalid";
  return "unknown";
}

/** The typed error for a spend that the balance cannot cover; `details.shortfall` is the missing won. */
export function notEnoughPoints(shortfall: number): TRPCError {
  return new TRPCError({
    code: "PRECONDITION_FAILED",
    message: `Not enough points: you need ${shortfall.toLocaleString("en-US")} won more.`,
    cause: new ErrorDetails({ reason: "insufficient_points", shortfall }),
  });
}

/** Rethrows unexpected database errors untouched (→ 500 with request id), expected ones as typed errors. */
export function ledgerErrorToTrpc(e: unknown, failure = classifyLedgerError(e)): never {
  switch (failure) {
    case "overdraft":
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "Not enough points for this transfer.", cause: e });
    case "already_settled":
      throw new TRPCError({ code: "CONFLICT", message: "This hold was already settled.", cause: e });
    case "expired":
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This hold has expired.", cause: e });
    case "cross_book":
      throw new TRPCError({ code: "BAD_REQUEST", message: "A transfer cannot cross region books.", cause: e });
    default:
      throw e;
  }
}
