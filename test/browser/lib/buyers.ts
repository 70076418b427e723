import { DEMO_ADMIN, DEMO_REGIONS } from "../../../scripts/seed/demo-data.ts";
import { newcomerSdk, sdkAs } from "./harness.ts";

export const adminSdk = () => sdkAs(DEMO_ADMIN.email);

/**
 * A fresh buyer verified in 서교동 (the demo sellers' neighbourhood): each test gets its own wallet, limits and
 * deferred-charge cap, so browser tests sharing one server never see each other's money.
 */
export async function newVerifiedBuyer(name: string) {
  const email = `buyer-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@gonggu.test`;
  const password = "browser-test-password";
  const { user } = await newcomerSdk().auth.signup.mutate({
    email,
    password,
    displayName: name,
  });
  const sdk = await sdkAs(email, password);
  const seogyo = DEMO_REGIONS[0];
  await sdk.regions.verify.mutate({ regionId: seogyo.id, lat: seogyo.lat, lng: seogyo.lng });
  return { id: user.id, email, password, sdk };
}
