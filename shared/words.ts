let english: Intl.PluralRules | undefined;

/**
 * A UI string with its placeholders filled in (the client's t and the worker's first render share it): `{name}` is
 * the value; `{n|buyer|buyers}` is the word for the count n by English plural rules ("1 buyer", "2 buyers"), for
 * English strings (Korean counts have no plural form). The rules are made on first use: loading ICU data costs.
 */
export function fillWords(text: string, params?: Record<string, string | number>): string {
  if (!params) return text;
  return text.replace(/\{(\w+)(?:\|([^|{}]*)\|([^|{}]*))?\}/g, (m, name: string, one?: string, other?: string) => {
    const value = params[name];
    if (value === undefined || value === null) return m;
    if (one === undefined || other === undefined) return String(value);
    english ??= new Intl.PluralRules("en");
    return english.select(Number(value)) === "one" ? one : other;
  });
}
