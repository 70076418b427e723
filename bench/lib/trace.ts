import { writeFileSync } from "node:fs";

/**
 * Where a page's main thread spent its time, from a Chromium trace (Playwright's browser.startTracing): the self time
 * of each trace event (its duration minus its children's) on the renderer's main thread, from the trace's start until
 * a user-timing mark the page sets (performance.mark(name)). Events are grouped under the names DevTools uses
 * (ParseHTML, v8.compile, EvaluateScript, UpdateLayoutTree, Layout, Paint, …); time in a task that no child event
 * accounts for is "(task, unattributed)".
 */
interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; src_func?: string; data?: Record<string, unknown> };
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

export interface Breakdown {
  /** Until the mark, in ms from the first main-thread event of the navigation's renderer. */
  until: number;
  /** Main-thread busy time (top-level tasks) until the mark, ms. */
  busy: number;
  /** Self time by event name, ms, largest first. */
  byEvent: [string, number][];
}

export function breakdown(buffer: Buffer, mark: string): Breakdown | null {
  const parsed = JSON.parse(buffer.toString("utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const markEvent = events.find((e) => e.name === mark && e.cat.includes("blink.user_timing"));
  if (!markEvent) return null;
  // The renderer main thread of the process that set the mark.
  const main = events.find(
    (e) => e.ph === "M" && e.name === "thread_name" && e.pid === markEvent.pid && e.args?.name === "CrRendererMain",
  );
  const tid = main?.tid ?? markEvent.tid;
  const end = markEvent.ts;
  const onMain = events
    .filter((e) => e.pid === markEvent.pid && e.tid === tid && e.ph === "X" && e.dur !== undefined && e.ts < end)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  if (onMain.length === 0) return null;
  const start = onMain[0].ts;
  const self = new Map<string, number>();
  const add = (name: string, us: number) => self.set(name, (self.get(name) ?? 0) + us);
  // Nesting by time: a stack of open events; each event's clipped duration is taken from its parent's self time.
  const stack: { name: string; end: number }[] = [];
  let busy = 0;
  for (const e of onMain) {
    const eEnd = Math.min(e.ts + (e.dur ?? 0), end);
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    const dur = Math.max(0, eEnd - e.ts);
    const parent = stack[stack.length - 1];
    if (parent) add(parent.name, -dur);
    else busy += dur;
    const task = e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask";
    const name = task ? `task ${e.args?.src_func ?? "(unattributed)"}` : e.name;
    add(name, dur);
    stack.push({ name, end: eEnd });
  }
  if (process.env.BENCH_WEB_TRACE_FILE) writeFileSync(process.env.BENCH_WEB_TRACE_FILE, buffer);
  const byEvent = [...self.entries()]
    .map(([n, us]) => [n, us / 1000] as [string, number])
    .filter(([, ms]) => ms >= 0.5)
    .sort((a, b) => b[1] - a[1]);
  return { until: (end - start) / 1000, busy: busy / 1000, byEvent };
}
