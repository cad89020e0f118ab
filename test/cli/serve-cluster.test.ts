// `eposgate serve --database URL --nats URL --node-id ID` (or EPOSGATE_DATABASE_URL /
// EPOSGATE_NATS_URL / EPOSGATE_NODE_ID): two node processes on one PostgreSQL schema and the real
// NATS. A product call on B reaches the EPOS on A; after A is SIGKILLed its presence expires on B and
// B answers 503 EPOS_NOT_CONNECTED. An unreachable NATS refuses to start.
// test: long
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, defineEpos, register } from '../../packages/sdk/src/index.ts';
import { eposgate, spawnEposgate, stop, eposgateBin } from '../helpers/cli.ts';
import { api, tempDir } from '../helpers/platform.ts';
import { NATS_URL } from '../helpers/cluster.ts';
import { dropSchemas, schemaUrl } from '../platform/store/pg.ts';
import { until } from '../e2e/setup.ts';

const epos = defineEpos({ GetOrderById: ({ orderId }) => ({ id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } }) });

test('two serve processes on NATS route a call to the node holding the socket; a SIGKILLed node expires', async (t) => {
  const run = randomBytes(3).toString('hex');
  const account = `cli-cluster-${run}`;
  const schema = `cli_cluster_${run}`;
  const database = schemaUrl(schema);
  t.after(() => dropSchemas(schema));
  const created = await eposgate(['keys', 'create', '--database', database, '--account', account, '--env', 'sandbox']);
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim().split('\n').at(-1)!;

  const env = { EPOSGATE_SECRET_KEY: randomBytes(32).toString('base64') };
  const a = await spawnEposgate(['serve', '--port', '0', '--database', database, '--log-level', 'warn', '--nats', NATS_URL, '--node-id', `a${run}`], /listening on (http:\/\/\S+)/, env);
  // stop() waits for an exit that a SIGKILLed child has already had.
  t.after(async () => { if (a.child.exitCode === null && a.child.signalCode === null) await stop(a.child); });
  const b = await spawnEposgate(['serve', '--port', '0', '--log-level', 'warn'], /listening on (http:\/\/\S+)/,
    { ...env, EPOSGATE_DATABASE_URL: database, EPOSGATE_NATS_URL: NATS_URL, EPOSGATE_NODE_ID: `b${run}` });
  t.after(() => stop(b.child));
  const [urlA, urlB] = [a.match[1]!, b.match[1]!];

  await register(epos, { platformUrl: urlB, apiKey: key, softwareHouseId: 'cli-till', transport: 'ws' }); // one store: once is enough
  const conn = connect(epos, { url: urlA.replace(/^http/, 'ws') + '/epos', apiKey: key, softwareHouseId: 'cli-till', reconnect: false });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await until(async () => (await api(urlB, 'GET', '/epos/data/v1/orders/o-1', { key })).status === 200, 'B to route to A', 8000);

  a.child.kill('SIGKILL');
  await new Promise((r) => a.child.once('exit', r));
  const t0 = Date.now();
  // Presence TTL 3 s, then the connect grace (2 s) of the call itself. A call NATS handed to A just
  // before the kill would wait its timeout (10 s): the kill is awaited first so none is in flight.
  let last = '';
  await until(async () => {
    const r = await api(urlB, 'GET', '/epos/data/v1/orders/o-1', { key });
    last = `${r.status} ${r.text}`;
    return r.body?.error === 'EPOS_NOT_CONNECTED';
  }, 'B to forget A', 12_000).catch((e: Error) => { throw new Error(`${e.message}; last answer: ${last}`); });
  assert.ok(Date.now() - t0 < 11_000);
});

test('serve --nats with no NATS there refuses to start and says so', async (t) => {
  const schema = `cli_nonats_${randomBytes(3).toString('hex')}`;
  t.after(() => dropSchemas(schema));
  const r = await eposgateBin(['serve', '--port', '0', '--database', schemaUrl(schema), '--nats', 'nats://127.0.0.1:1'], { EPOSGATE_SECRET_KEY: randomBytes(32).toString('base64') });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
});

test('serve with a PostgreSQL store and no NATS, or NATS and the SQLite store, refuses to start and says which is missing', async (t) => {
  const env = { EPOSGATE_SECRET_KEY: randomBytes(32).toString('base64') };
  const noBus = await eposgateBin(['serve', '--port', '0', '--database', schemaUrl('never_created')], env);
  assert.notEqual(noBus.code, 0);
  assert.match(noBus.stderr, /could not start: a PostgreSQL store \(cluster mode\) needs the cluster bus: give --nats/);
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const noStore = await eposgateBin(['serve', '--port', '0', '--data', dir, '--nats', NATS_URL], env);
  assert.notEqual(noStore.code, 0);
  assert.match(noStore.stderr, /could not start: a NATS bus \(cluster mode\) needs the shared PostgreSQL store: give --database/);
});
