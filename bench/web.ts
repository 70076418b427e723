/**
 * npm run bench:web — how fast the home feed paints on a slow phone, measured in headless Chromium (the browser the
 * tests use) against `wrangler dev` with the demo seed (temp state, port BENCH_WEB_PORT or 8861).
 *
 * Each sample is a COLD load in a fresh browser context (empty cache) of a signed-in buyer's home feed:
 *   throttled  CPU ×4 via CDP Emulation.setCPUThrottlingRate (the budget: feed paints < 1 s)
 *   baseline   the same cold load unthrottled, in the same run — the ratio says what the slow CPU costs
 * Prints the median LCP (largest-contentful-paint), the time the first feed card was in the DOM and the main thread's
 * script time until then (CDP ScriptDuration; steadier than wall time on a busy machine), and the transfer sizes of
 * that cold load: JS, CSS and everything, as wire bytes (CDP encodedDataLength) and gzip of the bodies. The worker
 * draws a signed-in buyer's first feed cards into index.html (worker/web/home.ts): each load says whether the cards
 * it saw first were the server's and when the app took their place. Then BENCH_WEB_TRACES (2) extra traced loads at
 * CPU ×4 break the main thread's time from navigation to the LCP down by trace event (bench/lib/trace.ts;
 * BENCH_WEB_TRACE_FILE=path keeps the last raw trace for chrome://tracing or Perfetto).
 * Writes bench/results/web.json ({ name, date, cores, rows }). Bounded: BENCH_WEB_RUNS (5) samples per mode and a
 * BENCH_WEB_DEADLINE_S (240 s) deadline for the whole run. localhost only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext } from "playwright-core";
import { stopDevServer, waitForHealth } from "../scripts/lib/local.ts";
import { ROOT, spawnNode } from "../scripts/lib/proc.ts";
import { DEMO_BUYERS, DEMO_PASSWORD } from "../scripts/seed/demo-data.ts";
import { findChromium, launchChromium } from "../test/browser/lib/chromium.ts";
import { type Breakdown, breakdown, TRACE_CATEGORIES } from "./lib/trace.ts";

const PORT = Number(process.env.BENCH_WEB_PORT ?? 8861);
const RUNS = Math.min(20, Math.max(1, Number(process.env.BENCH_WEB_RUNS ?? 5)));
const DEADLINE_MS = Math.min(600, Math.max(30, Number(process.env.BENCH_WEB_DEADLINE_S ?? 240))) * 1000;
const THROTTLE = 4;
/** Extra loads at CPU ×4 with a Chromium trace, after the samples: the main thread's time by trace event. */
const TRACES = Math.min(5, Math.max(0, Number(process.env.BENCH_WEB_TRACES ?? 2)));
const TRACE_ROWS = 10;
const BASE = `http://localhost:${PORT}`;
const started = Date.now();

interface Sample {
  /** Main-thread self time by trace event from navigation to the LCP (only the traced loads). */
  trace: Breakdown | null;
  /** Resource timing of the load (name, start, end in ms), printed with BENCH_WEB_WATERFALL=1. */
  waterfall: string[];
  lcp: number;
  /** What the LCP element was: the test id of its card (feed-item, suggestion, …) or its tag, and its text. */
  lcpElement: string;
  feed: number;
  /** The worker drew the first cards into the HTML (worker/web/home.ts): when the app took their place (ms), or 0. */
  served: boolean;
  takeover: number;
  /** Cumulative layout shift until a moment after the takeover (layout-shift entries without recent input). */
  cls: number;
  /** The first feed card's top (px) when it first appeared and once the app had taken over (null: no takeover). */
  cardTop: { first: number; after: number | null };
  /** When each boot request's response had fully arrived (responseEnd), by procedure list. */
  boot: Record<string, number>;
  /** Main-thread time in script (CDP ScriptDuration) until the first feed card was in the DOM: less noisy than LCP. */
  script: number;
  /** The same CDP counters for the main thread's busy time (TaskDuration) and its layout + style time, in ms. */
  busy: number;
  layout: number;
  js: { wire: number; gzip: number };
  css: { wire: number; gzip: number };
  total: { wire: number; gzip: number };
}

