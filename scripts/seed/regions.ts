import { regions } from "../../worker/db/schema/index.ts";
import { DEMO_REGIONS } from "./demo-data.ts";
import { type SeedStep, upsert } from "./sql.ts";

// Regions are reference data the seed owns: corrections to names or coordinates apply on the next run.
export default {
  name: "regions",
  statements: () =>
    upsert(
      regions,
      DEMO_REGIONS.map((r) => ({ ...r })),
      { target: "id", refresh: ["name", "nameEn", "city", "lat", "lng", "radiusM"] },
    ),
} satisfies SeedStep;
