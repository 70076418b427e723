import { describe, expect, it } from "vitest";
import { isQuiet, machineLine, machineShare, parseProcStat, readMachine } from "../../bench/lib/machineShare";

describe("machineShare (what else ran on the machine during a bench window)", () => {
  it("reads busy and total ticks from /proc/stat's cpu line, iowait as idle", () => {
    const stat = "cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n";
    expect(parseProcStat(stat)).toEqual({ busy: 160, total: 1000 });
  });

  it("splits the cores' busy time into this bench's processes and everyone else's", () => {
    const a = { busy: 0, total: 0, oursS: 10, waitMs: 100, runtimeS: 1, at: 0 };
    // 10 s on 2 cores = 2,000 ticks; 1,500 busy (75 %); the bench used 10 s of CPU (50 % of the machine)
    const b = { busy: 1500, total: 2000, oursS: 20, waitMs: 600, runtimeS: 7, at: 10_000 };
    const s = machineShare(a, b, 2);
    expect(s.busy).toBeCloseTo(0.75);
    expect(s.ours).toBeCloseTo(0.5);
    expect(s.others).toBeCloseTo(0.25);
    expect(s.serverWaitMs).toBe(500);
    expect(s.runtimeS).toBe(6);
    expect(machineLine(s, 2)).toBe(
      "machine during the window: 2 cores 75% busy — this bench's processes 50%, other processes 25%; " +
        "the runtime's threads waited 500 ms for a core (5% of the window): NOT a quiet window " +
        "(quiet: others ≤ 5% and waits ≤ 3%), the tail reflects the machine",
    );
  });

  it("never reports a negative share for others (the two clocks are read a few µs apart)", () => {
    const s = machineShare(
      { busy: 0, total: 0, oursS: 0, waitMs: 0, runtimeS: 0, at: 0 },
      { busy: 900, total: 2000, oursS: 10, waitMs: 0, runtimeS: 4, at: 10_000 },
      2,
    );
    expect(s.ours).toBeCloseTo(0.45);
    expect(s.others).toBe(0);
    expect(isQuiet(s)).toBe(true);
    expect(machineLine(s, 2)).toMatch(/: a quiet window$/);
  });

  it("reads this machine (Linux /proc) and counts this process's own CPU", () => {
    const first = readMachine([String(process.pid)], [String(process.pid)]);
    let x = 0;
    for (let i = 0; i < 2e7; i++) x += i % 7;
    const second = readMachine([String(process.pid)], [String(process.pid)]);
    expect(x).toBeGreaterThan(0);
    expect(second.total).toBeGreaterThanOrEqual(first.total);
    expect(second.oursS).toBeGreaterThan(first.oursS);
    expect(second.waitMs).toBeGreaterThanOrEqual(first.waitMs);
  });
});
