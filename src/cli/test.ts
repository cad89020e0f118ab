// `eposgate test`: runs tester flows against a platform (or, with --epos-url, against a vendor's
// REST EPOS through an in-process platform), shows progress per step, writes JUnit / JSON reports,
// and exits non-zero when any flow did not succeed.
import { Command, InvalidArgumentError } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPABILITIES } from '../contract/catalogue.ts';
import { startPlatform, type Platform } from '../platform/platform.ts';
import { flowApplies } from '../platform/tester/flows/index.ts';
import type { FlowDescription, FlowResult, StepRecord } from '../platform/tester/types.ts';

interface Options {
  flow: string[];
  param: string[];
  platform?: string;
  apiKey?: string;
  softwareHouseId: string;
  eposUrl?: string;
  username?: string;
  password?: string;
  capabilities?: string[];
  junit?: string;
  json?: string;
  pollMs: number;
  flowTimeoutMs: number;
  callTimeoutMs?: number;
}

interface Ran {
  flow: string;
  params: Record<string, unknown>;
  result: FlowResult;
}

class UsageError extends Error {}

const collect = (v: string, prev: string[]) => [...prev, v];
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" is not a positive integer`);
  return n;
};
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function testCommand(): Command {
  return new Command('test')
    .description('run EPOS tester flows and report step by step (exit code 1 when any flow fails)')
    .option('--flow <name>', 'a flow to run (repeatable; default: every flow that applies to what the EPOS registered)', collect, [])
    .option('--param <k=v>', 'a flow param, given to every chosen flow that takes it; "Flow name:k=v" for one flow only (repeatable)', collect, [])
    .option('--platform <url>', 'platform to test through, e.g. http://localhost:8080')
    .option('--api-key <key>', 'API key of the account whose EPOS is tested')
    .option('--software-house-id <id>', 'software-house-id header', 'eposgate-cli')
    .option('--epos-url <url>', 'test a REST EPOS directly: starts an in-process platform and registers this URL')
    .option('--username <user>', 'basic-auth username of the REST EPOS (with --epos-url)')
    .option('--password <password>', 'basic-auth password of the REST EPOS (with --epos-url)')
    .option('--capabilities <a,b>', 'capabilities to register with --epos-url (default: every stable one)', list)
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json <file>', 'write a JSON report')
    .option('--poll-ms <ms>', 'how often to poll a running flow', positive, 100)
    .option('--flow-timeout-ms <ms>', 'give up waiting for one flow after this long', positive, 5 * 60_000)
    .option('--call-timeout-ms <ms>', 'with --epos-url: time the EPOS has to answer each call', positive)
    .action(async (o: Options) => {
      let code: number;
      try {
        code = await runTests(o);
      } catch (err) {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        code = 2;
      }
      process.exitCode = code;
    });
}

async function runTests(o: Options): Promise<number> {
  let local: { platform: Platform; dir: string } | undefined;
  let base: string;
  let key: string;
  if (o.eposUrl) {
    if (o.platform) throw new UsageError('give either --platform or --epos-url, not both');
    if (!o.username || !o.password) throw new UsageError('--epos-url needs --username and --password (the basic auth the platform uses to call it)');
    const dir = mkdtempSync(join(tmpdir(), 'eposgate-test-'));
    const platform = await startPlatform({ dataDir: dir, port: 0, ...(o.callTimeoutMs ? { testerCallTimeoutMs: o.callTimeoutMs } : {}) });
    local = { platform, dir };
    base = platform.url;
    key = (await platform.keys.create('eposgate-test', 'sandbox')).key;
  } else {
    if (!o.platform || !o.apiKey) throw new UsageError('give --platform URL and --api-key KEY, or --epos-url URL --username U --password P');
    base = o.platform.replace(/\/+$/, '');
    key = o.apiKey;
  }
  const http = client(base, key, o.softwareHouseId);
  try {
    if (o.eposUrl && local) {
      const names = o.capabilities ?? CAPABILITIES.filter((c) => c.status === 'stable').map((c) => c.name);
      await http('PUT', '/epos/integrations/rest', {
        url: o.eposUrl, capabilities: names.map((name) => ({ name, version: 'v1' })),
        auth: { authType: 'basic', basic: { username: o.username, password: o.password } },
      });
      out(`testing the REST EPOS at ${o.eposUrl} through an in-process platform (${names.length} capabilities registered)\n`);
    }
    const flows = (await http('GET', '/epos-tester-tool/flows')) as FlowDescription[];
    const { chosen, skipped } = await choose(o, flows, http);
    const ran: Ran[] = [];
    for (const { flow, params } of chosen) ran.push({ flow: flow.name, params, result: await runOne(http, flow, params, o) });
    for (const s of skipped) out(`- ${s.flow}: skipped (${s.reason})\n`);
    const count = (st: string) => ran.filter((r) => r.result.status === st).length;
    const failedOrTimedOut = ran.length - count('SUCCESS');
    out(`\n${ran.length} flows: ${count('SUCCESS')} succeeded, ${count('FAILURE')} failed, ${count('TIMED_OUT')} timed out${skipped.length ? `, ${skipped.length} skipped` : ''}\n`);
    if (o.json) writeFileSync(o.json, JSON.stringify({ platform: o.eposUrl ? `in-process, EPOS ${o.eposUrl}` : base, flows: ran, skipped }, null, 2) + '\n');
    if (o.junit) writeFileSync(o.junit, junit(ran, skipped));
    if (ran.length === 0) {
      out('no flow ran\n');
      return 1;
    }
    return failedOrTimedOut > 0 ? 1 : 0;
  } finally {
    if (local) {
      await local.platform.close();
      rmSync(local.dir, { recursive: true, force: true });
    }
  }
}

