import { type Client, createClient } from "@libsql/client";
import { afterEach, describe, expect, test } from "vitest";
import { DEMO_ACCOUNTS, DEMO_BUYERS, DEMO_PASSWORD, DEMO_REGIONS, DEMO_SELLERS } from "../../scripts/seed/demo-data";
import { insertOrIgnore, literal } from "../../scripts/seed/sql";
import { seedStatements } from "../../scripts/seed/steps";
import { idSchema } from "../../shared/schemas/common";
import { hashPassword, verifyPassword } from "../../worker/accounts/password";
import { users } from "../../worker/db/schema";
import { migrationStatements } from "./libsql-db";

// The seed's SQL on the real schema (libSQL, foreign keys on like D1), applied as one batch like
// `wrangler d1 execute --file`. The wrangler path itself runs in every browser test's global setup.

const PEPPER = "seed-test-pepper";
const DAY = 86_400_000;
let client: Client;

async function freshDb() {
  client = createClient({ url: ":memory:" });
  await client.migrate(migrationStatements());
  await client.execute("PRAGMA foreign_keys = ON");
}

async function seed(now: number) {
  const steps = await seedStatements({ now, hashPassword: (p) => hashPassword(p, PEPPER) });
  await client.batch(
    steps.flatMap((s) => s.sql),
    "write",
  );
}

const count = async (sql: string) => Number((await client.execute(sql)).rows[0][0]);
const one = async (sql: string, args: (string | number)[]) => (await client.execute({ sql, args })).rows[0];

afterEach(() => client?.close());

describe("demo seed", () => {
  test("applies to the migrated schema and a second run adds nothing, keeps user edits, refreshes verifications", async () => {
    await freshDb();
    const t0 = Date.UTC(2026, 10, 1);
    await seed(t0);

    const buyer = DEMO_BUYERS[0];
    const expired = DEMO_ACCOUNTS.find((a) => a.verification === "expired")!;
    const counts = async () => ({
      regions: await count("SELECT count(*) FROM regions"),
      users: await count("SELECT count(*) FROM users"),
      sellers: await count("SELECT count(*) FROM users WHERE role = 'seller'"),
      admins: await count("SELECT count(*) FROM users WHERE role = 'admin'"),
      approved: await count("SELECT count(*) FROM seller_applications WHERE status = 'approved'"),
      verifications: await count("SELECT count(*) FROM region_verifications"),
    });
    const first = await counts();
    expect(first).toEqual({
      regions: DEMO_REGIONS.length,
      users: DEMO_ACCOUNTS.length,
      sellers: DEMO_SELLERS.length,
      admins: 1,
      approved: DEMO_SELLERS.length,
      verifications: DEMO_ACCOUNTS.filter((a) => a.verification !== "none").length,
    });
    const hashBefore = (await one("SELECT password_hash FROM users WHERE id = ?", [buyer.id])).password_hash;
    await client.execute({ sql: "UPDATE users SET display_name = '민지네' WHERE id = ?", args: [buyer.id] });

    const t1 = t0 + 5 * DAY;
    await seed(t1);

    expect(await counts()).toEqual(first);
    const after = await one("SELECT display_name, password_hash FROM users WHERE id = ?", [buyer.id]);
    expect(after.display_name).toBe("민지네");
    expect(after.password_hash).toBe(hashBefore);
    const current = await one("SELECT verified_at, expires_at FROM region_verifications WHERE user_id = ?", [buyer.id]);
    expect(current.verified_at).toBe(t1);
    expect(current.expires_at).toBe(t1 + 30 * DAY);
    const stale = await one("SELECT expires_at FROM region_verifications WHERE user_id = ?", [expired.id]);
    expect(Number(stale.expires_at)).toBeLessThan(t1);
  });

  test("seeded password hashes are real PBKDF2 hashes that the worker's verifyPassword accepts", async () => {
    await freshDb();
    await seed(Date.now());
    const rows = (await client.execute("SELECT email, password_hash FROM users ORDER BY email")).rows;
    expect(rows).toHaveLength(DEMO_ACCOUNTS.length);
    for (const row of rows.slice(0, 3)) {
      const stored = String(row.password_hash);
      expect(stored).toMatch(/^pbkdf2-sha256\$100000\$/);
      expect(await verifyPassword(DEMO_PASSWORD, stored, PEPPER)).toBe(true);
      expect(await verifyPassword(DEMO_PASSWORD, stored, "another-pepper")).toBe(false);
    }
  });

  test("fixed ids are valid API ids and emails are unique", () => {
    for (const account of DEMO_ACCOUNTS) expect(idSchema.safeParse(account.id).success).toBe(true);
    expect(new Set(DEMO_ACCOUNTS.map((a) => a.email)).size).toBe(DEMO_ACCOUNTS.length);
  });
});

describe("seed SQL literals", () => {
  test("quotes and control text round-trip as data, never as SQL", async () => {
    await freshDb();
    const hostile = "x'); DROP TABLE users; --";
    const [sql] = insertOrIgnore(users, [
      {
        id: "0SEED000000000000000TST001",
        email: "t@gonggu.test",
        passwordHash: hostile,
        displayName: "O'Neil",
        createdAt: 1,
      },
    ]);
    await client.execute(sql);
    const row = await one("SELECT password_hash, display_name FROM users WHERE id = ?", ["0SEED000000000000000TST001"]);
    expect(row.password_hash).toBe(hostile);
    expect(row.display_name).toBe("O'Neil");
  });

  test("literal() renders each type and refuses what SQLite cannot hold exactly", () => {
    expect(literal(null)).toBe("NULL");
    expect(literal(undefined)).toBe("NULL");
    expect(literal(12000)).toBe("12000");
    expect(literal(true)).toBe("1");
    expect(literal({ a: "b'c" })).toBe(`'{"a":"b''c"}'`);
    expect(() => literal(Number.NaN)).toThrow(/non-finite/);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(/non-finite/);
  });

  test("a row key that is not a column of the table is an error, not silently dropped", () => {
    expect(() => insertOrIgnore(users, [{ id: "x", nope: 1 } as unknown as typeof users.$inferInsert])).toThrow(
      /no column for key "nope"/,
    );
  });
});
