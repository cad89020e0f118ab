// What `eposgate load` prints and writes: the end-of-run summary, and the JSON, JUnit and HTML
// reports. The HTML draws its charts as inline SVG (no script, no CDN), so it opens anywhere.
import { pct, type LoadReport } from './run.ts';
import type { TimelinePoint } from './stats.ts';

const ms = (x: number) => (x >= 100 ? `${Math.round(x)}` : x.toFixed(1));
const pad = (s: string | number, n: number) => String(s).padStart(n);

export function title(r: LoadReport): string {
  return `${r.journey}${r.locks ? ' with locks' : ''}: ${r.terminals} terminals, ${r.ratePerSecond}/s for ${r.durationMs / 1000}s`;
}

export function textSummary(r: LoadReport): string {
  const s = r.summary;
  const lines: string[] = [];
  lines.push(`\n${title(r)}`);
  lines.push(`journeys: ${s.journeys.started} run in ${(s.elapsedMs / 1000).toFixed(1)}s (${s.journeys.perSecond}/s): ${s.journeys.ok} ok, ${s.journeys.errors} stopped by an error, ${s.journeys.checkFailed} with a failed check; ${s.journeys.dropped} arrivals dropped (every terminal busy)${s.journeys.noData ? `; ${s.journeys.noData} found no data of their own` : ''}`);
  lines.push(`journey time ms: p50 ${ms(s.journeys.p50)}  p95 ${ms(s.journeys.p95)}  p99 ${ms(s.journeys.p99)}  max ${ms(s.journeys.max)}`);
  lines.push('');
  const w = Math.max(10, ...s.capabilities.map((c) => c.capability.length));
  lines.push(`${'capability'.padEnd(w)}  ${pad('calls', 7)} ${pad('/s', 8)} ${pad('errors', 7)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('p99 ms', 8)} ${pad('max ms', 8)}`);
  for (const c of s.capabilities) {
    lines.push(`${c.capability.padEnd(w)}  ${pad(c.calls, 7)} ${pad(c.perSecond, 8)} ${pad(c.errors, 7)} ${pad(ms(c.p50), 8)} ${pad(ms(c.p95), 8)} ${pad(ms(c.p99), 8)} ${pad(ms(c.max), 8)}`);
  }
  lines.push(`${'all'.padEnd(w)}  ${pad(s.calls.total, 7)} ${pad(s.calls.perSecond, 8)} ${pad(s.calls.errors, 7)} ${pad(ms(s.calls.p50), 8)} ${pad(ms(s.calls.p95), 8)} ${pad(ms(s.calls.p99), 8)} ${pad(ms(s.calls.max), 8)}`);
  lines.push('');
  const errs = Object.entries(s.errorsByType).sort((a, b) => b[1] - a[1]);
  lines.push(errs.length ? `errors by type (${pct(s.calls.errorRate)} of calls): ${errs.map(([k, v]) => `${k} ${v}`).join(', ')}` : 'errors: none');
  for (const [k] of errs) if (s.errorExamples[k]?.[0]) lines.push(`  ${k}, e.g. ${s.errorExamples[k]![0]}`);
  if (s.checkFailures.length) {
    lines.push('semantic checks failed under load:');
    for (const c of s.checkFailures) lines.push(`  ${c.count}× ${c.rule}, e.g. ${c.examples[0]}`);
  } else lines.push('semantic checks: all held');
  lines.push(r.passed ? 'PASSED' : `FAILED: ${r.failures.join('; ')}`);
  return lines.join('\n') + '\n';
}

export function jsonReport(r: LoadReport, target: string): string {
  return JSON.stringify({ tool: 'eposgate load', target, ...r }, null, 2) + '\n';
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);

