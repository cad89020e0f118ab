// Charts over the call log's statistics (GET /epos/logs/stats): calls per second, p50 and p99
// latency, and error rate, each over time with one line per capability (uPlot, canvas).
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import * as api from '../api/calllog.ts';
import { Loaded, useLoad } from '../ui/load.tsx';

const COLOURS = ['#2656c9', '#1c7c43', '#b42318', '#a15c00', '#7a3fb8', '#0f7c8a', '#c2417a', '#5b6475', '#8a6d00', '#3d8b2f'];

/** Time ranges offered, each with a bucket size that keeps charts under ~100 points. */
const RANGES = [
  { label: 'last 15 minutes', minutes: 15, bucketSeconds: 15 },
  { label: 'last hour', minutes: 60, bucketSeconds: 60 },
  { label: 'last 6 hours', minutes: 360, bucketSeconds: 300 },
  { label: 'last 24 hours', minutes: 1440, bucketSeconds: 1800 },
];

/**
 * `refresh`: a counter the page bumps to load the statistics again (its Refresh button);
 * `onCapabilities`: the capabilities called in the range, for the page's filter suggestions.
 */
export function Charts({ refresh = 0, onCapabilities }: { refresh?: number; onCapabilities?: (names: string[]) => void }) {
  const [range, setRange] = useState(1);
  const { minutes, bucketSeconds, label } = RANGES[range]!;
  const stats = useLoad(() => api.stats({ from: new Date(Date.now() - minutes * 60_000).toISOString(), to: new Date().toISOString(), bucketSeconds }), [minutes, bucketSeconds, refresh]);
  useEffect(() => {
    if (stats.data) onCapabilities?.(stats.data.series.map((s) => s.capability));
  }, [stats.data]);
  return (
    <section class="panel charts" data-testid="charts">
      <label class="inline">Statistics over the
        <select value={String(range)} onChange={(e) => setRange(Number((e.target as HTMLSelectElement).value))}>
          {RANGES.map((r, i) => <option key={r.label} value={String(i)}>{r.label}</option>)}
        </select>
        <span class="muted">({bucketSeconds} s buckets)</span>
      </label>
      <Loaded load={stats} what="Call statistics">
        {(s) => (s.series.length === 0 ? <p class="muted">No calls in the {label}.</p> : (
          <>
            {s.sampled ? <div class="notice info" data-testid="sampled">More calls than the platform reads for statistics: only the newest part of the range is counted.</div> : null}
            <Chart id="rate" title="Calls per second" stats={s} lines={(p) => [p.calls / s.bucketSeconds]} suffixes={['']} />
            <Chart id="latency" title="Latency p50 / p99 (ms)" stats={s} lines={(p) => [p.p50Ms, p.p99Ms]} suffixes={[' p50', ' p99']} />
            {/* No calls in a bucket: no rate (a gap), rather than a rate of 0 %. */}
            <Chart id="errors" title="Error rate (%)" stats={s} lines={(p) => [p.calls ? (100 * p.errors) / p.calls : null]} suffixes={['']} />
          </>
        ))}
      </Loaded>
    </section>
  );
}

/** One uPlot chart: the union of every series' bucket times on x, a gap where a capability had no calls. */
function Chart({ id, title, stats, lines, suffixes }: {
  id: string; title: string; stats: api.Stats; lines: (p: api.StatsPoint) => (number | null)[]; suffixes: string[];
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const xs = [...new Set(stats.series.flatMap((s) => s.points.map((p) => Date.parse(p.at) / 1000)))].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const data: (number | null)[][] = [xs];
    const series: uPlot.Series[] = [{}];
    stats.series.forEach((s, si) => {
      suffixes.forEach((suffix, li) => {
        const ys: (number | null)[] = xs.map(() => null);
        for (const p of s.points) ys[index.get(Date.parse(p.at) / 1000)!] = lines(p)[li] ?? null;
        data.push(ys);
        series.push({ label: s.capability + suffix, stroke: COLOURS[si % COLOURS.length], width: 1.5, ...(li === 0 && suffixes.length > 1 ? { dash: [4, 3] } : {}) });
      });
    });
    const width = Math.max(320, el.current.clientWidth);
    // x spans the range asked for, so a quiet hour reads as quiet rather than zoomed onto one bucket.
    const x = { time: true, range: (): uPlot.Range.MinMax => [Date.parse(stats.from) / 1000, Date.parse(stats.to) / 1000] };
    const plot = new uPlot({ width, height: 180, series, axes: [{}, { size: 56 }], scales: { x }, legend: { live: false } }, data as uPlot.AlignedData, el.current);
    // The canvas follows its box when the window (or the layout around it) changes width.
    const box = el.current;
    const resized = new ResizeObserver(() => {
      const w = Math.max(320, box.clientWidth);
      if (w !== plot.width) plot.setSize({ width: w, height: 180 });
    });
    resized.observe(box);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [stats]);
  return <div class="chart" data-testid="chart" data-chart={id}><h3>{title}</h3><div ref={el} /></div>;
}
