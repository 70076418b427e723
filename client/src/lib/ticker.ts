// One timer for every relative time on screen ("3분 전"): each says when it next needs drawing, the timer wakes for the
// soonest, and nothing runs while the tab is hidden (a tab coming back draws them all at once). An interval per
// element was a timer per comment of a long thread.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * How long a relative time of this age may stay as drawn: "3분 전" moves every minute (drawn every 30 s, so at most
 * half a minute late), "2시간 전" every hour (every 5 minutes), "어제" / "3일 전" at a Korean midnight (every hour).
 */
export function redrawAfter(ageMs: number): number {
  if (ageMs < HOUR) return 30_000;
  if (ageMs < 24 * HOUR) return 5 * MINUTE;
  return HOUR;
}

/** What the ticker needs from the page; the browser's by default, a test's own in tests. */
export interface TickerHost {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  hidden(): boolean;
  /** Calls `run` whenever the page is shown or hidden. */
  onVisibilityChange(run: () => void): void;
}

const browserHost: TickerHost = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  hidden: () => typeof document !== "undefined" && document.visibilityState === "hidden",
  onVisibilityChange: (run) => {
    if (typeof document !== "undefined") document.addEventListener("visibilitychange", run);
  },
};

type Watch = { at: number; due: number; redraw: (now: number) => void };

export function createTicker(host: TickerHost = browserHost) {
  const watches = new Set<Watch>();
  let timer: unknown = null;
  let timerDue = Number.POSITIVE_INFINITY;
  let listening = false;

  function schedule() {
    let soonest = Number.POSITIVE_INFINITY;
    if (!host.hidden()) for (const w of watches) soonest = Math.min(soonest, w.due);
    if (timer !== null && soonest === timerDue) return; // a list mounting: one timer, not one reset per line
    if (timer !== null) host.clearTimeout(timer);
    timer = null;
    timerDue = soonest;
    if (soonest === Number.POSITIVE_INFINITY) return;
    timer = host.setTimeout(tick, Math.max(0, soonest - host.now()));
  }

  function tick() {
    timer = null;
    timerDue = Number.POSITIVE_INFINITY;
    const now = host.now();
    for (const w of watches) {
      if (w.due > now) continue;
      w.due = now + redrawAfter(now - w.at);
      w.redraw(now);
    }
    schedule();
  }

  return {
    /** Calls `redraw(now)` whenever the relative time of `at` may read differently; returns the stop. */
    watch(at: number, redraw: (now: number) => void): () => void {
      if (!listening) {
        listening = true;
        host.onVisibilityChange(() => (host.hidden() ? schedule() : tick()));
      }
      const now = host.now();
      const w: Watch = { at, due: now + redrawAfter(now - at), redraw };
      watches.add(w);
      schedule();
      return () => {
        watches.delete(w);
        schedule();
      };
    },
  };
}

/** The app's one ticker (components/Ago.tsx). */
export const ticker = createTicker();
