import { writeFileSync } from "node:fs";

/**
 * Where a page's main thread spent its time, from a Chromium trace (Playwright's browser.startTracing): the self time
 * of each trace event (its duration minus its children's) on the renderer's main thread, from the main frame's
 * navigationStart until a moment given in the page's own clock (ms since navigation, e.g. the LCP), grouped the way a
 * reader asks about it: navigation commit, HTML parse, script, style + layout, fonts, paint, GC, IPC. Time in a task
 * that no child event accounts for is "task (no child event)"; time between tasks is idle (waiting for the network).
 */
interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; src_func?: string; data?: { isLoadingMainFrame?: boolean; documentLoaderURL?: string } };
}

export const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8.execute",
  "v8",
  "blink.user_timing",
  "loading",
  "toplevel",
  "disabled-by-default-v8.gc",
  "fonts",
];

const GROUPS: [string, RegExp][] = [
  ["fonts (lookup and load: sync IPC to the browser)", /^(Font|WebSandboxSupportLinux)/],
  ["style + layout", /^(Layout|UpdateLayoutTree|RecalcStyle|ParseAuthorStyleSheet|PrePaint|Layerize|HitTest)/],
  ["paint + commit", /^(Paint|Commit|CompositeLayers|UpdateLayer)/],
  ["GC", /GC/],
  ["HTML parse", /^(ParseHTML|HTMLDocumentParser|DecodedDataDocumentParser)/],
  [
    "navigation commit, window + V8 context",
    /^(DocumentLoader|LocalWindowProxy|V8\.DeserializeContext|ContextCreatedNotification|InstallConditionalFeatures|v8\.newInstance|CommitLoad|NavigationBodyLoader)/,
  ],
  ["IPC messages (mojo)", /mojo|SimpleWatcher/],
  [
    "script: compile, run, microtasks, timers",
    /^(v8|V8|FunctionCall|RunMicrotasks|EvaluateScript|TimerFire|EventDispatch|FireAnimationFrame|BlinkScheduler_PerformMicrotaskCheckpoint)/,
  ],
];
const group = (name: string) =>
  name.startsWith("task ") ? "task (no child event)" : (GROUPS.find(([, re]) => re.test(name))?.[0] ?? "other");

export interface Breakdown {
  /** The window: navigationStart → `until` (ms, page clock). */
  until: number;
  /** Main-thread busy time (top-level tasks) in the window, ms; the rest of the window the thread was idle. */
  busy: number;
  /** Self time by group, ms, largest first. */
  byGroup: [string, number][];
  /** Self time by trace event name, ms, largest first. */
  byEvent: [string, number][];
}

export function breakdown(buffer: Buffer, until: number): Breakdown | null {
  if (process.env.BENCH_WEB_TRACE_FILE) writeFileSync(process.env.BENCH_WEB_TRACE_FILE, buffer);
  const parsed = JSON.parse(buffer.toString("utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  // The main frame's navigation to the app (not the about:blank before it): its renderer and its clock's zero.
  const nav = events.find(
    (e) =>
      e.name === "navigationStart" &&
      e.args?.data?.isLoadingMainFrame &&
      /^https?:\/\/localhost/.test(e.args.data.documentLoaderURL ?? ""),
  );
  if (!nav) return null;
  const main = events.find(
    (e) => e.ph === "M" && e.name === "thread_name" && e.pid === nav.pid && e.args?.name === "CrRendererMain",
  );
  const tid = main?.tid ?? nav.tid;
  const start = nav.ts;
  const end = start + until * 1000;
  const onMain = events
    .filter((e) => e.pid === nav.pid && e.tid === tid && e.ph === "X" && e.dur !== undefined)
    .filter((e) => e.ts < end && e.ts + (e.dur ?? 0) > start)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const add = (name: string, us: number) => self.set(name, (self.get(name) ?? 0) + us);
  // Nesting by time: a stack of open events; each event's clipped duration is taken from its parent's self time.
  const stack: { name: string; end: number }[] = [];
  let busy = 0;
  for (const e of onMain) {
    const from = Math.max(e.ts, start);
    const to = Math.min(e.ts + (e.dur ?? 0), end);
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    const dur = Math.max(0, to - from);
    const parent = stack[stack.length - 1];
    if (parent) add(parent.name, -dur);
    else busy += dur;
    const task = e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask";
    const name = task ? `task ${e.args?.src_func ?? "(unattributed)"}` : e.name;
    add(name, dur);
    stack.push({ name, end: to });
  }
  const groups = new Map<string, number>();
  for (const [name, us] of self) groups.set(group(name), (groups.get(group(name)) ?? 0) + us);
  const sorted = (m: Map<string, number>) =>
    [...m.entries()]
      .map(([n, us]) => [n, us / 1000] as [string, number])
      .filter(([, ms]) => ms >= 0.5)
      .sort((a, b) => b[1] - a[1]);
  return { until, busy: busy / 1000, byGroup: sorted(groups), byEvent: sorted(self) };
}
