import { describe, expect, it } from "vitest";
import type { OpenAttempt } from "../../bench/lib/openLoop";
import { findStalls, type QueueRun, type TimedReading } from "../../bench/lib/stalls";

/** Attempts due every ms, each answered `took(i)` ms after it was due. */
const attempts = (n: number, took: (i: number) => number): OpenAttempt[] =>
  Array.from({ length: n }, (_, i) => ({ scheduled: i, sent: i, answered: i + took(i), outcome: "no" }));

/**
 * A reading every 20 ms from epoch t0 on 2 cores: the runtime uses `runtime(ms)` of each 20 ms, other processes
 * `others(ms)`, this bench nothing else.
 */
function readings(t0: number, ms: number, runtime: (at: number) => number, others: (at: number) => number) {
  const out: TimedReading[] = [];
  let [runtimeS, busy] = [0, 0];
  for (let at = 0; at <= ms; at += 20) {
    out.push({ epoch: t0 + at, at, runtimeS, oursS: runtimeS, busy, total: (at / 1000) * 200, waitMs: 0 });
    runtimeS += runtime(at) / 1000;
    busy += ((runtime(at) + others(at)) / 1000) * 100; // ticks (100 a second)
  }
  return out;
}

describe("findStalls (an open-loop storm's slow episodes and what ran in each)", () => {
  const t0 = 1_000_000;
  /** The runtime uses 10 of each 20 ms throughout, nobody else runs. */
  const steady = readings(
    t0,
    1000,
    () => 10,
    () => 0,
  );

  it("groups the slow attempts whose waits overlap into one episode, from the first one's due time to the last answer", () => {
    // attempts 100..199 answered at 260 ms (a 160 ms stall), attempts 500..509 at 580 ms
    const a = attempts(1000, (i) => (i >= 100 && i < 200 ? 260 - i : i >= 500 && i < 510 ? 580 - i : 1));
    const stalls = findStalls(a, t0, 0, 50, steady, []);
    expect(stalls.map((s) => [s.from, s.to, s.slow])).toEqual([
      [100, 260, 100],
      [500, 580, 10],
    ]);
  });

  it("only looks after `fromMs` (the fill), and finds nothing when every answer was fast", () => {
    const a = attempts(1000, (i) => (i < 100 ? 300 - i : 1));
    expect(findStalls(a, t0, 400, 50, steady, [])).toEqual([]);
  });

  it("puts beside each episode the runtime's CPU, other processes' CPU and the queue batches that overlapped it", () => {
    const a = attempts(1000, (i) => (i >= 400 && i < 500 ? 520 - i : 1));
    // the runtime busy (20 of each 20 ms) from 400 to 520 ms, someone else using a core from 600 ms on
    const r = readings(
      t0,
      1000,
      (at) => (at >= 400 && at < 520 ? 20 : 5),
      (at) => (at >= 600 ? 20 : 0),
    );
    const queue: QueueRun[] = [
      { queue: "jobs", start: t0 + 410, end: t0 + 470, jobs: { "groupbuy.settleHolds": 2 } },
      { queue: "jobs", start: t0 + 800, end: t0 + 850, jobs: { "groupbuy.pushNotices": 1 } },
    ];
    const [s] = findStalls(a, t0, 0, 50, r, queue);
    expect([s.from, s.to]).toEqual([400, 520]);
    expect(s.runtimeMs).toBeCloseTo(120);
    expect(s.othersMs).toBeCloseTo(0);
    expect(s.queue).toEqual([queue[0]]);
  });
});
