/**
 * The one result format every bench writes (bench/results/<name>.json) and `npm run bench` (bench/run.ts) prints:
 *   { name, date (ISO), cores, loadavg, rows: [{ metric, value, unit, baseline?, ratio? }] }
 * `ratio` is value / baseline, measured in the same run. Extra fields (e.g. "detail") are allowed and ignored.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

export interface BenchResult {
  name: string;
  date: string;
  cores: number;
  loadavg: number[];
  rows: BenchRow[];
  [extra: string]: unknown;
}

export const RESULTS_DIR = resolve(import.meta.dirname, "../results");

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n);

/** A row; with a baseline the ratio value/baseline is filled in. */
export function row(metric: string, value: number, unit: string, baseline?: number): BenchRow {
  const r: BenchRow = { metric, value: round(value), unit };
  if (baseline !== undefined) {
    r.baseline = round(baseline);
    r.ratio = baseline === 0 ? Number.NaN : round(value / baseline);
  }
  return r;
}

/** Writes bench/results/<name>.json (the machine's cores and load average taken now); returns the path. */
export function writeResult(name: string, rows: BenchRow[], extra: Record<string, unknown> = {}): string {
  const result: BenchResult = {
    name,
    date: new Date().toISOString(),
    cores: availableParallelism(),
    loadavg: loadavg().map(round),
    rows,
    ...extra,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${path}`);
  return path;
}
