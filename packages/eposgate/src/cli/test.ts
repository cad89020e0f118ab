// `eposgate test`: runs tester flows against a platform (or, with --epos-url, against a vendor's
// REST EPOS through an in-process platform), shows progress per step, writes JUnit / JSON reports,
// and exits non-zero when any flow did not succeed.
import { Command, InvalidArgumentError } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform, type StartPlatformOptions } from '../platform/platform.ts';
import { flowApplies, missingCapabilities } from '../platform/tester/flows/index.ts';
import { goneReason } from '../platform/tester/report.ts';
import type { FlowDescription, FlowResult } from '../platform/tester/types.ts';
import { probeRestEpos } from './probe.ts';
import { positive, withExitCode } from './options.ts';
import {
  MARK, color, countLine, isTty, junit, notApplicable, notRun, out, productLines, products, skipped, stepLine,
  type NotRan, type Ran,
} from './testReport.ts';

/** Where a run goes and who it is (shared with `eposgate load`). */
export interface TargetOptions {
  platform?: string;
  apiKey?: string;
  softwareHouseId: string;
  eposUrl?: string;
  username?: string;
  password?: string;
  capabilities?: string[];
}

interface Options extends TargetOptions {
  flow: string[];
  param: string[];
  junit?: string;
  json?: string;
  pollMs: number;
  flowTimeoutMs: number;
  callTimeoutMs?: number;
  stopAfterTimeouts: number;
}

class UsageError extends Error {}
/** The platform itself stopped answering (fetch failed). */
class PlatformUnreachable extends Error {}

/** The account the in-process platform of --epos-url tests as. */
export const LOCAL_ACCOUNT = 'eposgate-test';

const collect = (v: string, prev: string[]) => [...prev, v];
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
    .option('--capabilities <a,b>', 'capabilities to register with --epos-url (default: those the EPOS answers for, found by probing its routes)', list)
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json <file>', 'write a JSON report')
    .option('--poll-ms <ms>', 'how often to poll a running flow', positive, 100)
    .option('--flow-timeout-ms <ms>', 'give up waiting for one flow after this long', positive, 5 * 60_000)
    .option('--call-timeout-ms <ms>', 'with --epos-url: time the EPOS has to answer each call', positive)
    .option('--stop-after-timeouts <n>', 'the EPOS counts as gone after this many flows in a row timed out; the rest are not run', positive, 2)
    .action((o: Options) => withExitCode(() => runTests(o)));
}

/** Where a run's calls go: a running platform (--platform, --api-key) or, for --epos-url, one of our own. */
export interface Target {
  base: string;
  key: string;
  /** The in-process platform of --epos-url. */
  local?: Platform;
  close(): Promise<void>;
}

