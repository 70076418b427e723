/** Read access to a zod v4 schema's definition (its `_zod.def`), for tests that walk input schemas. */
export type CheckDef = { check: string } & Record<string, unknown>;
export type ZodDef = { type: string; checks?: { _zod: { def: CheckDef } }[] } & Record<string, unknown>;

export const defOf = (schema: unknown): ZodDef => (schema as { _zod: { def: ZodDef } })._zod.def;
export const checksOf = (def: ZodDef): CheckDef[] => (def.checks ?? []).map((c) => c._zod.def);
