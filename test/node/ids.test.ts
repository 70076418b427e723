import { describe, expect, it } from "vitest";
import { newId } from "../../worker/lib/ids";

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe("newId", () => {
  it("is 26 Crockford base32 characters: 10 of time, then 16 random", () => {
    const now = Date.UTC(2026, 11, 2, 12, 0, 0);
    const id = newId(now);
    expect(id).toMatch(CROCKFORD);
    // the time part is `now` in base 32, most significant first
    let t = 0;
    for (const ch of id.slice(0, 10)) t = t * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".indexOf(ch);
    expect(t).toBe(now);
    expect(newId(now).slice(0, 10)).toBe(id.slice(0, 10));
    expect(newId(now + 1).slice(0, 10) > id.slice(0, 10)).toBe(true);
  });

  it("sorts by time and never repeats over many pool refills", () => {
    const now = Date.now();
    const ids = Array.from({ length: 5_000 }, (_, i) => newId(now + Math.floor(i / 1_000)));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(CROCKFORD);
    expect([...ids].sort((a, b) => a.slice(0, 10).localeCompare(b.slice(0, 10)))).toEqual(ids);
    // the random part uses every character (a byte's low five bits, one byte per character)
    const seen = new Set(ids.flatMap((id) => [...id.slice(10)]));
    expect(seen.size).toBe(32);
  });
});
