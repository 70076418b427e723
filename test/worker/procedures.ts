import type { AnyTRPCProcedure, inferProcedureInput } from "@trpc/server";
import type { ZodType } from "zod";
import { type AppRouter, appRouter } from "../../worker/trpc/router";

type RouterRecord = AppRouter["_def"]["record"];

type PathsOf<R, Prefix extends string = ""> = {
  [K in keyof R & string]: R[K] extends AnyTRPCProcedure ? `${Prefix}${K}` : PathsOf<R[K], `${Prefix}${K}.`>;
}[keyof R & string];

type ProcedureAt<R, Path extends string> = Path extends `${infer Head}.${infer Rest}`
  ? Head extends keyof R
    ? ProcedureAt<R[Head], Rest>
    : never
  : Path extends keyof R
    ? R[Path]
    : never;

/** "auth.login" | "admin.sellers.approve" | … — every procedure of the app, as a type. */
export type ProcedurePath = PathsOf<RouterRecord>;
export type InputOf<P extends ProcedurePath> =
  ProcedureAt<RouterRecord, P> extends AnyTRPCProcedure ? inferProcedureInput<ProcedureAt<RouterRecord, P>> : never;

export interface ProcedureInfo {
  path: string;
  kind: "query" | "mutation" | "subscription";
  /** The procedure's input schema (zod), or null when it takes no input. */
  input: ZodType | null;
}

/** Every procedure the router really serves, read from the router itself (not from a list someone maintains). */
export function listProcedures(): ProcedureInfo[] {
  // At runtime `procedures` is flat ("auth.login" → procedure); its static type is the nested record.
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyTRPCProcedure>;
  return Object.entries(procedures).map(([path, procedure]) => {
    const def = procedure._def as unknown as { type: ProcedureInfo["kind"]; inputs: unknown[] };
    if (def.inputs.length > 1) throw new Error(`${path}: chained .input() is not supported by the fuzz generator`);
    return { path, kind: def.type, input: (def.inputs[0] as ZodType | undefined) ?? null };
  });
}