type Http = (method: string, path: string, body?: unknown) => Promise<unknown>;

function client(base: string, key: string, softwareHouseId: string): Http {
  return async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: {
          accept: 'application/json', authorization: `Basic ${key}`, 'software-house-id': softwareHouseId,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(`cannot reach the platform at ${base}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* keep the text */ }
    if (!res.ok) {
      const msg = typeof parsed === 'object' && parsed && 'message' in parsed ? String((parsed as { message: unknown }).message) : text;
      throw new Error(`${method} ${path}: HTTP ${res.status} ${msg}`);
    }
    return parsed;
  };
}

function convert(flow: FlowDescription, name: string, value: string): unknown {
  const p = flow.params.find((x) => x.name === name)!;
  if (p.type === 'integer') {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new UsageError(`--param ${name}=${value}: ${name} is an integer`);
    return n;
  }
  if (p.type === 'boolean') {
    if (value !== 'true' && value !== 'false') throw new UsageError(`--param ${name}=${value}: ${name} is true or false`);
    return value === 'true';
  }
  return value;
}

async function choose(o: Options, flows: FlowDescription[], http: Http) {
  // `name=value` goes to every chosen flow that takes `name`; `Flow name:name=value` to that flow only.
  const given = o.param.map((kv) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--param ${kv}: write it as name=value or "Flow name:name=value"`);
    const left = kv.slice(0, i);
    const c = left.lastIndexOf(':');
    const only = c > 0 ? left.slice(0, c) : undefined;
    if (only && !flows.some((f) => f.name === only)) throw new UsageError(`--param ${kv}: unknown flow "${only}"`);
    return [c > 0 ? left.slice(c + 1) : left, kv.slice(i + 1), only] as const;
  });
  let picked: FlowDescription[];
  const skipped: Array<{ flow: string; reason: string }> = [];
  if (o.flow.length) {
    picked = o.flow.map((n) => {
      const f = flows.find((x) => x.name === n) ?? flows.find((x) => x.name.toLowerCase() === n.toLowerCase());
      if (!f) throw new UsageError(`unknown flow "${n}"; the platform offers: ${flows.map((x) => x.name).join(', ')}`);
      return f;
    });
  } else {
    const reg = (await http('GET', '/epos/integrations')) as { restIntegrations: Array<{ capabilities: { name: string }[] }>; wsIntegrations: Array<{ capabilities: { name: string }[] }> };
    const names = new Set([...reg.restIntegrations, ...reg.wsIntegrations].flatMap((i) => i.capabilities.map((c) => c.name)));
    picked = [];
    // The platform refuses flows that change data for production keys (FORBIDDEN_IN_PRODUCTION).
    const production = o.apiKey?.startsWith('sk_prod_') === true;
    for (const f of flows) {
      if (production && f.changesData) skipped.push({ flow: f.name, reason: 'changes data (pays, cancels, locks or books): run it with a sandbox key' });
      else if (flowApplies(f, names)) picked.push(f);
      else skipped.push({ flow: f.name, reason: `needs ${[...f.requires.filter((c) => !names.has(c)), ...f.requiresOneOf.filter((g) => !g.some((c) => names.has(c))).map((g) => g.join(' or '))].join(', ')} registered` });
    }
  }
  for (const [k, , only] of given) {
    if (!picked.some((f) => (!only || f.name === only) && f.params.some((p) => p.name === k))) {
      throw new UsageError(`--param ${only ? `${only}:` : ''}${k}: no chosen flow takes a param "${k}"`);
    }
  }
  const chosen: Array<{ flow: FlowDescription; params: Record<string, unknown> }> = [];
  for (const f of picked) {
    const params: Record<string, unknown> = {};
    for (const [k, v, only] of given) if ((!only || only === f.name) && f.params.some((p) => p.name === k)) params[k] = convert(f, k, v);
    const missing = f.params.filter((p) => p.required && p.default === undefined && params[p.name] === undefined);
    if (missing.length && !o.flow.length) {
      skipped.push({ flow: f.name, reason: `needs ${missing.map((p) => `--param ${p.name}=…`).join(' ')}` });
      continue;
    }
    chosen.push({ flow: f, params });
  }
  return { chosen, skipped };
}

