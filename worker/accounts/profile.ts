import type { users } from "../db/schema";

type UserRow = typeof users.$inferSelect;

/** What a user may see of their own account: never the password hash. */
export function toMe(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    homeRegionId: user.homeRegionId,
    suspendedUntil: user.suspendedUntil,
    createdAt: user.createdAt,
  };
}
