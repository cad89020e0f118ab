// `eposgate backup` copies a LIVE data directory (the platform running and writing) and a platform
// started on the copy has the keys, registrations and events that were acknowledged before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eposgate } from '../helpers/cli.ts';
import { api, tempDir, testPlatform } from '../helpers/platform.ts';
import { UNLIMITED_RATES } from '../../packages/eposgate/src/platform/limits.ts';
import { dropSchemas, schemaUrl } from '../platform/store/pg.ts';

const payment = (pi: string) => ({ paymentIntentId: pi, paymentStatus: 'Created', captureMode: 'Auto' });

test('a backup of a live data dir restores keys, registrations and events acknowledged before it', async (t) => {
  const p = await testPlatform({ limits: UNLIMITED_RATES });
  t.after(() => p.destroy());
  const out = join(tempDir('eposgate-backup-'), 'copy');
  t.after(() => rmSync(join(out, '..'), { recursive: true, force: true }));
  const { key } = await p.keys.create('acc-live', 'sandbox');
  const revoked = await p.keys.create('acc-live', 'sandbox');
  await p.keys.revoke(revoked.record.id);
  const caps = { capabilities: [{ name: 'GetOrderById', version: 'v1' }, { name: 'SearchOrders', version: 'v1' }] };
  assert.equal((await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: caps })).status, 200);

  // Writers keep going for the whole backup: raises from products, POS events from the EPOS.
  const raised: string[] = [];
  const posEvents: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop; i += 1) {
      const id = `evt-${w}-${i}`;
      const res = await api(p.url, 'POST', '/epos/data/v1/events', { key, body: { id, event: 'payment_intent.created', data: payment(id) } });
      assert.equal(res.status, 202, res.text);
      raised.push(id);
      const pos = await api(p.url, 'POST', '/epos/events', { key, body: { eventType: 'OrderUpdated', event: { orderId: `ord-${w}-${i}` } } });
      assert.equal(pos.status, 200, pos.text);
      posEvents.push(`ord-${w}-${i}`);
    }
  });
  while (raised.length < 20) await new Promise((r) => setTimeout(r, 20));
  const raisedBefore = [...raised];
  const posBefore = [...posEvents];
  const backup = await eposgate(['backup', '--data', p.dataDir, '--out', out]);
  const raisedDuring = raised.length - raisedBefore.length;
  stop = true;
  await Promise.all(writers);
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /platform\.db \(\d+ pages\) and secret\.key/);
  assert.ok(raisedBefore.length >= 20 && raisedDuring > 0, `writes kept going (${raisedBefore.length} before, ${raisedDuring} during)`);

  // The copy is private and carries the same secret key.
  assert.equal((statSync(out).mode & 0o777).toString(8), '700');
  for (const f of ['platform.db', 'secret.key']) assert.equal((statSync(join(out, f)).mode & 0o777).toString(8), '600', f);
  assert.equal(readFileSync(join(out, 'secret.key'), 'utf8'), readFileSync(join(p.dataDir, 'secret.key'), 'utf8'));

  // Restore = start a platform on the copy.
  const r = await testPlatform({ dataDir: out, limits: UNLIMITED_RATES });
  t.after(() => r.stop());
  const integrations = await api(r.url, 'GET', '/epos/integrations/ws', { key });
  assert.equal(integrations.status, 200, integrations.text);
  assert.deepEqual(integrations.body[0].capabilities.map((c: { name: string }) => c.name), ['GetOrderById', 'SearchOrders']);
  assert.equal((await api(r.url, 'GET', '/epos/integrations/ws', { key: revoked.key })).body.error, 'REVOKED_API_KEY');
  const missing: string[] = [];
  for (const id of raisedBefore) {
    if ((await api(r.url, 'GET', `/epos/data/v1/events/${id}`, { key })).status !== 200) missing.push(id);
  }
  assert.deepEqual(missing, [], 'raised events acknowledged before the backup');
  const orders = new Set<string>();
  for (let after = 0; ;) {
    const page = await api(r.url, 'GET', `/epos/events?limit=500&after=${after}`, { key });
    for (const e of page.body.events as { event: { orderId: string } }[]) orders.add(e.event.orderId);
    if (page.body.next === after) break;
    after = page.body.next;
  }
  assert.deepEqual(posBefore.filter((o) => !orders.has(o)), [], 'POS events acknowledged before the backup');
  // Per-tenant numbering goes on from the copy without a gap.
  const next = await api(r.url, 'POST', '/epos/data/v1/events', { key, body: { id: 'evt-restored', event: 'payment_intent.created', data: payment('pi_r') } });
  assert.equal(next.status, 202, next.text);
});

test('eposgate backup refuses a directory that is not a data dir, and a non-empty destination', async (t) => {
  const dir = tempDir('eposgate-backup-bad-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const none = await eposgate(['backup', '--data', join(dir, 'nothing'), '--out', join(dir, 'out1')]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no platform database at .*nothing.*platform\.db/);
  const p = await testPlatform({ dataDir: join(dir, 'data') });
  await p.stop();
  mkdirSync(join(dir, 'busy'));
  writeFileSync(join(dir, 'busy', 'x'), 'x');
  const busy = await eposgate(['backup', '--data', join(dir, 'data'), '--out', join(dir, 'busy')]);
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, /busy is not empty/);
  assert.equal(readFileSync(join(dir, 'busy', 'x'), 'utf8'), 'x');
});

test('eposgate backup of a PostgreSQL store refuses and points to pg_dump; keys create/list take --database', async (t) => {
  const schema = `t_cli_${process.pid}`;
  t.after(() => dropSchemas(schema));
  const url = schemaUrl(schema);
  const refused = await eposgate(['backup', '--database', url, '--out', join(tempDir(), 'out')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /copies an embedded \(SQLite\) data directory; back a PostgreSQL store up with pg_dump/);
  const created = await eposgate(['keys', 'create', '--database', url, '--account', 'acme-pg', '--env', 'sandbox']);
  assert.equal(created.code, 0, created.stderr);
  const listed = await eposgate(['keys', 'list', '--json'], { EPOSGATE_DATABASE_URL: url });
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as { accountId: string }[]).map((k) => k.accountId), ['acme-pg']);
  const bad = await eposgate(['keys', 'list', '--database', 'mysql://db/x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown scheme "mysql"; use sqlite:DIR or postgres:/);
});
