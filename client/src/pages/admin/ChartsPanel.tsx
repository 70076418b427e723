import { createEffect, createResource, createSignal, Match, onCleanup, Switch } from "solid-js";
import type uPlot from "uplot";
import { Empty, LoadError, Loading } from "../../components/Status";
import { SelectField } from "../../console/fields";
import { t } from "../../console/i18n";
import { formatDateTime, timeAxisLabels } from "../../console/time";
import { api, type RouterOutputs } from "../../lib/api";
import { formatDate, TIME_ZONE } from "../../lib/format";
import { locale } from "../../lib/i18n";

type Timeline = RouterOutputs["admin"]["stats"]["timeline"];

// uPlot (and its CSS) loads with this panel only: buyers and the other admin screens never download it.
const loadUPlot = () => Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([m]) => m.default);

const WINDOWS = {
  "48h": { bucket: "hour", points: 48 },
  "7d": { bucket: "day", points: 7 },
  "30d": { bucket: "day", points: 30 },
} as const;
type WindowKey = keyof typeof WINDOWS;

/** Tick steps for the count axis: whole numbers only (uPlot's own steps drew 0.5 and 1.5 joins on a quiet day). */
const COUNT_INCRS = Array.from({ length: 10 }, (_, power) => [1, 2, 5].map((step) => step * 10 ** power)).flat();

/** One chart: a series per metric over the buckets (uPlot wants seconds on the x axis). */
function Chart(props: { data: Timeline; UPlot: typeof uPlot }) {
  let host!: HTMLDivElement;
  let plot: uPlot | undefined;
  createEffect(() => {
    const d = props.data;
    const loc = locale();
    const hourly = d.bucket === "hour";
    plot?.destroy();
    const width = Math.max(280, host.clientWidth);
    plot = new props.UPlot(
      {
        width,
        height: 220,
        scales: { x: { time: true } },
        // Buckets are Korean days and hours: the axis and legend show Korean time whatever the device's zone.
        tzDate: (seconds) => props.UPlot.tzDate(new Date(seconds * 1000), TIME_ZONE),
        series: [
          {
            label: t("admin.chart.time"),
            value: (_u, s) => (s == null ? "--" : hourly ? formatDateTime(s * 1000) : formatDate(s * 1000, loc)),
          },
          { label: t("admin.chart.joins"), stroke: "#0f766e", width: 2 },
          { label: t("admin.chart.charges"), stroke: "#2563eb", width: 2 },
          { label: t("admin.chart.failures"), stroke: "#b42318", width: 2 },
        ],
        axes: [
          {
            values: (_u, ticks, _axis, _space, incr) => timeAxisLabels(ticks, incr, loc),
            // "오전 12시" is wider than uPlot's "12am": at its default 50 px they touched on a phone
            space: 64,
          },
          { label: t("admin.chart.count"), incrs: COUNT_INCRS },
        ],
      },
      [d.t.map((ms) => ms / 1000), d.joins, d.charges, d.failures],
      host,
    );
  });
  onCleanup(() => plot?.destroy());
  return <div ref={host} class="chart" data-testid="chart" role="img" aria-label={t("admin.chart.label")} />;
}

/** Joins, successful charges and failures over time. */
export default function ChartsPanel() {
  const [win, setWin] = createSignal<WindowKey>("48h");
  const [UPlot] = createResource(loadUPlot);
  const [data, { refetch }] = createResource(win, (w) => api.admin.stats.timeline.query(WINDOWS[w]));
  const total = () => {
    const d = data.latest;
    return d ? [...d.joins, ...d.charges, ...d.failures].reduce((a, b) => a + b, 0) : 0;
  };
  return (
    <section class="card" aria-labelledby="charts-heading">
      <h2 id="charts-heading">{t("admin.charts")}</h2>
      <SelectField
        label={t("admin.chart.window")}
        name="window"
        value={win()}
        options={(Object.keys(WINDOWS) as WindowKey[]).map((k) => [k, t(`admin.chart.w${k}`)] as const)}
        onChange={(e) => setWin(e.currentTarget.value as WindowKey)}
      />
      <Switch>
        <Match when={data.error || UPlot.error}>
          <LoadError error={data.error ?? UPlot.error} retry={refetch} />
        </Match>
        <Match when={!data.latest || !UPlot()}>
          <Loading />
        </Match>
        <Match when={true}>
          <Chart data={data.latest!} UPlot={UPlot()!} />
          <Switch>
            <Match when={total() === 0}>
              <Empty>
                <p>{t("admin.chart.empty")}</p>
              </Empty>
            </Match>
          </Switch>
        </Match>
      </Switch>
    </section>
  );
}