export async function openTarget(
  o: TargetOptions,
  dirPrefix: string,
  platformOptions: Partial<StartPlatformOptions>,
): Promise<Target> {
  if (!o.eposUrl) {
    if (!o.platform || !o.apiKey) throw new Error('give --platform URL and --api-key KEY, or --epos-url URL --username U --password P');
    return { base: o.platform.replace(/\/+$/, ''), key: o.apiKey, close: async () => {} };
  }
  if (o.platform) throw new Error('give either --platform or --epos-url, not both');
  if (!o.username || !o.password) throw new Error('--epos-url needs --username and --password (the basic auth the platform uses to call it)');
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const platform = await startPlatform({ dataDir: dir, port: 0, ...platformOptions });
  return {
    base: platform.url,
    key: (await platform.keys.create(LOCAL_ACCOUNT, 'sandbox')).key,
    local: platform,
    async close() {
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function runTests(o: Options): Promise<number> {
  const target = await openTarget(o, 'eposgate-test-', o.callTimeoutMs ? { testerCallTimeoutMs: o.callTimeoutMs } : {});
  const { base, key, local } = target;
  const http = client(base, key, o.softwareHouseId);
  try {
    // Set (a phrase: "the EPOS is gone (…)") once flows cannot succeed: every flow not yet run is
    // reported "not run", not waited for.
    let gone: string | undefined;
    if (o.eposUrl && local) gone = await registerRestEpos(o, http);
    const flows = (await http('GET', '/epos-tester-tool/flows')) as FlowDescription[];
    const { chosen, notRan } = gone ? { chosen: [], notRan: allNotRun(o, flows, gone) } : await choose(o, flows, http);
    const ran: Ran[] = [];
    let timeouts = 0;
    for (const [i, { flow, params }] of chosen.entries()) {
      if (gone) {
        notRan.push(notRun(flow.name, gone));
        continue;
      }
      let result: FlowResult;
      try {
        result = await runOne(http, flow, params, o);
      } catch (err) {
        if (!(err instanceof PlatformUnreachable)) throw err;
        gone = `the platform is gone (${err.message})`;
        notRan.push(notRun(flow.name, gone));
        continue;
      }
      ran.push({ flow: flow.name, params, result });
      const why = goneReason(result);
      timeouts = result.status === 'TIMED_OUT' ? timeouts + 1 : 0;
      if (why) gone = `the EPOS is gone (${why})`;
      else if (timeouts >= o.stopAfterTimeouts) gone = `the EPOS is gone (${timeouts} flows in a row timed out, --stop-after-timeouts ${o.stopAfterTimeouts})`;
      const left = chosen.length - 1 - i;
      if (gone && left) out(`${gone}: the ${left} remaining ${left === 1 ? 'flow is' : 'flows are'} not run\n\n`);
    }
    for (const s of notRan) out(`- ${s.flow}: ${s.reason}\n`);
    const failedOrTimedOut = ran.length - ran.filter((r) => r.result.status === 'SUCCESS').length;
    const ready = products(flows, ran, notRan);
    out(`\n${countLine(ran, notRan)}`);
    out(productLines(ready));
    if (o.json) {
      writeFileSync(o.json, JSON.stringify({ platform: o.eposUrl ? `in-process, EPOS ${o.eposUrl}` : base, flows: ran, skipped: notRan, products: ready }, null, 2) + '\n');
    }
    if (o.junit) writeFileSync(o.junit, junit(ran, notRan));
    if (ran.length === 0) {
      out('no flow ran\n');
      return 1;
    }
    return failedOrTimedOut > 0 || notRan.some((n) => n.status === 'NOT_RUN') ? 1 : 0;
  } finally {
    await target.close();
  }
}

/**
 * --epos-url: registers the EPOS on the in-process platform with --capabilities, or with what a
 * probe of its routes finds it answers for. Answers why no flow can run when the EPOS cannot be used.
 */
export async function registerRestEpos(o: Pick<Options, 'eposUrl' | 'username' | 'password' | 'capabilities' | 'callTimeoutMs'>, http: Http): Promise<string | undefined> {
  let names = o.capabilities;
  if (!names) {
    const p = await probeRestEpos({ url: o.eposUrl!, username: o.username!, password: o.password!, accountId: LOCAL_ACCOUNT, ...(o.callTimeoutMs ? { timeoutMs: o.callTimeoutMs } : {}) });
    if (p.unreachable) return `the EPOS is gone (${p.unreachable})`;
    if (p.refused) return `the EPOS refused the basic-auth credentials (${p.refused}); check --username and --password`;
    names = p.answered.map((a) => a.capability);
    out(`probed the REST EPOS at ${o.eposUrl}: it answers for ${names.length} of ${names.length + p.noRoute.length} capabilities`
      + ` (the rest have no route; give --capabilities to choose them yourself)\n`
      + p.answered.map((a) => `  ${a.capability}: ${a.answer}\n`).join(''));
    if (!names.length) out(`every route answered like a path that does not exist: check the URL, including its base path (e.g. https://epos.example.com/dojo)\n`);
  }
  if (names.length) {
    await http('PUT', '/epos/integrations/rest', {
      url: o.eposUrl, capabilities: names.map((name) => ({ name, version: 'v1' })),
      auth: { authType: 'basic', basic: { username: o.username, password: o.password } },
    });
  }
  out(`testing the REST EPOS at ${o.eposUrl} through an in-process platform (${names.length} capabilities registered)\n`);
  return undefined;
}

/** Every flow that would have been tried, reported not run because the EPOS cannot be used from the start. */
function allNotRun(o: Options, flows: FlowDescription[], gone: string): NotRan[] {
  const names = o.flow.length ? o.flow : flows.map((f) => f.name);
  out(`${gone}: no flow is run\n\n`);
  return names.map((n) => notRun(n, gone));
}

export type Http = (method: string, path: string, body?: unknown) => Promise<unknown>;

export function client(base: string, key: string, softwareHouseId: string): Http {
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
      throw new PlatformUnreachable(`cannot reach the platform at ${base}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
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
  const notRan: NotRan[] = [];
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
    // A WebSocket-only flow (the JSON-RPC protocol ones) applies to what is registered on the WebSocket.
    const wsNames = new Set(reg.wsIntegrations.flatMap((i) => i.capabilities.map((c) => c.name)));
    for (const f of flows) {
      const wsOnly = f.transports !== undefined && !f.transports.includes('rest');
      if (wsOnly && !flowApplies(f, wsNames)) notRan.push(notApplicable(f.name, missingCapabilities(f, wsNames).map((c) => `${c} over WebSocket`)));
      else if (!flowApplies(f, names)) notRan.push(notApplicable(f.name, missingCapabilities(f, names)));
      else if (production && f.changesData) notRan.push(skipped(f.name, 'changes data (pays, cancels, locks or books): run it with a sandbox key'));
      else picked.push(f);
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
      notRan.push(skipped(f.name, `needs ${missing.map((p) => `--param ${p.name}=…`).join(' ')}`));
      continue;
    }
    chosen.push({ flow: f, params });
  }
  return { chosen, notRan };
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
    if (running && isTty()) {
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

