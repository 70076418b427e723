import { describe, expect, it } from "vitest";
import { type OpenAttempt, openLoopStats, runOpenLoop, scheduledAt } from "../../bench/lib/openLoop";

/** Attempts due every `gap` ms, each answered `took(i)` ms after it was due (sent on time). */
const storm = (
  n: number,
  gap: number,
  took: (i: number) => number,
  outcome: (i: number) => string = (i) => (i < 2 ? "ok" : "no"),
) =>
  Array.from({ length: n }, (_, i): OpenAttempt => {
    const scheduled = i * gap;
    return { scheduled, sent: scheduled, answered: scheduled + took(i), outcome: outcome(i) };
  });

describe("openLoopStats (coordinated-omission-corrected figures of an open-loop storm)", () => {
  it("schedules attempt i at i / rate seconds", () => {
    expect(scheduledAt(0, 1000)).toBe(0);
    expect(scheduledAt(1500, 1000)).toBe(1500);
    expect(scheduledAt(3, 1200)).toBeCloseTo(2.5);
  });

  it("times every attempt from its schedule, so a stall counts for every attempt queued behind it", () => {
    // 100 attempts 1 ms apart; the server stalls 50 ms at attempt 10: attempts 10..59 are all answered at 60 ms
    // (a closed loop with one client would have sent only attempt 10 during the stall and timed just that one)
    const attempts = storm(100, 1, (i) => (i >= 10 && i < 60 ? 60 - i : 1));
    const s = openLoopStats(attempts, { rate: 1000, stopAt: 200, slowMs: 20 });
    expect(s.answered).toBe(100);
    expect(s.censored).toBe(0);
    expect(s.lowerBound).toBe(false);
    expect(s.max).toBe(50);
    // latencies 50, 49, …, 1 for the stalled ones: 31 of them reach 20 ms
    expect(s.slow).toBe(31);
    // nearest rank: sorted[floor(0.99 × 100)] = the largest; sorted[50] among 50 ones and 1..50
    expect(s.p99).toBe(50);
    expect(s.p50).toBe(1);
    // the last answer at 99 + 1 = 100 ms: 100 answers in 0.1 s
    expect(s.achievedPerSec).toBeCloseTo(1000);
    // at 60 ms, 61 attempts were due and 10 answered (the stall's first answer arrives then): 51 outstanding
    expect(s.peakBacklog).toBe(51);
  });

  it("counts slow answers after the fill apart and gives the successful attempts' own latencies", () => {
    const attempts = storm(
      10,
      10,
      (i) => [30, 40, 1, 1, 1, 60, 1, 70, 1, 1][i],
      (i) => (i < 2 ? "ok" : "sold_out"),
    );
    const s = openLoopStats(attempts, { rate: 100, stopAt: 1000, slowMs: 50 });
    // the fill ends when the last ok answer arrives: attempt 1, due at 10, answered at 50
    expect(s.fillEnd).toBe(50);
    expect(s.slow).toBe(2);
    expect(s.slowAfterFill).toBe(2);
    expect(s.okP50).toBe(40);
    expect(s.okMax).toBe(40);
  });

  it("counts attempts cut off by the bound as waiting until it, and says the percentiles are lower bounds", () => {
    const attempts: OpenAttempt[] = [
      { scheduled: 0, sent: 0, answered: 5, outcome: "ok" },
      { scheduled: 1, sent: 5, answered: 900, outcome: "no" },
      { scheduled: 2, sent: null, answered: null, outcome: "unsent" },
      { scheduled: 3, sent: null, answered: null, outcome: "unsent" },
    ];
    const s = openLoopStats(attempts, {
      rate: 1000,
      stopAt: 1000,
      slowMs: 50,
      ok: (o) => o === "ok",
      waited: [false, true, false, false],
    });
    expect(s.answered).toBe(2);
    expect(s.censored).toBe(2);
    expect(s.lowerBound).toBe(true);
    expect(s.max).toBe(998);
    expect(s.achievedPerSec).toBeCloseTo(2 / 0.9);
    expect(s.waitedForConnection).toBe(1);
    expect(s.maxConnectionWait).toBe(4);
    expect(s.sendLagP99).toBe(0);
  });
});

describe("runOpenLoop", () => {
  it("sends every attempt in schedule order, never more than one per connection, and queues when none is free", async () => {
    const inUse = new Set<number>();
    const order: number[] = [];
    let peak = 0;
    let overlaps = 0;
    const run = await runOpenLoop({
      rate: 2000,
      attempts: 60,
      connections: [0, 1, 2],
      stopAfterMs: 5_000,
      call: async (i, connection) => {
        if (inUse.has(connection)) overlaps++;
        inUse.add(connection);
        peak = Math.max(peak, inUse.size);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        inUse.delete(connection);
        return i === 0 ? "ok" : "no";
      },
    });
    expect(order).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(overlaps).toBe(0);
    expect(peak).toBe(3);
    // 3 connections × 5+ ms per answer < 2,000/s: some attempts had to wait for a connection
    expect(run.waited.some(Boolean)).toBe(true);
    for (const a of run.attempts) {
      expect(a.sent).not.toBeNull();
      expect(a.sent as number).toBeGreaterThanOrEqual(a.scheduled);
      expect(a.answered as number).toBeGreaterThan(a.sent as number);
    }
    const s = openLoopStats(run.attempts, { rate: 2000, stopAt: run.stopAt, slowMs: 50, waited: run.waited });
    expect(s.censored).toBe(0);
    // the queue shows in the latency from the schedule: the last attempts waited far longer than one answer's 5 ms
    expect(s.max).toBeGreaterThan(50);
  });

  it("stops sending at the bound, waits for the attempts in flight, and reports the rest as never sent", async () => {
    const run = await runOpenLoop({
      rate: 1000,
      attempts: 50,
      connections: ["only"],
      stopAfterMs: 40,
      call: () => new Promise((r) => setTimeout(() => r("no"), 15)),
    });
    const sent = run.attempts.filter((a) => a.sent !== null).length;
    // one connection, 15 ms per answer: at most 4 fit in 40 ms; a loaded machine may fire the timers late (1 was seen)
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(4);
    expect(run.attempts.filter((a) => a.answered !== null)).toHaveLength(sent);
    expect(run.stopAt).toBe(40);
    const s = openLoopStats(run.attempts, { rate: 1000, stopAt: run.stopAt, slowMs: 50 });
    expect(s.censored).toBe(50 - sent);
    expect(s.lowerBound).toBe(true);
  });
});