/** What OBSERVE keeps on the page's window. */
type Observed = {
  __lcp: number;
  __feed: number;
  __lcpElement: string;
  __served: boolean;
  __takeover: number;
  __cls: number;
  __cardTop: number;
};

// Runs in the page before any script: records LCP candidates and when the first feed card appears.
const OBSERVE = () => {
  const w = window as unknown as Observed;
  w.__lcp = 0;
  w.__feed = 0;
  w.__lcpElement = "";
  w.__served = false;
  w.__takeover = 0;
  w.__cls = 0;
  w.__cardTop = 0;
  // What a reader sees jump: the sum of layout shifts not caused by their own input (the CLS of the load).
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
      if (!e.hadRecentInput) w.__cls += e.value;
  }).observe({ type: "layout-shift", buffered: true });
  // A page the worker drew (<html data-ssr> with cards): the app later replaces #root with its own (main.tsx).
  let root: Element | null = null;
  new MutationObserver((_, obs) => {
    const now = document.getElementById("root");
    if (!root) root = now;
    else if (now && now !== root) {
      w.__takeover = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { element: Element | null })[]) {
      w.__lcp = e.startTime;
      const el = e.element;
      const card = el?.closest("[data-testid]");
      // An element the app has already replaced is gone by the time the entry is read (the server's card, then).
      const where = card ? card.getAttribute("data-testid") : (el?.tagName.toLowerCase() ?? "(replaced)");
      w.__lcpElement = `${where} ${el?.tagName.toLowerCase() ?? ""} "${(el?.textContent ?? "").trim().slice(0, 24)}"`;
      if (w.__feed > 0 && e.startTime >= w.__feed)
        (window as unknown as { __lcpSettled?: () => void }).__lcpSettled?.();
    }
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new MutationObserver((_, obs) => {
    const card = document.querySelector('[data-testid="feed-item"]');
    if (card) {
      w.__feed = performance.now();
      w.__cardTop = card.getBoundingClientRect().top;
      w.__served =
        document.documentElement.hasAttribute("data-ssr") &&
        !!document.querySelector("[data-ssr] [data-testid=feed-item]");
      (window as unknown as { __benchFeedSeen?: () => void }).__benchFeedSeen?.();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
};

async function coldLoad(
  browser: Browser,
  storage: Awaited<ReturnType<BrowserContext["storageState"]>>,
  rate: number,
  traced = false,
) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: storage });
  try {
    const page = await context.newPage();
    await page.addInitScript(OBSERVE);
    // The page says when its first feed card is in: Playwright's waitFor would poll in the page on every frame, taking
    // the very main thread being measured (~50 ms of script per load at CPU ×4).
    let feedSeen = () => {};
    let timer: NodeJS.Timeout | undefined;
    const fed = new Promise<void>((resolve, reject) => {
      feedSeen = resolve;
      timer = setTimeout(() => reject(new Error("no feed card within 30 s")), 30_000);
    }).finally(() => clearTimeout(timer));
    fed.catch(() => {}); // awaited below; a failed navigation must not leave it unhandled
    await page.exposeFunction("__benchFeedSeen", () => feedSeen());
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    await cdp.send("Performance.enable");
    const types = new Map<string, string>();
    const wire = new Map<string, number>();
    cdp.on("Network.responseReceived", (e) => types.set(e.requestId, e.type));
    cdp.on("Network.loadingFinished", (e) => wire.set(e.requestId, e.encodedDataLength));
    if (traced) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    await page.goto(`${BASE}/`, { waitUntil: "load", timeout: 30_000 });
    await fed;
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    const script = metric("ScriptDuration");
    const busy = metric("TaskDuration");
    const layout = metric("LayoutDuration") + metric("RecalcStyleDuration");
    // The feed card's paint is reported as an LCP candidate a little after it is in the DOM (if it is larger than what
    // was painted before): wait for a candidate painted at or after it, or 1.5 s if none comes, then read.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const w = window as unknown as { __lcp: number; __feed: number; __lcpSettled?: () => void };
          if (w.__lcp >= w.__feed) return resolve();
          w.__lcpSettled = resolve;
          setTimeout(resolve, 1_500);
        }),
    );
    // A page the worker drew: also when the app took its place (after the measurements above; polling is fine now).
    await page
      .waitForFunction(
        () => {
          const w = window as unknown as { __served: boolean; __takeover: number };
          return !w.__served || w.__takeover > 0;
        },
        undefined,
        { timeout: 10_000, polling: 50 },
      )
      .catch(() => {});
    // Layout shifts are reported after the frame that made them: let a few frames and 300 ms pass after the takeover.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) =>
          requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 300))),
        ),
    );
    const { lcp, lcpElement, feed, served, takeover, boot, waterfall, cls, cardTop } = await page.evaluate(() => {
      const w = window as unknown as Observed;
      const card = document.querySelector('[data-testid="feed-item"]');
      const entries = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const line = (name: string, start: number, end: number) =>
        `${String(Math.round(start)).padStart(6)} → ${String(Math.round(end)).padStart(6)} ms  ${name}`;
      const boot: Record<string, number> = {};
      for (const e of entries) {
        const m = /\/api\/trpc\/([^?]+)/.exec(e.name);
        if (m && !(m[1] in boot)) boot[decodeURIComponent(m[1])] = Math.round(e.responseEnd);
      }
      return {
        lcp: w.__lcp,
        lcpElement: w.__lcpElement,
        served: w.__served,
        takeover: w.__takeover,
        boot,
        feed: w.__feed,
        cls: w.__cls,
        cardTop: { first: w.__cardTop, after: w.__takeover && card ? card.getBoundingClientRect().top : null },
        waterfall: [
          line("document", nav.startTime, nav.responseEnd),
          ...entries.map((e) => line(e.name.replace(location.origin, ""), e.startTime, e.responseEnd)),
        ],
      };
    });
    // The trace runs until now; what is counted is navigation → the LCP.
    const trace = traced ? breakdown(await browser.stopTracing(), lcp) : null;
    const sample: Sample = {
      trace,
      waterfall,
      lcp,
      lcpElement,
      feed,
      served,
      takeover,
      cls,
      cardTop,
      boot,
      script,
      busy,
      layout,
      js: { wire: 0, gzip: 0 },
      css: { wire: 0, gzip: 0 },
      total: { wire: 0, gzip: 0 },
    };
    for (const [id, bytes] of wire) {
      const type = types.get(id);
      let gz = 0;
      try {
        const body = await cdp.send("Network.getResponseBody", { requestId: id });
        gz = gzipSync(Buffer.from(body.body, body.base64Encoded ? "base64" : "utf8")).length;
      } catch {
        // bodies of redirects and aborted requests are not kept
      }
      const add = (k: "js" | "css" | "total") => {
        sample[k].wire += bytes;
        sample[k].gzip += gz;
      };
      add("total");
      if (type === "Script") add("js");
      if (type === "Stylesheet") add("css");
    }
    return sample;
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const chromiumPath = findChromium();
if (!chromiumPath) {
  console.error("bench:web needs Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)");
  process.exit(1);
}

