import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import { ensureDevVars } from "../../scripts/lib/local.ts";

const dirs: string[] = [];
function files(devVars: string | null) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gonggu-devvars-"));
  dirs.push(dir);
  const example = path.join(dir, ".dev.vars.example");
  writeFileSync(example, '# comment\nSESSION_SECRET="example-session"\n\nTOSS_SECURITY_KEY="abc123"\nPEPPER="p"\n');
  const file = path.join(dir, ".dev.vars");
  if (devVars !== null) writeFileSync(file, devVars);
  return { file, example };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("npm start's local secrets (.dev.vars)", () => {
  test("a fresh clone gets the example", () => {
    const { file, example } = files(null);
    expect(ensureDevVars(file, example)).toEqual({ created: true, added: [] });
    expect(readFileSync(file, "utf8")).toBe(readFileSync(example, "utf8"));
  });

  test("an existing file gets only the names it lacks, and keeps its own values", () => {
    const { file, example } = files('SESSION_SECRET="mine"\nPEPPER="my-pepper"');
    expect(ensureDevVars(file, example)).toEqual({ created: false, added: ["TOSS_SECURITY_KEY"] });
    expect(parseEnv(readFileSync(file, "utf8"))).toEqual({
      SESSION_SECRET: "mine",
      PEPPER: "my-pepper",
      TOSS_SECURITY_KEY: "abc123",
    });
    // a second start adds nothing more
    expect(ensureDevVars(file, example)).toEqual({ created: false, added: [] });
  });
});
