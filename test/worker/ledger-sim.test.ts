/**
 * Model-based simulation of the ledger: random schedules of fund / hold / post / void / refund / spend / idempotent grant /
 * time passing (+ expiry sweep) / retries of earlier steps (same ids), each run against the real D1 and a tiny
 * in-memory model. After every step: the ledger invariants (Σ = 0 per book, cached = rows, nothing overdrawn, each
 * pending settled at most once), the model's balances and hold states, and the outcome of the step itself.
 *
 * Default 50 schedules; `SIM_RUNS=1000 npm run test:sim` for more. On failure fast-check prints the seed and path;
 * replay with SIM_SEED=<seed>.
 */
import { env } from "cloudflare:workers";
import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withIdempotency } from "../../worker/lib/idempotency";
import { escrowAccount, platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { getHold, placeHold, postHold, sweepExpiredHolds, voidHold } from "../../worker/wallet/holds";
import { transfer } from "../../worker/wallet/ledger";
import { refundCapturedHold } from "../../worker/wallet/settlement";
import { walletSummary } from "../../worker/wallet/wallet";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db, newBook } from "./wallet-helpers";

const RUNS = Number(env.SIM_RUNS) || 50;
const SEED = env.SIM_SEED ? Number(env.SIM_SEED) : undefined;
const USERS = 3;

type Cmd =
  | { t: "fund"; u: number; acct: "charged" | "reward"; amount: number }
  | { t: "hold"; u: number; amount: number; ttl: number | null; escrow: boolean }
  | { t: "post"; h: number; frac: number | null }
  | { t: "void"; h: number }
  | { t: "refund"; h: number }
  | { t: "spend"; u: number; amount: number }
  | { t: "grant"; u: number; key: number; amount: number }
  | { t: "tick"; ms: number }
  | { t: "retry"; back: number };

