import { createResource, createRoot } from "solid-js";
import { CLOSE_CODES, isFinalClose } from "../../../shared/closeCodes";
import { api, errorCode, type Me } from "./api";
import { SIGNED_IN_KEY } from "./bootKeys";
import { prefetchHome, rememberFeedRegion } from "./homePrefetch";
import { servedSession, takeServedMe } from "./serverBoot";

// The session cookie is HttpOnly, so the page cannot see whether it has one. This flag (not a secret) remembers
// that we logged in, so an anonymous visit doesn't ask auth.me just to be told 401.
const FLAG = SIGNED_IN_KEY;

function setFlag(on: boolean): void {
  try {
    if (on) localStorage.setItem(FLAG, "1");
    else {
      localStorage.removeItem(FLAG);
      rememberFeedRegion(null);
    }
  } catch {
    // storage blocked: we simply ask the server each time
  }
}

function hasFlag(): boolean {
  try {
    return localStorage.getItem(FLAG) === "1";
  } catch {
    return true;
  }
}

/** The signed-in user, or null when anonymous or the session has expired. */
export async function loadMe(): Promise<Me | null> {
  // The home page may have come with the session already read (lib/serverBoot.ts).
  const served = takeServedMe();
  if (served) {
    setFlag(true);
    rememberFeedRegion(served.verification?.current ? served.homeRegionId : null);
    return served;
  }
  if (!hasFlag()) return null;
  try {
    const me = await api.auth.me.query();
    rememberFeedRegion(me.verification?.current ? me.homeRegionId : null);
    return me;
  } catch (e) {
    if (errorCode(e) !== "UNAUTHORIZED") throw e;
    setFlag(false);
    return null;
  }
}

/** One app-wide session resource: every screen reads the same signed-in user. */
export const session = createRoot(() => {
  // Same tick as the auth.me below, so both ride in one batched request.
  if (hasFlag() || servedSession) prefetchHome();
  const [me, { refetch, mutate }] = createResource(loadMe);
  return { me, reload: () => refetch(), clear: () => mutate(null) };
});

export async function logIn(email: string, password: string): Promise<void> {
  await api.auth.login.mutate({ email, password });
  setFlag(true);
  await session.reload();
}

export async function signUp(input: { email: string; password: string; displayName: string }): Promise<void> {
  await api.auth.signup.mutate(input);
  setFlag(true);
  await session.reload();
}

export async function logOut(): Promise<void> {
  try {
    await api.auth.logout.mutate();
  } finally {
    setFlag(false);
    session.clear();
  }
}

/**
 * Whether the server let a live socket go for good (isFinalClose: its session ended, a suspension, too many tabs…):
 * the caller must not reconnect, which would only loop. The one rule for every live socket of the app. When the
 * session it was opened with ended (logout in another tab, expiry), who is signed in is read again: usually nobody,
 * and the logged-out screens follow; if this browser signed in again since, `reconnect` opens the socket again with
 * the new session. Any other final close is a refusal of this person: `refused` shows it (the socket stays closed).
 */
export function letGoForGood(code: number, reconnect: () => void, refused: () => void = () => {}): boolean {
  if (!isFinalClose(code)) return false;
  if (code === CLOSE_CODES.sessionEnded) {
    Promise.resolve(session.reload()).then(
      (me) => me && reconnect(),
      () => undefined,
    );
  } else refused();
  return true;
}
