import { checksOf, type ZodDef as Def, defOf } from "../shared/zod-def";

/** A regex bounds the length when it is anchored and has no *, + or {n,} (e.g. ids: ^[0-9A-Z]{26}$). */
function boundedPattern(pattern: unknown): boolean {
  if (!(pattern instanceof RegExp)) return false;
  const src = pattern.source;
  return src.startsWith("^") && src.endsWith("$") && !/(^|[^\\])[*+]|\{\d+,\}/.test(src);
}

/** Paths inside an input schema where a string or array has no upper bound on its length. */
export function unbounded(def: Def, path: string, out: string[], seen = new Set<Def>()): string[] {
  if (seen.has(def)) return out;
  seen.add(def);
  const checks = checksOf(def);
  const hasMax = checks.some((c) => c.check === "max_length" || c.check === "length_equals");
  switch (def.type) {
    case "string":
      if (!hasMax && !boundedPattern(def.pattern) && !checks.some((c) => boundedPattern(c.pattern))) out.push(path);
      break;
    case "array":
      if (!hasMax) out.push(`${path}[]`);
      unbounded(defOf(def.element), `${path}[]`, out, seen);
      break;
    case "record":
      out.push(`${path}{}`);
      break;
    case "object":
      for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
        unbounded(defOf(value), path ? `${path}.${key}` : key, out, seen);
      }
      break;
    case "pipe": {
      // bounded if either side bounds it (trim().max(254).pipe(z.email()))
      const left = unbounded(defOf(def.in), path, [], seen);
      const right = unbounded(defOf(def.out), path, [], new Set());
      if (defOf(def.out).type === "transform") out.push(...left);
      else out.push(...left.filter((p) => right.includes(p)));
      break;
    }
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      unbounded(defOf(def.innerType), path, out, seen);
      break;
    case "union":
      for (const option of def.options as unknown[]) unbounded(defOf(option), path, out, seen);
      break;
    case "intersection":
      unbounded(defOf(def.left), path, out, seen);
      unbounded(defOf(def.right), path, out, seen);
      break;
  }
  return out;
}
