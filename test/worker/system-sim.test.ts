/**
 * Cross-domain fault simulation: group buys (the GroupBuyRoom Durable Object), the ledger, card payments through the
 * sandbox gateway and the Queue consumer, driven by one seeded random schedule of:
 *   charge (card / registered card), join, leave, seller cancels a buy, gateway up/down/decline/timeout-after-success,
 *   job delivery (the same message twice at once, or two messages in reverse order), a room evicted right after
 *   reserving shares or after placing the hold (mid-join), a room evicted at rest, the room alarm firing twice (with
 *   reservations made to look expired first), two cron runs at once (5-minute and daily), and retries of earlier
 *   joins/leaves/charges with the same idempotency key.
 * After EVERY step: Σ = 0 per book / cached = rows / nothing overdrawn / each pending hold posted or voided at most
 * once (assertLedgerInvariants), shares taken ≤ total for every buy (the room, the D1 mirror and the member rows), at
 * most one gateway order per charge. At the end the gateway recovers, every job is drained and every room healed:
 * every deferred charge is paid exactly once or clawed back (reconcileWithGateway), no share is left reserved, and no
 * card number or CVC-like field was written to D1, a room's storage, a queue body or a log line.
 *
 * `npm test` runs 3 schedules; `npm run test:sim -- --runs 1000` (or SIM_RUNS=1000) for the full count.
 * A failure prints the seed and path; replay with SIM_SEED=<seed> (and SIM_PATH=<path> to shrink straight to it).
 */
import {
  createScheduledController,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JobMessage } from "../../shared/schemas/jobs";
import type { GatewayMode } from "../../shared/schemas/payments";
import { charges, groupBuyMembers, groupBuys, users } from "../../worker/db/schema";
import type { GroupBuyRoom } from "../../worker/durable/GroupBuyRoom";
import { joinGroupBuy, leaveGroupBuy, transitionGroupBuy } from "../../worker/groupbuy/actions";
import { roomStub } from "../../worker/groupbuy/service";
import { withIdempotency } from "../../worker/lib/idempotency";
import { newId } from "../../worker/lib/ids";
import { DAILY_CRON, handleScheduled } from "../../worker/scheduled";
import { registerBillingKey } from "../../worker/wallet/billingKeys";
import { chargeWallet } from "../../worker/wallet/charge";
import { captureLogs, captureQueueSends, scanForCardData } from "./card-scan";
import { insertUser } from "./fixtures";
import { fixtureBuy } from "./groupbuy-fixtures";
import { assertLedgerInvariants } from "./ledger-invariants";
import { pg, setGateway } from "./payments-helpers";
import { verifyResident } from "./recommend-fixtures";
import {
  coverage,
  deliver,
  drainCharges,
  type Outcome,
  outcome,
  reconcileWithGateway,
  see,
  simEnv,
} from "./sim-helpers";
import { db, ensureRegion, fund, newBook } from "./wallet-helpers";

const RUNS = Number(env.SIM_RUNS) || 3;
const SEED = env.SIM_SEED ? Number(env.SIM_SEED) : undefined;
const PATH = env.SIM_PATH || undefined;
const USERS = 3;
const BUYS = 2;
const SHARES = 3;
/** Points each user starts with (credited through PG clearing by the fixture, outside the gateway). */
const FUNDED = 20_000;

type Cmd =
  | { t: "charge"; u: number; amount: number; billing: boolean }
  | { t: "join"; u: number; g: number; shares: number }
  | { t: "leave"; u: number; g: number }
  | { t: "crashJoin"; u: number; g: number; after: "reserve" | "hold" }
  | { t: "evict"; g: number }
  | { t: "alarm"; g: number; expire: boolean }
  | { t: "cancel"; g: number }
  | { t: "gateway"; mode: GatewayMode }
  | { t: "deliver"; job: number; how: "twice" | "reordered" }
  | { t: "cron"; daily: boolean }
  | { t: "retry"; back: number };

