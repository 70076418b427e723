import { createGongguClient } from "gonggu/sdk";

/** The README's SDK example: sign up, log in for a bearer token, read your own account with it. */
export async function runSdkExample(url: string, fetchImpl?: typeof fetch) {
  const email = `sdk-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = "correct horse battery staple";
  const anonymous = createGongguClient({ url, fetch: fetchImpl });
  await anonymous.auth.signup.mutate({ email, password, displayName: "SDK 이웃" });
  const { token } = await anonymous.auth.login.mutate({ email, password, tokenKind: "bearer" });
  const gonggu = createGongguClient({ url, token: token ?? undefined, fetch: fetchImpl });
  const me = await gonggu.auth.me.query();
  return { me, token };
}

// `node scripts/sdk-example.ts http://localhost:8787` — Node 22 runs TypeScript by stripping the types.
if (import.meta.main) {
  const argv = (globalThis as unknown as { process: { argv: string[] } }).process.argv;
  const { me } = await runSdkExample(argv[2] ?? "http://localhost:8787");
  console.log(`Signed in as ${me.displayName} <${me.email}>, role ${me.role}`);
}