const persistTo = mkdtempSync(path.join(tmpdir(), "gonggu-bench-web-"));
const server = spawnNode(path.join(ROOT, "scripts/start.ts"), ["--port", String(PORT), "--persist-to", persistTo], {
  capture: true,
  detached: true,
});
let log = "";
server.stdout?.on("data", (d) => {
  log += d;
});
server.stderr?.on("data", (d) => {
  log += d;
});
let browser: Browser | undefined;
const timer = setTimeout(() => {
  console.error(`bench:web: over the ${DEADLINE_MS / 1000} s deadline, stopping`);
  void stop().then(() => process.exit(1));
}, DEADLINE_MS);

async function stop() {
  await browser?.close().catch(() => {});
  await stopDevServer(server); // our own process group: start.ts, wrangler, workerd
  rmSync(persistTo, { recursive: true, force: true });
}

try {
  await waitForHealth(BASE, server, 180_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${log.slice(-2000)}`);
  });
  browser = await launchChromium(chromiumPath);
  // Sign in once (cookie session + the app's "signed in" flag), then reuse that state in every cold context.
  const login = await browser.newContext();
  const page = await login.newPage();
  await page.goto(`${BASE}/login`);
  await page.getByLabel("이메일").fill(DEMO_BUYERS[0].email);
  await page.getByLabel("비밀번호").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "로그인" }).click();
  await page.locator('[data-testid="feed-item"]').first().waitFor({ timeout: 30_000 });
  const storage = await login.storageState();
  await login.close();

  // Warm the server's code paths once (wrangler compiles lazily); samples then alternate modes so drift hits both.
  await coldLoad(browser, storage, 1);
  const fast: Sample[] = [];
  const slow: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    slow.push(await coldLoad(browser, storage, THROTTLE));
    fast.push(await coldLoad(browser, storage, 1));
  }

  // Traced loads apart from the samples (tracing slows the page): where the main thread's time goes until the card.
  const traced: Sample[] = [];
  for (let i = 0; i < TRACES; i++) traced.push(await coldLoad(browser, storage, THROTTLE, true));

  const lcpSlow = median(slow.map((s) => s.lcp));
  const lcpFast = median(fast.map((s) => s.lcp));
  const feedSlow = median(slow.map((s) => s.feed));
  const feedFast = median(fast.map((s) => s.feed));
  const scriptSlow = median(slow.map((s) => s.script));
  const scriptFast = median(fast.map((s) => s.script));
  const last = slow[slow.length - 1];
  const kib = (n: number) => Math.round((n / 1024) * 10) / 10;
  const ms = (n: number) => Math.round(n);
  const rows = [
    {
      metric: `home feed LCP, cold, CPU ×${THROTTLE} (median of ${RUNS})`,
      value: ms(lcpSlow),
      unit: "ms",
      baseline: ms(lcpFast),
      ratio: Math.round((lcpSlow / lcpFast) * 100) / 100,
    },
    {
      metric: `first feed card in the DOM, cold, CPU ×${THROTTLE} (median of ${RUNS})`,
      value: ms(feedSlow),
      unit: "ms",
      baseline: ms(feedFast),
      ratio: Math.round((feedSlow / feedFast) * 100) / 100,
    },
    {
      metric: `main-thread script time until then, CPU ×${THROTTLE} (median)`,
      value: ms(scriptSlow),
      unit: "ms",
      baseline: ms(scriptFast),
      ratio: Math.round((scriptSlow / scriptFast) * 100) / 100,
    },
    {
      metric: `loads whose first cards the server drew, CPU ×${THROTTLE}`,
      value: slow.filter((s) => s.served).length,
      unit: `of ${RUNS}`,
    },
    ...(slow.some((s) => s.takeover > 0)
      ? [
          {
            metric: `app took the server's cards over, CPU ×${THROTTLE} (median)`,
            value: ms(median(slow.filter((s) => s.takeover > 0).map((s) => s.takeover))),
            unit: "ms",
          },
        ]
      : []),
    {
      metric: `cumulative layout shift (CLS), cold, CPU ×${THROTTLE} (median of ${RUNS})`,
      value: Math.round(median(slow.map((s) => s.cls)) * 1000) / 1000,
      unit: "",
      baseline: Math.round(median(fast.map((s) => s.cls)) * 1000) / 1000,
    },
    {
      metric: `first card moved at the takeover, CPU ×${THROTTLE} (largest)`,
      value: Math.max(
        0,
        ...slow.map((s) => (s.cardTop.after === null ? 0 : Math.abs(s.cardTop.after - s.cardTop.first))),
      ),
      unit: "px",
    },
    { metric: "cold load JS (gzip)", value: kib(last.js.gzip), unit: "KiB" },
    { metric: "cold load CSS files (gzip; the entry CSS is inline)", value: kib(last.css.gzip), unit: "KiB" },
    { metric: "cold load total (gzip)", value: kib(last.total.gzip), unit: "KiB" },
    { metric: "cold load JS (on the wire)", value: kib(last.js.wire), unit: "KiB" },
    { metric: "cold load total (on the wire)", value: kib(last.total.wire), unit: "KiB" },
    { metric: "load average (1 min) at the end", value: Math.round(loadavg()[0] * 100) / 100, unit: "" },
  ];
  const result = { name: "web", date: new Date().toISOString(), cores: availableParallelism(), rows };
  mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(path.join(ROOT, "bench/results/web.json"), `${JSON.stringify(result, null, 2)}\n`);

  console.log(
    `bench:web — ${result.cores} cores, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  for (const r of rows) {
    const extra =
      "ratio" in r
        ? `   (unthrottled ${r.baseline} ${r.unit}, ratio ×${r.ratio})`
        : "baseline" in r
          ? `   (unthrottled ${r.baseline})`
          : "";
    console.log(`  ${r.metric.padEnd(58)} ${String(r.value).padStart(8)} ${r.unit}${extra}`);
  }
  // Per load: what the LCP was and when each boot answer had arrived, so a reader sees what sets the floor.
  console.log(
    "each load: LCP (element) · CLS · first feed card · who drew it · main thread until then: busy, script, layout+style · API responses complete at",
  );
  const drawn = (s: Sample) => (s.served ? `server (app took over at ${s.takeover ? ms(s.takeover) : "?"})` : "app");
  const each = (label: string, xs: Sample[]) => {
    for (const s of xs) {
      const boot = Object.entries(s.boot)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const thread = `busy ${ms(s.busy)}, script ${ms(s.script)}, layout ${ms(s.layout)}`;
      const moved =
        s.cardTop.after === null ? "" : `, first card top ${ms(s.cardTop.first)} → ${ms(s.cardTop.after)} px`;
      console.log(
        `  ${label} LCP ${String(ms(s.lcp)).padStart(5)} ms (${s.lcpElement}) · CLS ${s.cls.toFixed(3)}${moved} · feed ${ms(s.feed)} · ${drawn(s)} · ${thread} · ${boot}`,
      );
    }
  };
  each(`×${THROTTLE}`, slow);
  each("×1", fast);
  const traces = traced.flatMap((s) => (s.trace ? [{ s, b: s.trace }] : []));
  if (traces.length) {
    console.log(
      `main thread from navigation to the LCP, ${traces.length} traced loads at CPU ×${THROTTLE} (self time, ms; tracing adds overhead):`,
    );
    const row = (label: string, cells: (string | number)[]) =>
      console.log(`  ${label.slice(0, 46).padEnd(46)} ${cells.map((c) => String(c).padStart(12)).join("")}`);
    row(
      "LCP (first feed card in the DOM)",
      traces.map(({ s }) => `${ms(s.lcp)} (${ms(s.feed)})`),
    );
    row(
      "main thread busy",
      traces.map(({ b }) => ms(b.busy)),
    );
    row(
      "main thread idle (waiting for the network)",
      traces.map(({ b }) => ms(b.until - b.busy)),
    );
    const table = (pick: (b: Breakdown) => [string, number][], rows: number) => {
      const total = new Map<string, number>();
      for (const { b } of traces) for (const [n, v] of pick(b)) total.set(n, (total.get(n) ?? 0) + v);
      for (const [name] of [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
        row(
          `  ${name}`,
          traces.map(({ b }) => ms(pick(b).find(([n]) => n === name)?.[1] ?? 0)),
        );
      }
    };
    table((b) => b.byGroup, 12);
    console.log("  the largest trace events:");
    table((b) => b.byEvent, TRACE_ROWS);
  }
  if (process.env.BENCH_WEB_WATERFALL) console.log(`last throttled load:\n  ${last.waterfall.join("\n  ")}`);
  console.log(
    lcpSlow < 1000
      ? `✓ feed paints in ${ms(lcpSlow)} ms with CPU ×${THROTTLE} (target < 1000 ms)`
      : `✗ feed paints in ${ms(lcpSlow)} ms with CPU ×${THROTTLE} (target < 1000 ms)`,
  );
  console.log(`wrote bench/results/web.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
} finally {
  clearTimeout(timer);
  await stop();
}