const u = fc.integer({ min: 0, max: USERS - 1 });
const g = fc.integer({ min: 0, max: BUYS - 1 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("charge" as const),
      u,
      amount: fc.integer({ min: 1, max: 5 }).map((k) => k * 1_000),
      billing: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant("join" as const), u, g, shares: fc.integer({ min: 1, max: 2 }) }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("leave" as const), u, g }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("crashJoin" as const), u, g, after: fc.constantFrom("reserve", "hold") }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("evict" as const), g }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("alarm" as const), g, expire: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cancel" as const), g }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("gateway" as const),
      mode: fc.constantFrom<GatewayMode>("up", "down", "down", "decline", "timeout_after_success"),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("deliver" as const),
      job: fc.nat(),
      how: fc.constantFrom("twice", "reordered"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cron" as const), daily: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("retry" as const), back: fc.nat() }) },
);

interface Sent {
  kind: "join" | "leave" | "charge";
  u: number;
  g: number;
  input: Record<string, unknown>;
  first: Outcome;
}

type Stub = ReturnType<typeof roomStub>;

/** Shares taken ≤ total as the room, the D1 mirror and the member rows see it. */
async function assertNoOversell(ids: string[], label: string) {
  for (const id of ids) {
    const snap = await roomStub(simEnv, id).snapshot(id, null);
    if (snap.ok) {
      const fill = snap.fill;
      expect(fill.takenShares, `${label}: room ${id} taken`).toBeLessThanOrEqual(fill.totalShares);
      expect(fill.confirmedShares, `${label}: room ${id} confirmed`).toBeLessThanOrEqual(fill.takenShares);
    }
    const row = (await db().select().from(groupBuys).where(eq(groupBuys.id, id)).get())!;
    expect(row.takenShares, `${label}: D1 taken of ${id}`).toBeLessThanOrEqual(row.totalShares);
    const members = await db()
      .select({ shares: sql<number>`coalesce(sum(${groupBuyMembers.shares}), 0)` })
      .from(groupBuyMembers)
      .where(and(eq(groupBuyMembers.groupBuyId, id), eq(groupBuyMembers.status, "joined")))
      .get();
    expect(Number(members?.shares ?? 0), `${label}: member shares of ${id}`).toBeLessThanOrEqual(row.totalShares);
  }
}

