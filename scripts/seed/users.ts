import { REGION_VERIFICATION_DAYS } from "../../shared/schemas/regions.ts";
import { regionVerifications, sellerApplications, users } from "../../worker/db/schema/index.ts";
import { DEMO_ACCOUNTS, DEMO_ADMIN, DEMO_PASSWORD, seedId } from "./demo-data.ts";
import { DAY_MS, insertOrIgnore, type SeedStep, upsert } from "./sql.ts";

/**
 * Demo accounts (created once, then theirs to change), approved seller applications, and home-region
 * verifications that are refreshed on every run so demo buyers stay verified.
 */
export default {
  name: "users",
  async statements({ now, hashPassword }) {
    const userRows = await Promise.all(
      DEMO_ACCOUNTS.map(async (a, i) => ({
        id: a.id,
        email: a.email,
        passwordHash: await hashPassword(DEMO_PASSWORD),
        displayName: a.displayName,
        role: a.role,
        homeRegionId: a.homeRegionId,
        createdAt: now - 30 * DAY_MS + i * 60_000,
      })),
    );

    const applications = DEMO_ACCOUNTS.flatMap((a) =>
      a.business
        ? [
            {
              id: seedId(`APP${a.id.slice(-6)}`),
              userId: a.id,
              businessName: a.business.name,
              businessNumber: a.business.number,
              status: "approved" as const,
              decidedBy: DEMO_ADMIN.id,
              createdAt: now - 14 * DAY_MS,
              decidedAt: now - 13 * DAY_MS,
            },
          ]
        : [],
    );

    const verifications = DEMO_ACCOUNTS.flatMap((a) => {
      if (!a.homeRegionId || a.verification === "none") return [];
      const verifiedAt = a.verification === "current" ? now : now - 40 * DAY_MS;
      return [
        {
          id: seedId(`VRF${a.id.slice(-6)}`),
          userId: a.id,
          regionId: a.homeRegionId,
          distanceM: 250, // demo users "stood" 250 m from the centre
          verifiedAt,
          expiresAt: verifiedAt + REGION_VERIFICATION_DAYS * DAY_MS,
        },
      ];
    });

    return [
      ...insertOrIgnore(users, userRows),
      ...insertOrIgnore(sellerApplications, applications),
      ...upsert(regionVerifications, verifications, {
        target: "id",
        refresh: ["regionId", "distanceM", "verifiedAt", "expiresAt"],
      }),
    ];
  },
} satisfies SeedStep;
