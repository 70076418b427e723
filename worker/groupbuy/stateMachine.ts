import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import { fail } from "../lib/errors";

// OPEN → FILLED | TIPPED → ORDERED → READY → COMPLETED; OPEN → FAILED; OPEN | FILLED | TIPPED → CANCELLED.
const NEXT: Record<GroupBuyStatus, readonly GroupBuyStatus[]> = {
  OPEN: ["FILLED", "TIPPED", "FAILED", "CANCELLED"],
  FILLED: ["ORDERED", "CANCELLED"],
  TIPPED: ["ORDERED", "CANCELLED"],
  ORDERED: ["READY"],
  READY: ["COMPLETED"],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};

/** Who may ask for a transition. "system" is the DO itself (fill, deadline) or a cron/queue job. */
export type Actor = "system" | "seller" | "host" | "admin";

const WHO: Record<GroupBuyStatus, readonly Actor[]> = {
  OPEN: [],
  FILLED: ["system"],
  TIPPED: ["system"],
  FAILED: ["system"],
  ORDERED: ["seller"],
  READY: ["seller"],
  COMPLETED: ["system"],
  // "system": a host-started buy whose host could not pay for their own shares at creation.
  CANCELLED: ["seller", "admin", "host", "system"],
};

export const TERMINAL: readonly GroupBuyStatus[] = ["COMPLETED", "FAILED", "CANCELLED"];
/** Statuses whose holds belong in escrow (posted). */
export const ESCROW_STATUSES: readonly GroupBuyStatus[] = ["FILLED", "TIPPED", "ORDERED", "READY", "COMPLETED"];

export function canTransition(from: GroupBuyStatus, to: GroupBuyStatus): boolean {
  return NEXT[from].includes(to);
}

/** Throws PRECONDITION_FAILED / FORBIDDEN with a sentence that says why; returns nothing when allowed. */
export function assertTransition(from: GroupBuyStatus, to: GroupBuyStatus, actor: Actor): void {
  if (!canTransition(from, to)) {
    fail("PRECONDITION_FAILED", `A group buy that is ${from} cannot become ${to}.`);
  }
  if (!WHO[to].includes(actor)) {
    fail("FORBIDDEN", `Only ${WHO[to].join(" or ")} can move a group buy to ${to}.`);
  }
  // A host (a buyer who started the buy) may call it off only before it filled: after that the seller owns it.
  if (actor === "host" && to === "CANCELLED" && from !== "OPEN") {
    fail("PRECONDITION_FAILED", "Only the seller or an admin can cancel once the group buy has filled or tipped.");
  }
}

/** The outcome at the deadline: enough confirmed shares → TIPPED, else FAILED. */
export function deadlineOutcome(confirmedShares: number, minShares: number): "TIPPED" | "FAILED" {
  return confirmedShares >= minShares ? "TIPPED" : "FAILED";
}