async function runSchedule(cmds: Cmd[]) {
  const book = newBook("xsim");
  await ensureRegion(book);
  const people: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const row = await insertUser(db(), "buyer");
    await verifyResident(db(), row.id, book);
    await fund(row.id, book, FUNDED);
    await registerBillingKey(
      db(),
      simEnv,
      row.id,
      { authKey: `auth_${newId()}`, consent: "billing-v1" },
      "127.0.0.1",
      Date.now(),
    );
    people.push(row.id);
  }
  const buys: string[] = [];
  for (let i = 0; i < BUYS; i++) buys.push((await fixtureBuy(db(), book, undefined, SHARES)).id);
  const rooms: Stub[] = buys.map((id) => roomStub(simEnv, id));
  await setGateway({ mode: "up", delayMs: 1500, rateLimitPerSec: 1000 });
  const sends = captureQueueSends();
  const logs = captureLogs();
  const jobs: unknown[] = [];
  // The daily cron's reconciliation jobs (one per book of the whole shared database) stay with the real consumer:
  // replaying them adds nothing to the model, and hundreds of them would crowd the schedule's own jobs out of `deliver`.
  const collectJobs = () =>
    jobs.push(...sends.bodies.splice(0).filter((j) => (j as JobMessage).type !== "wallet.reconcileBook"));
  const sent: Sent[] = [];
  const userRow = async (i: number) => (await db().select().from(users).where(eq(users.id, people[i])).get())!;
  const sellerOf = async (i: number) => {
    const gb = (await db().select().from(groupBuys).where(eq(groupBuys.id, buys[i])).get())!;
    return (await db().select().from(users).where(eq(users.id, gb.sellerId)).get())!;
  };

  const run = async (s: Omit<Sent, "first">): Promise<Outcome> => {
    const user = await userRow(s.u);
    if (s.kind === "join") {
      return outcome(joinGroupBuy(db(), simEnv, user, s.input as Parameters<typeof joinGroupBuy>[3], Date.now()));
    }
    if (s.kind === "leave")
      return outcome(leaveGroupBuy(simEnv, user, s.input as { id: string; idempotencyKey: string }));
    const input = s.input as Parameters<typeof chargeWallet>[4];
    return outcome(
      withIdempotency(
        { db: db(), now: Date.now(), user: { id: user.id } },
        { scope: "wallet.charge", key: input.idempotencyKey, input },
        () => chargeWallet(simEnv, db(), db(), user, input, "127.0.0.1", Date.now()),
      ),
    );
  };
  const send = async (s: Omit<Sent, "first">) => {
    const first = await run(s);
    sent.push({ ...s, first });
    see(`${s.kind}:${"ok" in first ? "ok" : first.error.split(":")[0]}`);
  };

  try {
    for (const cmd of cmds) {
      const label = JSON.stringify(cmd);
      switch (cmd.t) {
        case "charge": {
          const key = `xsim-${newId()}`;
          const paymentMethod = cmd.billing
            ? ({ type: "billingKey" } as const)
            : ({ type: "card", paymentKey: `pk_${newId()}`, orderId: `o-${newId()}` } as const);
          await send({
            kind: "charge",
            u: cmd.u,
            g: -1,
            input: { amount: cmd.amount, idempotencyKey: key, paymentMethod },
          });
          break;
        }
        case "join":
          await send({
            kind: "join",
            u: cmd.u,
            g: cmd.g,
            input: { id: buys[cmd.g], shares: cmd.shares, idempotencyKey: `xsim-j-${newId()}` },
          });
          break;
        case "leave":
          await send({
            kind: "leave",
            u: cmd.u,
            g: cmd.g,
            input: { id: buys[cmd.g], idempotencyKey: `xsim-l-${newId()}` },
          });
          break;
        case "crashJoin": {
          // the room dies between the steps of a join: after reserving shares, or after the ledger hold
          const user = await userRow(cmd.u);
          const req = {
            groupBuyId: buys[cmd.g],
            userId: user.id,
            homeRegionId: book,
            shares: 1,
            idempotencyKey: `xsim-c-${newId()}`,
          };
          await runInDurableObject(rooms[cmd.g], async (room: GroupBuyRoom) => {
            const step = room.reserveStep(req);
            if (cmd.after === "hold" && step.ok && "row" in step) await room.placeHoldStep(step.row.id);
            see(`crash-after-${cmd.after}:${step.ok && "row" in step ? "reserved" : "refused"}`);
          });
          await evictDurableObject(rooms[cmd.g]);
          break;
        }
        case "evict":
          await evictDurableObject(rooms[cmd.g]);
          break;
        case "alarm": {
          if (cmd.expire) {
            await runInDurableObject(rooms[cmd.g], (_room: GroupBuyRoom, state) => {
              state.storage.sql.exec("UPDATE reservations SET expires_at = 0");
            });
          }
          // at-least-once: the same alarm may run twice
          await runDurableObjectAlarm(rooms[cmd.g]);
          await runDurableObjectAlarm(rooms[cmd.g]);
          break;
        }
        case "cancel": {
          const r = await outcome(
            transitionGroupBuy(
              db(),
              simEnv,
              await sellerOf(cmd.g),
              buys[cmd.g],
              "CANCELLED",
              "시뮬레이션 취소",
              Date.now(),
            ),
          );
          see(`cancel:${"ok" in r ? "ok" : r.error.split(":")[0]}`);
          break;
        }
        case "gateway":
          await setGateway({ mode: cmd.mode });
          break;
        case "deliver": {
          if (jobs.length === 0) break;
          const a = jobs[cmd.job % jobs.length];
          if (cmd.how === "twice") await Promise.all([deliver([a]), deliver([a])]);
          else await deliver([jobs[(cmd.job + 1) % jobs.length], a]);
          break;
        }
        case "cron": {
          // two overlapping runs of the same cron (a slow run and the next tick)
          const cron = cmd.daily ? DAILY_CRON : "*/5 * * * *";
          const tick = () =>
            handleScheduled(createScheduledController({ scheduledTime: Date.now(), cron }), simEnv, {
              waitUntil() {},
              passThroughOnException() {},
              props: {},
            } as unknown as ExecutionContext);
          await Promise.all([tick(), tick()]);
          break;
        }
        case "retry": {
          if (sent.length === 0) break;
          const s = sent[sent.length - 1 - (cmd.back % sent.length)];
          const again = await run(s);
          // a successful request replays its result; a refused one may now pass or fail, but never twice-apply
          if ("ok" in s.first && s.kind !== "charge")
            expect("ok" in again, `${label}: replay of an ok ${s.kind}`).toBe(true);
          if (s.kind === "charge") expect(again, `${label}: the same key must give the first outcome`).toEqual(s.first);
          break;
        }
      }
      collectJobs();
      await assertLedgerInvariants(db(), [book]);
      await assertNoOversell(buys, label);
      const orders = await db().select({ orderId: charges.orderId }).from(charges).where(eq(charges.book, book)).all();
      for (const { orderId } of orders) expect((await pg().ordersFor(orderId)).length, label).toBeLessThanOrEqual(1);
    }

    // Recovery: the gateway comes back, every room heals (reservations expired, alarms run), every job is drained.
    await setGateway({ mode: "up" });
    for (const room of rooms) {
      await runInDurableObject(room, (_room: GroupBuyRoom, state) => {
        state.storage.sql.exec("UPDATE reservations SET expires_at = 0");
      });
      await runDurableObjectAlarm(room);
    }
    for (let round = 0; round < 5 && jobs.length; round++) {
      const batch = jobs.splice(0);
      await deliver(batch);
      collectJobs();
    }
    await drainCharges(book, collectJobs);
    await reconcileWithGateway(book, USERS * FUNDED);
    await assertNoOversell(buys, "after recovery");
    for (const room of rooms) {
      const open = await runInDurableObject(
        room,
        (_room: GroupBuyRoom, state) =>
          state.storage.sql.exec("SELECT count(*) AS n FROM reservations WHERE state = 'reserved'").one().n,
      );
      expect(open, "no share is left reserved after recovery").toBe(0);
    }
    logs.restore();
    const durableObjects = Object.fromEntries(rooms.map((r, i) => [`GroupBuyRoom#${i}`, r]));
    const found = await scanForCardData({ queueBodies: jobs, logs: logs.lines, durableObjects });
    expect(found, `card data found: ${JSON.stringify(found)}`).toEqual([]);
  } finally {
    logs.restore();
    sends.restore();
    await setGateway({ mode: "up", delayMs: 1500, rateLimitPerSec: 50 });
  }
}

describe("cross-domain fault simulation (group buys × ledger × payments × queue × cron)", () => {
  it(`random schedules of joins, charges and faults keep every invariant (${RUNS} runs)`, {
    timeout: 120_000 + RUNS * 20_000,
  }, async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 25 }), (cmds) => runSchedule(cmds)),
      { numRuns: RUNS, seed: SEED, path: PATH, verbose: 1 },
    );
    console.log(
      `system-sim: ${RUNS} schedules in ${((Date.now() - started) / 1000).toFixed(1)} s; reached ${JSON.stringify(coverage)}`,
    );
  });
});
