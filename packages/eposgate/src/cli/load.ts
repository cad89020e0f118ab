// `eposgate load`: a load test of an EPOS. Simulated terminals run product journeys through a
// platform's product-facing API (or, with --epos-url, through an in-process platform in front of a
// REST EPOS, as `eposgate test --epos-url` does), with a live progress line, a summary per
// capability, and JSON / JUnit / HTML reports. Exit 1 past --max-error-rate or on any failed check.
import { Command, InvalidArgumentError } from 'commander';
import { writeFileSync } from 'node:fs';
import { UNLIMITED_RATES } from '../platform/limits.ts';
import { platformCaller } from '../load/caller.ts';
import { JOURNEYS, type JourneyName } from '../load/journeys.ts';
import { htmlReport, jsonReport, junitReport, textSummary } from '../load/report.ts';
import { LoadSetupError, pct, runLoad, type Progress } from '../load/run.ts';
import { client, openTarget, registerRestEpos, type TargetOptions } from './test.ts';
import { positive, withExitCode } from './options.ts';
import { cliIo } from './io.ts';

interface Options extends TargetOptions {
  journey: JourneyName;
  locks?: boolean;
  terminals: number;
  rate: number;
  duration: number;
  maxErrorRate: number;
  currency: string;
  callTimeoutMs: number;
  json?: string;
  junit?: string;
  html?: string;
}

class UsageError extends Error {}


/** `50/s`, `50`, `3000/min`: journeys started per second. */
export function parseRate(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(v);
  const n = m ? Number(m[1]) / (m[2] && /^m/i.test(m[2]) ? 60 : 1) : NaN;
  if (!(n > 0)) throw new InvalidArgumentError(`"${v}" is not a rate: write journeys per second or minute, e.g. 50/s or 600/min`);
  return n;
}

/** `60s`, `2m`, `500ms`, `60` (seconds): milliseconds. */
export function parseDuration(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(v);
  const unit = m?.[2]?.toLowerCase() ?? 's';
  const n = m ? Number(m[1]) * (unit === 'ms' ? 1 : unit === 'm' ? 60_000 : 1000) : NaN;
  if (!(n > 0)) throw new InvalidArgumentError(`"${v}" is not a duration: e.g. 60s, 2m or 500ms`);
  return n;
}

/** `1%` or `0.01`: a fraction of calls. */
export function parseErrorRate(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(v);
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`"${v}" is not an error rate: e.g. 1% or 0.01`);
  return n;
}

function parseJourney(v: string): JourneyName {
  if ((JOURNEYS as readonly string[]).includes(v)) return v as JourneyName;
  throw new InvalidArgumentError(`"${v}" is not a journey: use ${JOURNEYS.join(', ')}`);
}

export function loadCommand(): Command {
  return new Command('load')
    .description('load-test an EPOS: simulated terminals run product journeys, with per-capability latency, errors and semantic checks (exit 1 past --max-error-rate or on a failed check)')
    .option('--platform <url>', 'platform to call the EPOS through, e.g. http://localhost:8080')
    .option('--api-key <key>', 'API key of the account whose EPOS is loaded (a sandbox key: journeys create and pay orders)')
    .option('--software-house-id <id>', 'software-house-id header', 'eposgate-load')
    .option('--epos-url <url>', 'load a REST EPOS directly: starts an in-process platform and registers this URL')
    .option('--username <user>', 'basic-auth username of the REST EPOS (with --epos-url)')
    .option('--password <password>', 'basic-auth password of the REST EPOS (with --epos-url)')
    .option('--capabilities <a,b>', 'capabilities to register with --epos-url (default: those a probe finds)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--journey <name>', `the journey each terminal runs: ${JOURNEYS.join(', ')}`, parseJourney, 'pay-at-table')
    .option('--locks', 'pay-at-table: pay under CreateOrderLock / DeleteOrderLock')
    .option('--terminals <n>', 'most journeys in flight at once', positive, 50)
    .option('--rate <r>', 'journeys started per second (open loop), e.g. 50/s or 600/min', parseRate, 10)
    .option('--duration <d>', 'how long journeys are started for, e.g. 60s, 2m', parseDuration, 30_000)
    .option('--max-error-rate <r>', 'fail past this share of failed calls, e.g. 1% or 0.01', parseErrorRate, 0.01)
    .option('--currency <code>', 'currency of the orders the journeys create', 'GBP')
    .option('--call-timeout-ms <ms>', 'give up on one call after this long', positive, 15_000)
    .option('--json <file>', 'write a JSON report')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--html <file>', 'write an HTML report with charts')
    .action((o: Options) => withExitCode(() => loadTest(o)));
}

