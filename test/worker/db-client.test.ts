import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../worker/db/client";

describe("getDb", () => {
  it("reuses one drizzle instance per D1 binding (building one walks the whole schema)", () => {
    expect(getDb(env)).toBe(getDb(env));
    expect(getDb({ ...env })).toBe(getDb(env));
  });
});
