/** A UI string with its `{name}` placeholders filled in (the client's t and the worker's first render share it). */
export function fillWords(text: string, params?: Record<string, string | number>): string {
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
}