const tty = () => process.stdout.isTTY === true;
const out = (s: string) => void process.stdout.write(s);
const MARK: Record<string, string> = { SUCCESS: '✓', FAILURE: '✗', TIMED_OUT: '⏱', IN_PROGRESS: '…' };
const color = (status: string, s: string) => {
  if (!tty()) return s;
  const c = status === 'SUCCESS' ? 32 : status === 'IN_PROGRESS' ? 36 : status === 'TIMED_OUT' ? 33 : 31;
  return `\x1b[${c}m${s}\x1b[0m`;
};

function stepLine(s: StepRecord): string {
  const ms = s.finishedAt ? ` (${Date.parse(s.finishedAt) - Date.parse(s.startedAt)} ms)` : '';
  const head = tty() ? `  ${color(s.status, MARK[s.status])} ${s.name}${ms}` : `  ${s.status.padEnd(11)} ${s.name}${ms}`;
  const info = s.status === 'SUCCESS' ? [] : s.additionalInformation.map((l) => `      ${l}`);
  return [head, ...info].join('\n') + '\n';
}

async function runOne(http: Http, flow: FlowDescription, params: Record<string, unknown>, o: Options): Promise<FlowResult> {
  const id = (await http('POST', '/epos-tester-tool/flows', { flow: flow.name, params })) as string;
  out(`${flow.name}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''} — ${id}\n`);
  let printed = 0;
  let live = false;
  const until = Date.now() + o.flowTimeoutMs;
  for (;;) {
    const r = (await http('GET', `/epos-tester-tool/flows/${id}`)) as FlowResult;
    if (live) out('\r\x1b[2K');
    live = false;
    while (printed < r.steps.length && r.steps[printed].status !== 'IN_PROGRESS') out(stepLine(r.steps[printed++]));
    if (r.status !== 'IN_PROGRESS') {
      out(`${color(r.status, r.status)} ${r.flowName}\n\n`);
      return r;
    }
    const running = r.steps[printed];
    if (running && tty()) {
      out(`  ${color('IN_PROGRESS', MARK.IN_PROGRESS)} ${running.name}`);
      live = true;
    }
    if (Date.now() > until) {
      if (live) out('\n');
      out(`TIMED_OUT waiting for ${flow.name} after ${o.flowTimeoutMs} ms\n\n`);
      return { ...r, status: 'TIMED_OUT' };
    }
    await new Promise((res) => setTimeout(res, o.pollMs));
  }
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
  // eslint-disable-next-line no-control-regex
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: a testsuite per flow, a testcase per step. */
function junit(ran: Ran[], skipped: Array<{ flow: string; reason: string }>): string {
  const secs = (a?: string, b?: string) => (a && b ? ((Date.parse(b) - Date.parse(a)) / 1000).toFixed(3) : '0');
  const suites = ran.map(({ flow, result: r }) => {
    const failures = r.steps.filter((s) => s.status === 'FAILURE').length;
    const errors = r.steps.filter((s) => s.status === 'TIMED_OUT').length;
    const cases = r.steps.map((s) => {
      const body = s.additionalInformation.join('\n');
      const inner = s.status === 'FAILURE' ? `<failure message="${xml(s.additionalInformation[0] ?? 'failed')}" type="FAILURE">${xml(body)}</failure>`
        : s.status === 'TIMED_OUT' ? `<error message="${xml(s.additionalInformation[0] ?? 'timed out')}" type="TIMED_OUT">${xml(body)}</error>`
        : s.status === 'IN_PROGRESS' ? '<skipped message="still in progress"/>'
        : body ? `<system-out>${xml(body)}</system-out>` : '';
      return `    <testcase classname="${xml(flow)}" name="${xml(s.name)}" time="${secs(s.startedAt, s.finishedAt)}">${inner}</testcase>`;
    });
    if (r.status !== 'SUCCESS' && failures + errors === 0) {
      cases.push(`    <testcase classname="${xml(flow)}" name="flow status" time="0"><failure message="${xml(`flow ended ${r.status}`)}" type="${r.status}"/></testcase>`);
    }
    return `  <testsuite name="${xml(flow)}" id="${xml(r.flowID)}" tests="${cases.length}" failures="${failures + (r.status !== 'SUCCESS' && failures + errors === 0 ? 1 : 0)}" errors="${errors}" timestamp="${xml(r.startedAt)}" time="${secs(r.startedAt, r.finishedAt)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  for (const s of skipped) {
    suites.push(`  <testsuite name="${xml(s.flow)}" tests="1" failures="0" errors="0" skipped="1">\n    <testcase classname="${xml(s.flow)}" name="${xml(s.flow)}" time="0"><skipped message="${xml(s.reason)}"/></testcase>\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="eposgate test">\n${suites.join('\n')}\n</testsuites>\n`;
}
