import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, inject, test } from "vitest";
import { CLIENT_INITIAL_GZIP_BUDGET, CLIENT_OUT, clientInitialJs, kib, sum } from "../../scripts/lib/bundle-size.ts";
import { buildClient } from "../../scripts/lib/local.ts";

// The browser project's global setup builds dist/client (through scripts/start.ts); without Chromium it does not,
// so the budget is still checked on a build of our own.
test(`the SPA's initial JS stays within ${kib(CLIENT_INITIAL_GZIP_BUDGET)} gzip, with the screens in lazy chunks`, async () => {
  if (!inject("chromiumPath")) await buildClient();
  const initial = clientInitialJs();
  const total = sum("client initial JS", initial);
  console.log(
    `client initial JS: ${kib(total.raw)} raw, ${kib(total.gzip)} gzip (budget ${kib(CLIENT_INITIAL_GZIP_BUDGET)})`,
  );
  expect(total.gzip).toBeLessThanOrEqual(CLIENT_INITIAL_GZIP_BUDGET);

  const initialFiles = new Set(initial.map((s) => path.basename(s.name)));
  const lazyScreens = readdirSync(path.join(CLIENT_OUT, "assets")).filter(
    (f) => /Page-[\w-]+\.js$/.test(f) && !initialFiles.has(f),
  );
  expect(lazyScreens.length).toBeGreaterThanOrEqual(5);
});
