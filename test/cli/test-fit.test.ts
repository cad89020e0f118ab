// `eposgate test` fits what a vendor built: against a REST EPOS that implements a subset (found by
// probing, only its flows run), with a wrong password (the EPOS's own message is shown), and one
// that dies or hangs mid-run (the remaining flows are "not run" instead of waited for).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createReferenceEpos, type ReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { defineEpos, EposError, restHandler, type Epos, type EposConnection } from '../../packages/sdk/src/index.ts';
import { FLOWS, flowApplies } from '../../packages/eposgate/src/platform/tester/flows/index.ts';
import { eposgate } from '../helpers/cli.ts';
import { tempDir } from '../helpers/platform.ts';
import { attachWs, newPlatform, SHID, USER, PASS } from '../platform/tester/helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** An EPOS that implements only `names`, each answered by the reference restaurant. */
function subset(ref: ReferenceEpos, names: string[]): Epos {
  const handlers: Record<string, (p: any) => Promise<any>> = {};
  for (const n of names) {
    handlers[n] = async (p) => {
      const out = await ref.epos.invoke(n, p);
      if (!out.ok) throw new EposError(out.error.errorType, out.error.debugMessage);
      return out.result;
    };
  }
  return defineEpos(handlers as any);
}

/** Serves `handler` on a loopback port; `intercept` may take a request before the EPOS sees it. */
async function serve(epos: Epos, intercept?: (req: IncomingMessage, res: ServerResponse) => boolean) {
  const rest = restHandler(epos, { username: USER, password: PASS });
  const server = createServer((req, res) => {
    if (intercept?.(req, res)) return;
    rest(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => { server.closeAllConnections(); server.close(); };
  cleanups.push(close);
  return { server, url, close };
}

function reference(): ReferenceEpos {
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  cleanups.push(() => ref.close());
  return ref;
}

const PAT = ['GetOrderById', 'SearchOrders', 'RecordOrderPaymentById'];

describe('eposgate test fits the EPOS', () => {
  it('against an EPOS with 3 capabilities and no --capabilities: probes them, runs only their flows, reports the rest "not applicable", exit 0', async () => {
    const { url } = await serve(subset(reference(), PAT));
    const dir = tempDir();
    const jsonFile = join(dir, 'report.json');
    const junitFile = join(dir, 'report.xml');
    const r = await eposgate(['test', '--epos-url', url, '--username', USER, '--password', PASS,
      '--json', jsonFile, '--junit', junitFile, '--poll-ms', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^probed the REST EPOS at .*: it answers for 3 of \d+ capabilities \(the rest have no route; give --capabilities to choose them yourself\)\n  GetOrderById: HTTP 404 NotFound: .*\n  SearchOrders: HTTP 200\n  RecordOrderPaymentById: HTTP 400 InvalidRequest: /m);
    assert.match(r.stdout, /\(3 capabilities registered\)/);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    // A REST EPOS: the WebSocket-only (JSON-RPC protocol) flows do not apply.
    const applies = FLOWS.filter((f) => flowApplies(f, new Set(PAT)) && (f.transports ?? ['ws', 'rest']).includes('rest')).map((f) => f.name);
    assert.deepEqual(report.flows.map((f: any) => f.flow), applies.filter((n) => n !== 'Get Order'), 'only the flows of those 3 capabilities run');
    assert.ok(report.flows.every((f: any) => f.result.status === 'SUCCESS'), JSON.stringify(report.flows.map((f: any) => [f.flow, f.result.status])));
    const na = report.skipped.filter((s: any) => s.status === 'NOT_APPLICABLE');
    assert.equal(na.length, FLOWS.length - applies.length);
    assert.ok(na.some((s: any) => s.flow === 'Order and Pay' && s.needs.includes('CreateOrder')));
    assert.match(r.stdout, /^- Order and Pay: not applicable: needs CreateOrder, HandleEvent:payment_intent\.status_updated$/m);
    assert.match(r.stdout, new RegExp(`^${applies.length - 1} flows: ${applies.length - 1} succeeded, 0 failed, 0 timed out, 1 skipped, ${na.length} not applicable$`, 'm'),
      'not applicable flows are not failures');
    assert.match(r.stdout, /^  READY +Pay at Table \(/m);
    assert.match(r.stdout, /^  NOT APPLICABLE Order and Pay: Order and Pay needs CreateOrder/m);
    assert.match(r.stdout, /^ready for: Pay at Table$/m);
    assert.deepEqual(report.products.find((p: any) => p.product === 'Pay at Table').status, 'ready');
    const xml = readFileSync(junitFile, 'utf8');
    assert.equal((xml.match(/<skipped message="not applicable: needs /g) ?? []).length, na.length);
    assert.ok(!xml.includes('<failure'));
  });

  it('against an EPOS with a wrong password: the EPOS\'s own message is shown beside the broken expectation', async () => {
    const { url } = await serve(subset(reference(), PAT));
    const dir = tempDir();
    const jsonFile = join(dir, 'report.json');
    const junitFile = join(dir, 'report.xml');
    const r = await eposgate(['test', '--epos-url', url, '--username', USER, '--password', 'not-the-password',
      '--capabilities', 'GetOrderById', '--param', 'Get Order:orderId=ord_0001', '--json', jsonFile, '--junit', junitFile, '--poll-ms', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^      GetOrderById answered InvalidRequest: missing or wrong basic-auth credentials$/m);
    assert.match(r.stdout, /^      GetOrderById answered InvalidRequest where "NotFound" was expected; the EPOS said: "missing or wrong basic-auth credentials"$/m);
    const xml = readFileSync(junitFile, 'utf8');
    assert.match(xml, /<failure message="GetOrderById answered InvalidRequest where &quot;NotFound&quot; was expected; the EPOS said: &quot;missing or wrong basic-auth credentials&quot;"/);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    const step = report.flows[1].result.steps.find((s: any) => s.status === 'FAILURE');
    assert.equal(step.exchanges[0].error.eposError.debugMessage, 'missing or wrong basic-auth credentials');

    // Without --capabilities the probe already sees the credentials refused: nothing runs, exit 1.
    const probed = await eposgate(['test', '--epos-url', url, '--username', USER, '--password', 'not-the-password', '--poll-ms', '20']);
    assert.equal(probed.code, 1, probed.stdout + probed.stderr);
    assert.match(probed.stdout, /^the EPOS refused the basic-auth credentials \(HTTP 401 InvalidRequest: missing or wrong basic-auth credentials\); check --username and --password: no flow is run$/m);
    assert.match(probed.stdout, /^0 flows: 0 succeeded, 0 failed, 0 timed out, \d+ not run$/m);
  });

  it('against an EPOS that dies mid-run: the remaining flows are "not run: the EPOS is gone", exit 1', async () => {
    let dead = false;
    const epos = await serve(reference().epos, (req, res) => {
      // The EPOS process dies while recording the first payment: that request and every later one fail.
      if (!dead && !req.url?.includes('/record-payment')) return false;
      if (!dead) {
        dead = true;
        res.socket?.destroy();
        epos.close();
        return true;
      }
      res.socket?.destroy();
      return true;
    });
    const dir = tempDir();
    const jsonFile = join(dir, 'report.json');
    const r = await eposgate(['test', '--epos-url', epos.url, '--username', USER, '--password', PASS,
      '--capabilities', [...PAT, 'ListAreas', 'SearchTables'].join(','), '--json', jsonFile, '--poll-ms', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    assert.deepEqual(report.flows.map((f: any) => [f.flow, f.result.status]), [['Order Not Found', 'SUCCESS'], ['Search Orders', 'SUCCESS'], ['Pay at Table', 'FAILURE']], r.stdout);
    // Every flow that applies after Pay at Table (Tables and Areas, and the robustness flows these capabilities allow).
    const caps = new Set([...PAT, 'ListAreas', 'SearchTables']);
    // (The WebSocket-only protocol flows do not apply to this REST EPOS.)
    const later = FLOWS.slice(FLOWS.findIndex((f) => f.name === 'Pay at Table') + 1).filter((f) => flowApplies(f, caps) && (f.transports ?? ['ws', 'rest']).includes('rest')).map((f) => f.name);
    assert.equal(later[0], 'Tables and Areas');
    const left = later.length === 1 ? 'the 1 remaining flow is' : `the ${later.length} remaining flows are`;
    assert.match(r.stdout, new RegExp(`the EPOS is gone \\(EPOS_UNREACHABLE: could not reach the EPOS at [^)]+\\)\\): ${left} not run`));
    assert.match(r.stdout, /^- Tables and Areas: not run: the EPOS is gone \(EPOS_UNREACHABLE: /m);
    assert.deepEqual(report.skipped.filter((s: any) => s.status === 'NOT_RUN').map((s: any) => s.flow), later);
    assert.match(r.stdout, /^  NOT READY +Pay at Table: Pay at Table FAILURE$/m);
    assert.match(r.stdout, /^  NOT APPLICABLE Bookings: .*; Tables and Areas was not run$/m);
  });

  it('against an EPOS that stops answering: after 2 flows in a row time out the rest are not run, well under the sum of their timeouts', async () => {
    let hung = false;
    let hungAt = 0;
    const held: ServerResponse[] = [];
    const ref = reference();
    const { url } = await serve(ref.epos, (req, res) => {
      if (!hung && req.url?.includes('/record-payment') && !req.url.includes('eposgate-probe')) {
        hung = true;
        hungAt = Date.now();
      }
      if (!hung) return false;
      held.push(res); // never answered
      req.resume();
      return true;
    });
    const callTimeoutMs = 1500;
    const dir = tempDir();
    const jsonFile = join(dir, 'report.json');
    // Its capabilities given, not probed: a probe waits --call-timeout-ms too, and a loaded CI
    // machine once took longer than that to answer one, so no flow ran at all.
    const r = await eposgate(['test', '--epos-url', url, '--username', USER, '--password', PASS, '--call-timeout-ms', String(callTimeoutMs),
      '--capabilities', ref.epos.capabilities.map((c) => c.name).join(','), '--json', jsonFile, '--poll-ms', '20']);
    const elapsed = Date.now() - hungAt;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    const statuses = report.flows.map((f: any) => f.result.status);
    assert.deepEqual(statuses.slice(-2), ['TIMED_OUT', 'TIMED_OUT'], JSON.stringify(report.flows.map((f: any) => [f.flow, f.result.status])));
    assert.ok(!statuses.slice(0, -2).includes('TIMED_OUT'));
    const notRun = report.skipped.filter((s: any) => s.status === 'NOT_RUN');
    assert.ok(notRun.length >= 4, `${notRun.length} not run`);
    assert.match(r.stdout, /the EPOS is gone \(2 flows in a row timed out, --stop-after-timeouts 2\): the \d+ remaining flows are not run/);
    // Each flow that met the silent EPOS (the 2 timed out and each one not run) waits at least one call timeout.
    const sumOfTimeouts = (notRun.length + 2) * callTimeoutMs;
    assert.ok(elapsed < sumOfTimeouts * 0.6, `took ${elapsed} ms once the EPOS fell silent; the timeouts alone add up to ${sumOfTimeouts} ms`);
  });

  it('with --platform, an EPOS whose socket goes away mid-run: the rest are not run instead of each waiting for it to reconnect', async () => {
    const { platform, key } = await newPlatform();
    const ref = reference();
    let conn: EposConnection | undefined;
    let diedAt = 0;
    // The reference EPOS, whose process "dies" on the first payment: its socket closes, it never answers.
    const dying: Epos = {
      capabilities: ref.epos.capabilities,
      implements: (n) => ref.epos.implements(n),
      invoke: (name, params, call) => {
        if (name !== 'RecordOrderPaymentById' && !diedAt) return ref.epos.invoke(name, params, call);
        if (!diedAt) {
          diedAt = Date.now();
          setImmediate(() => void conn!.close());
        }
        return new Promise(() => {});
      },
    };
    conn = await attachWs(platform, key, dying);
    cleanups.push(() => platform.destroy());
    const dir = tempDir();
    const jsonFile = join(dir, 'report.json');
    const r = await eposgate(['test', '--platform', platform.url, '--api-key', key, '--software-house-id', SHID, '--json', jsonFile, '--poll-ms', '20']);
    const sinceDeath = Date.now() - diedAt;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    assert.equal(report.flows.at(-1).flow, 'Pay at Table', JSON.stringify(report.flows.map((f: any) => [f.flow, f.result.status])));
    assert.equal(report.flows.at(-1).result.status, 'FAILURE');
    assert.match(r.stdout, /the EPOS is gone \(EPOS_(UNREACHABLE|NOT_CONNECTED): [^\n]*\): the \d+ remaining flows are not run/);
    const notRun = report.skipped.filter((s: any) => s.status === 'NOT_RUN');
    assert.deepEqual(notRun.map((s: any) => s.flow), FLOWS.slice(FLOWS.findIndex((f) => f.name === 'Pay at Table') + 1).map((f) => f.name));
    // Each of those would have waited the platform's reconnect grace (2 s) on its first call.
    assert.ok(sinceDeath < notRun.length * 2000 * 0.5, `took ${sinceDeath} ms after the EPOS died`);
  });
});
