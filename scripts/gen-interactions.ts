// npm run gen:interactions -- [--out bench/data/interactions.csv] [--interactions 100000] [--seed 42]
// Writes the CSV (user_id,item_id,timestamp,category,region) and its sidecars (.items/.regions/.interests.csv).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { toCsvFiles } from "./recommend/csv.ts";
import { DEFAULT_SYNTHETIC, generateInteractions } from "./recommend/synthetic.ts";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "bench/data/interactions.csv" },
    interactions: { type: "string", default: String(DEFAULT_SYNTHETIC.interactions) },
    seed: { type: "string", default: String(DEFAULT_SYNTHETIC.seed) },
    "cold-share": { type: "string", default: String(DEFAULT_SYNTHETIC.coldShare) },
  },
});

const count = Number(values.interactions);
if (!Number.isInteger(count) || count < 1 || count > 2_000_000) {
  console.error("--interactions must be an integer from 1 to 2,000,000");
  process.exit(2);
}
const data = generateInteractions({
  interactions: count,
  seed: Number(values.seed),
  coldShare: Number(values["cold-share"]),
});
const files = toCsvFiles(data);
const out = values.out!;
const base = out.replace(/\.csv$/, "");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${files.main}\n`);
writeFileSync(`${base}.items.csv`, `${files.items}\n`);
writeFileSync(`${base}.regions.csv`, `${files.regions}\n`);
writeFileSync(`${base}.interests.csv`, `${files.interests}\n`);
const users = new Set(data.rows.map((r) => r.userId)).size;
console.log(
  `wrote ${out}: ${data.rows.length} interactions, ${users} users, ${data.items.length} items, ` +
    `${data.regions.length} regions, ${data.interests.size} users with interests (seed ${values.seed})`,
);
