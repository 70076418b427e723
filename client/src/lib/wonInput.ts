// A won amount typed the way Korean payment screens show it: grouped as it is typed ("10,000", not "10000"), the caret
// kept after the same digit. Only digits count, so "1만" or a pasted "10,000원" read as what they say in digits.
import { groupDigits } from "./format";

/** 10000 → "10,000"; 0 or not a number → "" (an empty field, not a typed 0). */
export function groupedWon(amount: number): string {
  if (!Number.isSafeInteger(amount) || amount <= 0) return "";
  return groupDigits(amount);
}

/** The input's handler: regroups what was typed, keeps the caret after the same digit, and passes on the amount. */
export function onWonInput(input: HTMLInputElement, set: (amount: number) => void): void {
  const caret = input.selectionStart ?? input.value.length;
  const digitsBefore = input.value.slice(0, caret).replace(/\D/g, "").length;
  // at most 15 digits: past that a number is no longer exact
  const digits = input.value.replace(/\D/g, "").replace(/^0+/, "").slice(0, 15);
  const amount = digits ? Number(digits) : 0;
  const text = groupedWon(amount);
  input.value = text;
  let at = 0;
  for (let seen = 0; at < text.length && seen < digitsBefore; at++) if (/\d/.test(text[at]!)) seen++;
  if (document.activeElement === input) input.setSelectionRange(at, at);
  set(amount);
}
