// npm run eval:recommend -- --data <csv> [--protocol time-split|leave-last-out|both] [--out <json>]
// Sidecars next to the CSV (<base>.items.csv, .regions.csv, .interests.csv) are used when present.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import {
  applyInterestsSidecar,
  applyItemsSidecar,
  applyRegionsSidecar,
  type Dataset,
  parseInteractionsCsv,
} from "./recommend/csv.ts";
import { type EvalReport, evaluate, formatReport, type Protocol } from "./recommend/evaluation.ts";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    protocol: { type: "string", default: "both" },
    out: { type: "string" },
  },
});
if (!values.data || !existsSync(values.data)) {
  console.error("usage: npm run eval:recommend -- --data <csv> (make one with npm run gen:interactions)");
  process.exit(2);
}
const protocols: Protocol[] =
  values.protocol === "both" ? ["time-split", "leave-last-out"] : [values.protocol as Protocol];
if (!protocols.every((p) => p === "time-split" || p === "leave-last-out")) {
  console.error("--protocol is time-split, leave-last-out or both");
  process.exit(2);
}

const ds: Dataset = parseInteractionsCsv(readFileSync(values.data, "utf8"));
const base = values.data.replace(/\.csv$/, "");
const sidecars: [string, (ds: Dataset, text: string) => void][] = [
  [`${base}.items.csv`, applyItemsSidecar],
  [`${base}.regions.csv`, applyRegionsSidecar],
  [`${base}.interests.csv`, applyInterestsSidecar],
];
for (const [path, apply] of sidecars) if (existsSync(path)) apply(ds, readFileSync(path, "utf8"));

const reports: EvalReport[] = [];
for (const protocol of protocols) {
  const report = evaluate(ds, protocol);
  reports.push(report);
  console.log(formatReport(report));
  console.log(`(${report.seconds.toFixed(1)} s)\n`);
}
const out = values.out ?? `bench/results/recommend-eval-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ data: values.data, reports }, null, 2)}\n`);
console.log(`report written to ${out}`);
