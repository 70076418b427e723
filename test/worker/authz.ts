import { beforeAll, describe, expect, it } from "vitest";
import { callApi } from "./api";
import { AUTHZ_TABLE, type AuthzRow } from "./authz-table";
import { createFixtures, type Fixtures, ROLES, tokenFor } from "./fixtures";
import { listProcedures } from "./procedures";

// Anything that looks like a stored password hash must never leave the API.
const PASSWORD_HASH_LEAK = /pbkdf2-sha256\$|passwordHash|password_hash/;

const rows = Object.entries(AUTHZ_TABLE) as [string, AuthzRow<unknown>][];

/** The table coverage checks (run once, by shard 0). */
function coverageChecks() {
  describe("authz table covers the router", () => {
    const procedures = listProcedures();

    it("has a row for every procedure", () => {
      const missing = procedures.map((p) => p.path).filter((path) => !(path in AUTHZ_TABLE));
      expect(
        missing,
        `Procedures without a row in test/worker/authz-table.ts: ${missing.join(", ")}. Add one row per procedure ` +
          "(kind, a valid input factory, the expected outcome per role).",
      ).toEqual([]);
    });

    it("has no row for a procedure that does not exist", () => {
      const served = new Set(procedures.map((p) => p.path));
      const stale = rows.map(([path]) => path).filter((path) => !served.has(path));
      expect(stale, `Rows for procedures the router does not serve (renamed or removed?): ${stale.join(", ")}`).toEqual(
        [],
      );
    });

    it("states each procedure's kind as the router defines it", () => {
      for (const p of procedures) {
        expect(AUTHZ_TABLE[p.path as keyof typeof AUTHZ_TABLE]?.kind, `kind of ${p.path}`).toBe(p.kind);
      }
    });

    it("gives every procedure that takes input a sample input", () => {
      for (const p of procedures.filter((p) => p.input)) {
        expect(AUTHZ_TABLE[p.path as keyof typeof AUTHZ_TABLE]?.input, `sample input for ${p.path}`).toBeTypeOf(
          "function",
        );
      }
    });
  });
}

/**
 * The table runs in SHARDS files (authz-N.test.ts): one file with every row left workerd hanging at teardown now and
 * then under load (all tests passed, the run never finished); smaller files don't, and run in parallel.
 */
export const SHARDS = 3;

export function defineAuthzShard(shard: number) {
  if (shard === 0) coverageChecks();
  describe("every procedure × every role", () => {
    let fx: Fixtures;
    beforeAll(async () => {
      fx = await createFixtures();
    });

    for (const [path, row] of rows.filter((_, i) => i % SHARDS === shard)) {
      for (const role of ROLES) {
        const expected = row.expect[role];
        it(`${path} as ${role} → ${expected}`, async () => {
          const caller = role === "anonymous" ? null : await fx.newUser(role);
          const token = caller ? await tokenFor(fx.db, caller) : undefined;
          const input = row.input ? await row.input({ fx, role, caller }) : undefined;
          const res = await callApi({ path, kind: row.kind, input, token });
          const outcome = res.code ?? (res.status === 200 ? "OK" : `HTTP ${res.status}`);
          expect(outcome, `${path} as ${role}: ${res.message ?? ""}`).toBe(expected);
          if (expected === "OK") {
            expect(JSON.stringify(res.body)).not.toMatch(PASSWORD_HASH_LEAK);
          } else {
            // Refusals are typed and say something a person can act on.
            expect(res.message?.length ?? 0).toBeGreaterThan(5);
            expect(res.status).toBeLessThan(500);
          }
        });
      }
    }
  });
}
