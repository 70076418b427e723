import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defOf } from "../shared/zod-def";
import { listProcedures } from "./procedures";
import { unbounded } from "./schema-bounds";

describe("input limits", () => {
  it("flags what it should (self-check of the schema walker)", () => {
    const schema = z.object({
      free: z.string(),
      list: z.array(z.string().max(3)),
      id: z.string().regex(/^[0-9A-Z]{26}$/),
      loose: z.string().regex(/^[a-z]+$/),
      email: z.string().trim().max(254).pipe(z.email()),
      nested: z.object({ note: z.string().optional() }).optional(),
      map: z.record(z.string().max(5), z.number()),
    });
    expect(unbounded(defOf(schema), "", [])).toEqual(["free", "list[]", "loose", "nested.note", "map{}"]);
  });

  it("bounds every string and array in every procedure's input", () => {
    const problems = listProcedures()
      .filter((p) => p.input)
      .flatMap((p) => unbounded(defOf(p.input), "", []).map((where) => `${p.path}: ${where || "(input)"}`));
    expect(problems, `Add .max() to these inputs (shared/schemas):\n${problems.join("\n")}`).toEqual([]);
  });
});
