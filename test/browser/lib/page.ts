import type { Page } from "playwright-core";

/** Console errors/warnings and uncaught exceptions of a page, collected as text. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** A phone-sized viewport (iPhone 12–15), the layout the app is designed for first. */
export const PHONE = { width: 390, height: 844 } as const;
