import { describe, expect, it } from "vitest";
import { consoleEn } from "../../client/src/i18n/console.en";
import { consoleKo } from "../../client/src/i18n/console.ko";
import { en } from "../../client/src/i18n/en";
import { ko } from "../../client/src/i18n/ko";
import { fillWords } from "../../shared/words";

/** Every placeholder of `text` filled with `value` (a count placeholder and its plural form alike). */
const allAs = (text: string, value: number) =>
  fillWords(text, Object.fromEntries([...text.matchAll(/\{(\w+)/g)].map((m) => [m[1], value])));

describe("English counts agree with their number", () => {
  it("fills {n|one|other} by English plural rules, and plain placeholders as before", () => {
    const text = "{n} {n|buyer|buyers} for {name}";
    expect(fillWords(text, { n: 1, name: "민지" })).toBe("1 buyer for 민지");
    expect(fillWords(text, { n: 0, name: "민지" })).toBe("0 buyers for 민지");
    expect(fillWords(text, { n: 2, name: "민지" })).toBe("2 buyers for 민지");
    expect(fillWords(text, { n: "1", name: "민지" })).toBe("1 buyer for 민지");
    // a count already formatted with a separator is more than one; "99+" (the unread pill) too
    expect(fillWords("{n} {n|message|messages}", { n: "1,000" })).toBe("1,000 messages");
    expect(fillWords("{n} {n|message|messages}", { n: "99+" })).toBe("99+ messages");
    expect(fillWords(text, { name: "민지" })).toBe("{n} {n|buyer|buyers} for 민지");
  });

  it("never reads '1 buyers': no English string puts a count before a plural noun without the singular", () => {
    // words after a placeholder that end in s but are not plural nouns: "{name} is typing", "{debt} was", "{ms} ms"
    const notPlural = new Set(["is", "was", "goes", "as", "ms"]);
    const strings = Object.entries({ ...en, ...consoleEn });
    expect(strings.length).toBeGreaterThan(500);
    const wrong: string[] = [];
    for (const [key, text] of strings) {
      for (const m of allAs(text, 1).matchAll(/\b1 (?:unread )?([a-z]{2,}s)\b/g)) {
        if (!notPlural.has(m[1])) wrong.push(`${key}: ${m[0]}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(allAs(consoleEn["seller.gb.buyers"], 1)).toBe("1 buyer");
    expect(allAs(consoleEn["seller.gb.buyers"], 3)).toBe("3 buyers");
    expect(allAs(en["board.counts"], 1)).toBe("1 like · 1 comment");
  });

  it("leaves Korean as it is (no plural forms in the Korean strings)", () => {
    for (const [key, text] of Object.entries({ ...ko, ...consoleKo })) expect(text, key).not.toMatch(/\{\w+\|/);
  });
});
