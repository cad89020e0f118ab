// Disk full, for real: the platform's data dir on a small tmpfs this test mounts (as root) and fills.
// Writes answer 503 STORE_UNAVAILABLE with the reason, nothing unacknowledged is stored, nothing
// acknowledged is lost, and once space returns the same process writes again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UNLIMITED_RATES } from '../../../packages/eposgate/src/platform/limits.ts';
import { api, tempDir, testPlatform, type TestPlatform } from '../../helpers/platform.ts';

/** Mounts a tmpfs of `size` on a fresh directory; a reason string when this machine refuses. */
function mountTmpfs(size: string): { dir: string; unmount(): void } | string {
  const dir = tempDir('eposgate-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    return `cannot mount a tmpfs here (${why}): needs root (or CAP_SYS_ADMIN); disk-full behaviour is not tested on this machine`;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a file until the filesystem has no byte left. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 16, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

const payment = (pi: string) => ({ paymentIntentId: pi, paymentStatus: 'Created', captureMode: 'Auto' });

test('on a full disk writes answer 503 STORE_UNAVAILABLE, nothing unacknowledged is kept, and writes resume when space returns', async (t) => {
  const fs = mountTmpfs('3m');
  if (typeof fs === 'string') return void t.skip(fs);
  let p: TestPlatform | undefined;
  t.after(async () => {
    await p?.stop();
    fs.unmount();
  });
  const dataDir = join(fs.dir, 'data');
  p = await testPlatform({ dataDir, limits: UNLIMITED_RATES });
  const url = p.url;
  const { key } = await p.keys.create('acc-full', 'sandbox');
  const names = (n: number) => ['GetOrderById', 'SearchOrders', 'RecordOrderPaymentById', 'ListAreas'].slice(0, 1 + (n % 4));
  const reg = (n: number) => api(url, 'PUT', '/epos/integrations/ws', {
    key, body: { capabilities: names(n).map((name) => ({ name, version: 'v1' })) },
  });
  assert.equal((await reg(0)).status, 200);

  const acked: string[] = [];
  const refused: string[] = [];
  for (const id of ['evt-before-1', 'evt-before-2']) {
    assert.equal((await api(url, 'POST', '/epos/data/v1/events', { key, body: { id, event: 'payment_intent.created', data: payment(id) } })).status, 202);
    acked.push(id);
  }
  // Full but for 64 KiB, so that some raises still fit before the store refuses.
  const filler = join(fs.dir, 'filler');
  fill(filler);
  truncateSync(filler, statSync(filler).size - 64 * 1024);

  // Raise, 8 at a time (so that batches of several writes meet the full disk), until the store refuses.
  let refusal: { status: number; body: { error: string; message: string } } | undefined;
  for (let i = 0; i < 1000 && !refusal; i += 1) {
    await Promise.all(Array.from({ length: 8 }, async (_, j) => {
      const id = `evt-${i}-${j}`;
      const res = await api(url, 'POST', '/epos/data/v1/events', { key, body: { id, event: 'payment_intent.created', data: payment(id) } });
      if (res.status === 202) acked.push(id);
      else {
        refused.push(id);
        refusal = res as unknown as typeof refusal;
      }
    }));
  }
  assert.ok(refusal, `the store accepted every raise on a full disk (${acked.length})`);
  assert.ok(acked.length > 2, 'raises that fitted in the last 64 KiB were acknowledged');
  assert.equal(refusal.status, 503);
  assert.equal(refusal.body.error, 'STORE_UNAVAILABLE');
  assert.match(refusal.body.message, /disk is full; nothing was written/);

  // While still full: registrations and more raises are refused the same way.
  let regRefused: { status: number; body: { error: string } } | undefined;
  let lastRegistered = 0;
  for (let i = 1; i < 50 && !regRefused; i += 1) {
    const res: { status: number; body: { error: string } } = await reg(i);
    if (res.status === 200) lastRegistered = i;
    else regRefused = res;
  }
  assert.equal(regRefused?.status, 503, 'a registration on a full disk');
  assert.equal(regRefused?.body.error, 'STORE_UNAVAILABLE');
  // The refused PUT changed nothing: the last acknowledged registration is in force.
  const inForce = await api(url, 'GET', '/epos/integrations/ws', { key });
  assert.deepEqual(inForce.body[0].capabilities.map((c: { name: string }) => c.name), names(lastRegistered));
  // POS events from the EPOS too.
  let posRefused: { status: number; body: { error: string } } | undefined;
  for (let i = 0; i < 50 && !posRefused; i += 1) {
    const res: { status: number; body: { error: string } } = await api(url, 'POST', '/epos/events', { key, body: { eventType: 'OrderUpdated', event: { orderId: `ord-${i}` } } });
    if (res.status !== 200) posRefused = res;
  }
  assert.equal(posRefused?.status, 503, 'a POS event on a full disk');
  assert.equal(posRefused?.body.error, 'STORE_UNAVAILABLE');
  for (let i = 0; i < 5; i += 1) {
    const id = `evt-full-${i}`;
    const res = await api(url, 'POST', '/epos/data/v1/events', { key, body: { id, event: 'payment_intent.created', data: payment(id) } });
    if (res.status === 202) acked.push(id);
    else {
      assert.equal(res.status, 503, res.text);
      refused.push(id);
    }
  }
  // Reads still answer while the disk is full.
  assert.equal((await api(url, 'GET', '/epos/integrations', { key })).status, 200);
  assert.equal((await api(url, 'GET', '/epos/data/v1/events', { key })).status, 200);
  t.diagnostic(`${acked.length} raises acknowledged and ${refused.length} refused while the disk was full`);

  // Space returns: the same process writes again, no restart.
  unlinkSync(filler);
  const after = await api(url, 'POST', '/epos/data/v1/events', { key, body: { id: 'evt-after', event: 'payment_intent.created', data: payment('pi_after') } });
  assert.equal(after.status, 202, after.text);
  acked.push('evt-after');
  const lastReg = await reg(3);
  assert.equal(lastReg.status, 200, lastReg.text);
  const got = await api(url, 'GET', '/epos/integrations', { key });
  assert.equal(got.status, 200);
  assert.match(got.text, /ListAreas/);

  // Consistent: every acknowledged event there, no refused one, a sound file.
  const db = new Database(join(dataDir, 'platform.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const ids = new Set((db.prepare("SELECT id FROM event_outbox WHERE account_id = 'acc-full'").all() as { id: string }[]).map((r) => r.id));
    assert.deepEqual(acked.filter((id) => !ids.has(id)), [], 'acknowledged events lost');
    assert.deepEqual(refused.filter((id) => ids.has(id)), [], 'refused events stored');
    assert.equal(ids.size, acked.length);
    const seqs = (db.prepare("SELECT seq FROM event_outbox WHERE account_id = 'acc-full' ORDER BY seq").all() as { seq: number }[]).map((r) => r.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'per-tenant seq has no gap');
  } finally {
    db.close();
  }
});