const out = (s: string) => void cliIo().stdout.write(s);

function progressLine(p: Progress): string {
  const t = `${(Math.min(p.elapsedMs, p.durationMs) / 1000).toFixed(1)}s/${(p.durationMs / 1000).toFixed(p.durationMs < 10_000 ? 1 : 0)}s`;
  const errs = p.calls ? ` (${pct(p.errors / p.calls)})` : '';
  return `${t}  journeys ${p.done} done, ${p.active} running${p.dropped ? `, ${p.dropped} dropped` : ''}  calls ${p.calls}, errors ${p.errors}${errs}  checks failed ${p.checkFailed}  p99 ${p.p99.toFixed(1)} ms`;
}

async function loadTest(o: Options): Promise<number> {
  // Our own platform (--epos-url): its per-key rate limit would measure itself, not the EPOS.
  const where = await openTarget(o, 'eposgate-load-', { limits: UNLIMITED_RATES, callTimeoutMs: o.callTimeoutMs });
  const { base, key } = where;
  const http = client(base, key, o.softwareHouseId);
  const caller = platformCaller({ base, apiKey: key, softwareHouseId: o.softwareHouseId, connections: o.terminals, timeoutMs: o.callTimeoutMs });
  try {
    if (o.eposUrl) {
      const gone = await registerRestEpos(o, http);
      if (gone) throw new UsageError(gone);
    }
    const reg = (await http('GET', '/epos/integrations')) as { restIntegrations: Array<{ capabilities: { name: string }[] }>; wsIntegrations: Array<{ capabilities: { name: string }[] }> };
    const registered = new Set([...reg.restIntegrations, ...reg.wsIntegrations].flatMap((i) => i.capabilities.map((c) => c.name)));
    const tty = cliIo().stdout.isTTY === true;
    let lastLen = 0;
    out(`load: ${o.journey}${o.locks ? ' with locks' : ''}, ${o.terminals} terminals, ${o.rate}/s for ${o.duration / 1000}s through ${o.eposUrl ? `an in-process platform to ${o.eposUrl}` : base}\n`);
    const report = await runLoad({
      caller, registered, journey: o.journey, locks: o.locks === true, terminals: o.terminals, ratePerSecond: o.rate,
      durationMs: o.duration, maxErrorRate: o.maxErrorRate, currency: o.currency,
      progressEveryMs: tty ? 250 : 3000,
      onProgress: (p) => {
        const line = progressLine(p);
        if (tty) {
          out(`\r\x1b[2K${line}`);
          lastLen = line.length;
        } else out(`${line}\n`);
      },
    });
    if (tty && lastLen) out('\n');
    out(textSummary(report));
    const target = o.eposUrl ? `REST EPOS ${o.eposUrl} through an in-process platform` : `platform ${base}`;
    if (o.json) writeFileSync(o.json, jsonReport(report, target));
    if (o.junit) writeFileSync(o.junit, junitReport(report));
    if (o.html) writeFileSync(o.html, htmlReport(report, target));
    for (const [flag, file] of [['json', o.json], ['junit', o.junit], ['html', o.html]] as const) if (file) out(`${flag} report: ${file}\n`);
    return report.passed ? 0 : 1;
  } catch (err) {
    if (err instanceof LoadSetupError) throw new UsageError(err.message);
    throw err;
  } finally {
    await caller.close();
    await where.close();
  }
}