const user = fc.integer({ min: 0, max: USERS - 1 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("fund" as const),
      u: user,
      acct: fc.constantFrom("charged" as const, "reward" as const),
      amount: fc.integer({ min: 1, max: 3_000 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("hold" as const),
      u: user,
      amount: fc.integer({ min: 1, max: 2_500 }),
      ttl: fc.constantFrom(null, 3, 10),
      escrow: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("post" as const),
      h: fc.nat(),
      frac: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("void" as const), h: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("refund" as const), h: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("spend" as const), u: user, amount: fc.integer({ min: 1, max: 2_000 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("grant" as const),
      u: user,
      key: fc.integer({ min: 0, max: 2 }),
      amount: fc.constantFrom(100, 200),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("tick" as const), ms: fc.constantFrom(1, 5, 12) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("retry" as const), back: fc.nat() }) },
);

interface UserModel {
  id: string;
  charged: number;
  reward: number;
  heldR: number;
  heldC: number;
}
interface HoldModel {
  id: string;
  u: number;
  amount: number;
  fromR: number;
  fromC: number;
  status: "pending" | "posted" | "voided" | "expired";
  captured: number;
  capturedR: number;
  refunded: boolean;
  expiresAt: number | null;
}
/** An executed step with its ids fixed, so "retry" can send exactly the same request again. */
type Step =
  | { t: "fund"; id: string; u: number; acct: "charged" | "reward"; amount: number }
  | { t: "hold"; id: string; u: number; amount: number; ttl: number | null; escrow: boolean }
  | { t: "post"; id: string; amount?: number }
  | { t: "void"; id: string }
  | { t: "refund"; id: string }
  | { t: "spend"; id: string; u: number; amount: number }
  | { t: "grant"; u: number; key: number; amount: number }
  | { t: "tick"; ms: number };

type Outcome = "OK" | TRPCError["code"];

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return "OK";
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

async function runSchedule(cmds: Cmd[]) {
  const book = newBook("sim");
  const gb = `gb-${book}`;
  const T0 = 1_800_000_000_000;
  let now = T0;
  const users: UserModel[] = Array.from({ length: USERS }, (_, i) => ({
    id: `${book}-u${i}`,
    charged: 0,
    reward: 0,
    heldR: 0,
    heldC: 0,
  }));
  const holds = new Map<string, HoldModel>();
  const holdIds: string[] = [];
  const transfersDone = new Set<string>();
  const grants = new Map<string, number>(); // idempotency key → amount of its one outcome
  const steps: Step[] = [];
  let serial = 0;

  const expectOutcome = (got: Outcome, want: Outcome, step: Step) => {
    expect(got, `step ${JSON.stringify(step)} at t+${now - T0}`).toBe(want);
  };

  const exec = async (step: Step) => {
    switch (step.t) {
      case "fund": {
        const m = users[step.u];
        const got = await outcome(
          transfer(db(), {
            id: step.id,
            book,
            debit: platformAccount(step.acct === "charged" ? "pg_clearing" : "promotion_expense", book),
            credit: step.acct === "charged" ? userChargedAccount(m.id, book) : userRewardAccount(m.id, book),
            amount: step.amount,
            kind: step.acct === "charged" ? "charge" : "grant",
            now,
          }),
        );
        expectOutcome(got, "OK", step);
        if (!transfersDone.has(step.id)) {
          transfersDone.add(step.id);
          if (step.acct === "charged") m.charged += step.amount;
          else m.reward += step.amount;
        }
        return;
      }
      case "spend": {
        const m = users[step.u];
        const got = await outcome(
          transfer(db(), {
            id: step.id,
            book,
            debit: userChargedAccount(m.id, book),
            credit: escrowAccount(gb, book),
            amount: step.amount,
            kind: "hold_capture",
            now,
          }),
        );
        if (transfersDone.has(step.id)) return expectOutcome(got, "OK", step);
        const ok = step.amount <= m.charged - m.heldC;
        expectOutcome(got, ok ? "OK" : "PRECONDITION_FAILED", step);
        if (ok) {
          transfersDone.add(step.id);
          m.charged -= step.amount;
        }
        return;
      }
      case "hold": {
        const m = users[step.u];
        const expiresAt = step.ttl === null ? null : now + step.ttl;
        const args = {
          holdId: step.id,
          userId: m.id,
          regionId: book,
          amount: step.amount,
          expiresAt,
          toAccount: step.escrow ? escrowAccount(gb, book) : undefined,
          now,
        };
        const got = await outcome(placeHold(db(), args));
        const existing = holds.get(step.id);
        if (existing) return expectOutcome(got, "OK", step); // same id, same parameters → the same hold
        const availR = m.reward - m.heldR;
        const availC = m.charged - m.heldC;
        const ok = step.amount <= availR + availC;
        expectOutcome(got, ok ? "OK" : "PRECONDITION_FAILED", step);
        if (ok) {
          const fromR = Math.min(step.amount, availR);
          const h: HoldModel = {
            id: step.id,
            u: step.u,
            amount: step.amount,
            fromR,
            fromC: step.amount - fromR,
            status: "pending",
            captured: 0,
            capturedR: 0,
            refunded: false,
            expiresAt,
          };
          holds.set(step.id, h);
          m.heldR += h.fromR;
          m.heldC += h.fromC;
        }
        return;
      }
      case "post": {
        const h = holds.get(step.id);
        const got = await outcome(
          postHold(db(), { holdId: step.id, amount: step.amount, toAccount: escrowAccount(gb, book), now }),
        );
        if (!h) return expectOutcome(got, "NOT_FOUND", step);
        if (h.status === "posted") {
          return expectOutcome(got, step.amount === undefined || step.amount === h.captured ? "OK" : "CONFLICT", step);
        }
        if (h.status !== "pending") return expectOutcome(got, "PRECONDITION_FAILED", step);
        if (h.expiresAt !== null && h.expiresAt <= now) return expectOutcome(got, "PRECONDITION_FAILED", step);
        expectOutcome(got, "OK", step);
        const capture = step.amount ?? h.amount;
        const m = users[h.u];
        const rc = Math.min(capture, h.fromR);
        m.reward -= rc;
        m.charged -= capture - rc;
        m.heldR -= h.fromR;
        m.heldC -= h.fromC;
        h.status = "posted";
        h.captured = capture;
        h.capturedR = rc;
        return;
      }
      case "void": {
        const h = holds.get(step.id);
        const got = await outcome(voidHold(db(), { holdId: step.id, now }));
        if (!h) return expectOutcome(got, "NOT_FOUND", step);
        if (h.status === "posted") return expectOutcome(got, "PRECONDITION_FAILED", step);
        expectOutcome(got, "OK", step);
        if (h.status === "pending") release(h, "voided");
        return;
      }
      case "refund": {
        const h = holds.get(step.id);
        const got = await outcome(refundCapturedHold(db(), { holdId: step.id, now }));
        if (!h) return expectOutcome(got, "NOT_FOUND", step);
        if (h.status !== "posted") return expectOutcome(got, "PRECONDITION_FAILED", step);
        expectOutcome(got, "OK", step); // a repeat with the same (full) amount returns the first refund
        if (!h.refunded) {
          h.refunded = true;
          users[h.u].charged += h.captured - h.capturedR;
          users[h.u].reward += h.capturedR;
        }
        return;
      }
      case "grant": {
        const m = users[step.u];
        const key = `k${step.key}-${m.id}`.slice(0, 64);
        const got = await outcome(
          withIdempotency(
            { db: db(), now, user: { id: m.id } },
            { scope: "sim.grant", key, input: { amount: step.amount } },
            () =>
              transfer(db(), {
                id: `ig:${key}`,
                book,
                debit: platformAccount("promotion_expense", book),
                credit: userRewardAccount(m.id, book),
                amount: step.amount,
                kind: "grant",
                now,
              }),
          ),
        );
        const first = grants.get(key);
        if (first === undefined) {
          expectOutcome(got, "OK", step);
          grants.set(key, step.amount);
          m.reward += step.amount;
        } else expectOutcome(got, first === step.amount ? "OK" : "CONFLICT", step);
        return;
      }
      case "tick": {
        now += step.ms;
        while ((await sweepExpiredHolds(db(), now)) > 0) {}
        for (const h of holds.values()) {
          if (h.status === "pending" && h.expiresAt !== null && h.expiresAt <= now) release(h, "expired");
        }
        return;
      }
    }
  };

  const release = (h: HoldModel, status: "voided" | "expired") => {
    const m = users[h.u];
    m.heldR -= h.fromR;
    m.heldC -= h.fromC;
    h.status = status;
  };

  const toStep = (cmd: Cmd): Step | null => {
    serial += 1;
    switch (cmd.t) {
      case "fund":
        return { ...cmd, id: `f:${book}:${serial}` };
      case "spend":
        return { ...cmd, id: `s:${book}:${serial}` };
      case "hold": {
        const id = `h:${book}:${serial}`;
        holdIds.push(id);
        return { ...cmd, id };
      }
      case "post": {
        if (holdIds.length === 0) return null;
        const id = holdIds[cmd.h % holdIds.length];
        const h = holds.get(id);
        const amount = cmd.frac === null || !h ? undefined : Math.max(1, Math.ceil(cmd.frac * h.amount));
        return { t: "post", id, amount };
      }
      case "void":
      case "refund":
        return holdIds.length ? { t: cmd.t, id: holdIds[cmd.h % holdIds.length] } : null;
      case "grant":
      case "tick":
        return cmd;
      case "retry":
        return steps.length ? steps[steps.length - 1 - (cmd.back % steps.length)] : null;
    }
  };

  for (const cmd of cmds) {
    const step = toStep(cmd);
    if (!step) continue;
    await exec(step);
    if (step.t !== "tick") steps.push(step);
    now += 1;

    await assertLedgerInvariants(db(), [book]);
    // balances of the user the step touched (every user after time passes)
    const touched =
      "u" in step ? [users[step.u]] : "id" in step && holds.has(step.id) ? [users[holds.get(step.id)!.u]] : users;
    for (const m of touched) {
      const s = await walletSummary(db(), m.id, book);
      expect(s, `balances of ${m.id} after ${JSON.stringify(step)}`).toMatchObject({
        charged: m.charged,
        reward: m.reward,
        held: m.heldR + m.heldC,
        available: m.charged + m.reward - m.heldR - m.heldC,
      });
      expect(s.available).toBeGreaterThanOrEqual(0);
    }
    if ("id" in step && holds.has(step.id)) {
      const h = holds.get(step.id)!;
      expect(await getHold(db(), step.id)).toMatchObject({
        status: h.status,
        capturedAmount: h.captured,
        amount: h.amount,
      });
    }
  }
}

describe("ledger simulation (model-based)", () => {
  it(`random schedules keep every invariant (${RUNS} runs)`, { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 25 }), (cmds) => runSchedule(cmds)),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
  });
});
