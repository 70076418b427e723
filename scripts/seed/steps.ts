import groupBuys from "./groupbuys.ts";
import regions from "./regions.ts";
import type { SeedContext, SeedStep } from "./sql.ts";
import users from "./users.ts";

/**
 * Every seed step, in order (later steps may refer to rows of earlier ones). To seed something new, add a file
 * scripts/seed/<thing>.ts whose default export `satisfies SeedStep`, and list it here.
 */
export const STEPS: SeedStep[] = [regions, users, groupBuys];

/** All steps' SQL, each step introduced by a comment line. */
export async function seedStatements(ctx: SeedContext, steps = STEPS): Promise<{ step: string; sql: string[] }[]> {
  const out = [];
  for (const step of steps) out.push({ step: step.name, sql: await step.statements(ctx) });
  return out;
}
