import type { Page } from "playwright-core";
import { DEMO_ADMIN, DEMO_PASSWORD, DEMO_REGIONS } from "../../../scripts/seed/demo-data.ts";
import { createGongguClient, type GongguClient } from "../../../shared/sdk.ts";

/** An SDK client logged in with a bearer token. */
export async function sdkAs(baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<GongguClient> {
  const { token } = await createGongguClient({ url: baseUrl }).auth.login.mutate({
    email,
    password,
    tokenKind: "bearer",
  });
  return createGongguClient({ url: baseUrl, token: token! });
}

export const adminSdk = (baseUrl: string) => sdkAs(baseUrl, DEMO_ADMIN.email);

/**
 * A fresh buyer verified in 서교동 (the demo sellers' neighbourhood): each test gets its own wallet, limits and
 * deferred-charge cap, so browser tests sharing one server never see each other's money.
 */
export async function newVerifiedBuyer(baseUrl: string, name: string) {
  const email = `buyer-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@gonggu.test`;
  const password = "browser-test-password";
  const { user } = await createGongguClient({ url: baseUrl }).auth.signup.mutate({
    email,
    password,
    displayName: name,
  });
  const sdk = await sdkAs(baseUrl, email, password);
  const seogyo = DEMO_REGIONS[0];
  await sdk.regions.verify.mutate({ regionId: seogyo.id, lat: seogyo.lat, lng: seogyo.lng });
  return { id: user.id, email, password, sdk };
}

export async function logIn(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("이메일").fill(email);
  await page.getByLabel("비밀번호").fill(password);
  await page.getByRole("button", { name: "로그인" }).click();
  await page.getByRole("navigation").waitFor();
}