/** One test case per capability (failed when its errors pass the threshold), per semantic rule, and the run's verdict. */
export function junitReport(r: LoadReport): string {
  const s = r.summary;
  const cases: string[] = [];
  const secs = (x: number) => (x / 1000).toFixed(3);
  for (const c of s.capabilities) {
    const rate = c.errors / c.calls;
    const body = rate > r.maxErrorRate
      ? `<failure message="${xml(`${c.errors} of ${c.calls} calls failed (${pct(rate)}): ${Object.entries(c.errorsByType).map(([k, v]) => `${k} ${v}`).join(', ')}`)}"/>`
      : '';
    cases.push(`  <testcase classname="load.${xml(r.journey)}.capabilities" name="${xml(`${c.capability}: ${c.calls} calls, p99 ${ms(c.p99)} ms`)}" time="${secs(c.p50 * c.calls)}">${body}</testcase>`);
  }
  const rules = new Set(['a payment moves paidAmount by exactly its amount', 'a replayed paymentIntentId changes nothing', 'payable is false once paid in full', ...s.checkFailures.map((c) => c.rule)]);
  const relevant = r.journey === 'bookings' ? s.checkFailures.map((c) => c.rule) : [...rules];
  for (const rule of relevant) {
    const f = s.checkFailures.find((c) => c.rule === rule);
    const body = f ? `<failure message="${xml(`${f.count} failures under load`)}">${xml(f.examples.join('\n'))}</failure>` : '';
    cases.push(`  <testcase classname="load.${xml(r.journey)}.checks" name="${xml(rule)}" time="0">${body}</testcase>`);
  }
  const verdict = r.passed ? '' : `<failure message="${xml(r.failures.join('; '))}"/>`;
  cases.push(`  <testcase classname="load.${xml(r.journey)}" name="${xml(title(r))}" time="${secs(s.elapsedMs)}">${verdict}</testcase>`);
  const failures = cases.filter((c) => c.includes('<failure')).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n <testsuite name="eposgate load" tests="${cases.length}" failures="${failures}" time="${secs(s.elapsedMs)}" timestamp="${r.startedAt}">\n${cases.join('\n')}\n </testsuite>\n</testsuites>\n`;
}

// ── HTML ─────────────────────────────────────────────────────────────────────────────────────────

const W = 560;
const H = 200;
const M = { l: 48, r: 12, t: 14, b: 28 };

/** Rounds a chart's top up to 1, 2 or 5 × 10^n. */
function niceMax(x: number): number {
  if (x <= 0) return 1;
  const e = 10 ** Math.floor(Math.log10(x));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((k) => k * e).find((v) => v >= x)!;
}

function axes(maxY: number, maxT: number, unit: string): string {
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = M.t + (H - M.t - M.b) * (1 - i / 4);
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" class="grid"/><text x="${M.l - 6}" y="${y + 4}" class="yl">${+(maxY * i / 4).toPrecision(3)}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const x = M.l + (W - M.l - M.r) * (i / 5);
    parts.push(`<text x="${x}" y="${H - 8}" class="xl">${+(maxT * i / 5).toFixed(1)}s</text>`);
  }
  parts.push(`<text x="${M.l}" y="10" class="unit">${unit}</text>`);
  return parts.join('');
}

function scale(points: TimelinePoint[], bucket: number, maxY: number) {
  const maxT = Math.max(bucket, (points.length) * bucket);
  const x = (t: number) => M.l + ((W - M.l - M.r) * t) / maxT;
  const y = (v: number) => M.t + (H - M.t - M.b) * (1 - v / maxY);
  return { maxT, x, y };
}

/**
 * Latency on a log scale: a warm-up spike or one slow second stays visible without flattening the
 * steady state into the axis.
 */
function lineChart(points: TimelinePoint[], bucket: number, series: Array<{ key: 'p50' | 'p99'; cls: string; label: string }>): string {
  const with_ = points.filter((p) => p.calls > 0);
  const values = with_.flatMap((p) => series.map((s) => p[s.key])).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values, 1))));
  const maxT = Math.max(bucket, points.length * bucket);
  const x = (t: number) => M.l + ((W - M.l - M.r) * t) / maxT;
  const y = (v: number) => M.t + (H - M.t - M.b) * (1 - (Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo));
  const grid: string[] = [];
  for (let e = lo; e <= hi; e++) {
    const v = 10 ** e;
    grid.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${M.l - 6}" y="${y(v) + 4}" class="yl">${v >= 1 ? v : v.toFixed(-e)}</text>`);
  }
  for (let i = 0; i <= 5; i++) grid.push(`<text x="${M.l + (W - M.l - M.r) * (i / 5)}" y="${H - 8}" class="xl">${+(maxT * i / 5).toFixed(1)}s</text>`);
  grid.push(`<text x="${M.l}" y="10" class="unit">ms (log scale)</text>`);
  const paths = series.map((s) => {
    const d = with_.map((p, i) => `${i ? 'L' : 'M'}${x(p.t + bucket / 2).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join('');
    const dots = with_.length < 40 ? with_.map((p) => `<circle cx="${x(p.t + bucket / 2).toFixed(1)}" cy="${y(p[s.key]).toFixed(1)}" r="2.5" class="${s.cls}"/>`).join('') : '';
    return `<path d="${d}" class="line ${s.cls}"/>${dots}`;
  }).join('');
  const legend = series.map((s, i) => `<rect x="${W - M.r - 130 + i * 65}" y="4" width="10" height="10" class="${s.cls} sw"/><text x="${W - M.r - 116 + i * 65}" y="13" class="lg">${s.label}</text>`).join('');
  return `<svg viewBox="0 0 ${W} ${H}" role="img">${grid.join('')}${paths}${legend}</svg>`;
}

function barChart(points: TimelinePoint[], bucket: number): string {
  const rate = (n: number) => n / bucket;
  const maxY = niceMax(Math.max(...points.map((p) => rate(p.calls)), 1));
  const { maxT, x, y } = scale(points, bucket, maxY);
  const bw = Math.max(1, x(bucket) - x(0) - 1);
  const bars = points.map((p) => {
    const okH = y(0) - y(rate(p.calls - p.errors));
    const errH = y(0) - y(rate(p.errors));
    return `<rect x="${x(p.t).toFixed(1)}" y="${(y(0) - okH).toFixed(1)}" width="${bw.toFixed(1)}" height="${okH.toFixed(1)}" class="ok"><title>${p.t}s: ${rate(p.calls).toFixed(1)} calls/s</title></rect>`
      + (p.errors ? `<rect x="${x(p.t).toFixed(1)}" y="${(y(0) - okH - errH).toFixed(1)}" width="${bw.toFixed(1)}" height="${errH.toFixed(1)}" class="err"><title>${p.t}s: ${rate(p.errors).toFixed(1)} errors/s</title></rect>` : '');
  }).join('');
  const legend = `<rect x="${W - M.r - 160}" y="4" width="10" height="10" class="ok"/><text x="${W - M.r - 146}" y="13" class="lg">ok calls/s</text><rect x="${W - M.r - 75}" y="4" width="10" height="10" class="err"/><text x="${W - M.r - 61}" y="13" class="lg">errors/s</text>`;
  return `<svg viewBox="0 0 ${W} ${H}" role="img">${axes(maxY, maxT, 'calls/s')}${bars}${legend}</svg>`;
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

export function htmlReport(r: LoadReport, target: string): string {
  const s = r.summary;
  const tl = s.timeline;
  const maxP99 = Math.max(...s.capabilities.map((c) => c.p99), 1);
  const capRows = s.capabilities.map((c) => `<tr><td>${esc(c.capability)}</td><td>${c.calls}</td><td>${c.perSecond}</td><td class="${c.errors ? 'bad' : ''}">${c.errors}</td><td>${ms(c.p50)}</td><td>${ms(c.p95)}</td><td>${ms(c.p99)}</td>`
    + `<td class="barcell"><div class="bar" style="width:${((c.p99 / maxP99) * 100).toFixed(1)}%"><div class="bar50" style="width:${((c.p50 / Math.max(c.p99, 0.001)) * 100).toFixed(1)}%"></div></div></td></tr>`).join('');
  const errRows = Object.entries(s.errorsByType).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td>${v}</td><td>${pct(v / Math.max(1, s.calls.total))}</td><td>${esc(s.capabilities.filter((c) => c.errorsByType[k]).map((c) => `${c.capability} ${c.errorsByType[k]}`).join(', '))}</td><td>${(s.errorExamples?.[k] ?? []).map((e) => `<div class="ex">${esc(e)}</div>`).join('')}</td></tr>`).join('');
  const checkRows = s.checkFailures.map((c) => `<tr><td>${esc(c.rule)}</td><td class="bad">${c.count}</td><td>${c.examples.map((e) => `<div class="ex">${esc(e)}</div>`).join('')}</td></tr>`).join('');
  const tile = (label: string, value: string, cls = '') => `<div class="tile ${cls}"><div class="v">${value}</div><div class="l">${label}</div></div>`;
  const checks = s.checkFailures.reduce((t, c) => t + c.count, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eposgate load: ${esc(title(r))}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f4f6f9;color:#1d2530}
header{padding:18px 28px;color:#fff;background:${r.passed ? '#1f7a4d' : '#b3261e'}}
header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.9}
main{padding:18px 28px;max-width:1200px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(118px,1fr));gap:10px;margin-bottom:16px}
.tile{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 2px #0001}
.tile .v{font-size:22px;font-weight:600}.tile .l{color:#5b6675;font-size:12px}.tile.bad .v{color:#b3261e}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.card{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 2px #0001;margin-bottom:14px}
.card h2{font-size:15px;margin:0 0 8px}
svg{width:100%;height:auto;display:block}
.grid{stroke:#e3e7ed}.yl{font-size:10px;fill:#5b6675;text-anchor:end}.xl{font-size:10px;fill:#5b6675;text-anchor:middle}.unit,.lg{font-size:10px;fill:#5b6675}
.line{fill:none;stroke-width:2}.p50{stroke:#2f6fdb;fill:#2f6fdb}.p99{stroke:#e07b00;fill:#e07b00}path.p50,path.p99{fill:none}
.ok{fill:#4c9f70}.err{fill:#d0342c}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #edf0f4;vertical-align:top}
th{font-size:12px;color:#5b6675;font-weight:600}td.bad{color:#b3261e;font-weight:600}
.barcell{width:28%}.bar{background:#f3c58a;height:10px;border-radius:3px;position:relative}.bar50{background:#2f6fdb;height:10px;border-radius:3px}
.ex{font-family:ui-monospace,monospace;font-size:12px;color:#39424e}.none{color:#5b6675}
</style></head><body>
<header><h1>${r.passed ? 'PASSED' : 'FAILED'} · ${esc(title(r))}</h1><p>${esc(target)} · started ${esc(r.startedAt)}${r.passed ? '' : ` · ${esc(r.failures.join('; '))}`}</p></header>
<main>
<div class="tiles">
${tile('journeys/s', s.journeys.perSecond.toFixed(1))}${tile('journeys run', String(s.journeys.started))}${tile('journey p99', `${ms(s.journeys.p99)} ms`)}
${tile('calls/s', s.calls.perSecond.toFixed(1))}${tile('call p99', `${ms(s.calls.p99)} ms`)}
${tile('error rate', pct(s.calls.errorRate), s.calls.errorRate > r.maxErrorRate ? 'bad' : '')}${tile('check failures', String(checks), checks ? 'bad' : '')}${tile('dropped arrivals', String(s.journeys.dropped), s.journeys.dropped ? 'bad' : '')}
</div>
<div class="charts">
<div class="card"><h2>Call latency over time</h2>${lineChart(tl, s.bucketSeconds, [{ key: 'p50', cls: 'p50', label: 'p50' }, { key: 'p99', cls: 'p99', label: 'p99' }])}</div>
<div class="card"><h2>Throughput and errors over time</h2>${barChart(tl, s.bucketSeconds)}</div>
</div>
<div class="card"><h2>Per capability</h2><table><tr><th>capability</th><th>calls</th><th>/s</th><th>errors</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>p50 (blue) within p99</th></tr>${capRows}</table></div>
<div class="card"><h2>Errors by type</h2>${errRows ? `<table><tr><th>type</th><th>count</th><th>of calls</th><th>where</th><th>e.g.</th></tr>${errRows}</table>` : '<p class="none">No call failed.</p>'}</div>
<div class="card"><h2>Semantic checks under load</h2>${checkRows ? `<table><tr><th>rule broken</th><th>times</th><th>examples</th></tr>${checkRows}</table>` : `<p class="none">Every check held: ${r.journey === 'bookings' ? 'reservations and parties kept what was sent, parties carry their reservation' : 'payments add up, a replayed payment changes nothing, paid orders are no longer payable'}.</p>`}</div>
</main></body></html>
`;
}
