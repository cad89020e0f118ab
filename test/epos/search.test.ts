import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRest, assertContract } from './helpers.ts';
import { WAITERS } from '../../packages/eposgate/src/epos/index.ts';

test('paging through orders forwards and backwards visits each order exactly once', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const all = (await h.call('POST', '/v1/orders/search', { cursor: { limit: 100 } })).body.data.map((o: any) => o.id);
  assert.equal(all.length, 28);

  const seen: string[] = [];
  let after: string | undefined;
  let pages = 0;
  let last: any;
  do {
    const res = await h.call('POST', '/v1/orders/search', { cursor: { limit: 5, ...(after ? { after } : {}) } });
    assert.equal(res.status, 200);
    assertContract('SearchOrders', res.body);
    assert.ok(res.body.data.length <= 5);
    if (pages > 0) assert.ok(res.body.before, 'pages after the first offer a way back');
    seen.push(...res.body.data.map((o: any) => o.id));
    after = res.body.after;
    last = res.body;
    pages++;
  } while (after);
  assert.equal(pages, 6);
  assert.deepEqual(seen, all);
  assert.equal(new Set(seen).size, seen.length);

  const back: string[] = [];
  let before: string | undefined = last.before;
  back.unshift(...last.data.map((o: any) => o.id));
  while (before) {
    const res = await h.call('POST', '/v1/orders/search', { cursor: { limit: 5, before } });
    back.unshift(...res.body.data.map((o: any) => o.id));
    before = res.body.before;
  }
  assert.deepEqual(back, all);
});

test('cursor rules: limit at most 100, before and after exclusive, foreign cursors refused', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  assert.equal((await h.call('POST', '/v1/orders/search', { cursor: { limit: 101 } })).status, 400);
  assert.equal((await h.call('POST', '/v1/orders/search', { cursor: { limit: 0 } })).status, 400);
  const page = (await h.call('POST', '/v1/orders/search', { cursor: { limit: 2 } })).body;
  assert.equal((await h.call('POST', '/v1/orders/search', { cursor: { after: page.after, before: page.after } })).status, 400);
  const tables = (await h.call('POST', '/v1/tables/search', { cursor: { limit: 2 } })).body;
  const foreign = await h.call('POST', '/v1/orders/search', { cursor: { after: tables.after } });
  assert.equal(foreign.status, 400);
  assert.equal(foreign.body.errorType, 'InvalidRequest');
});

test('payableOnly hides finalized and cancelled orders', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const res = await h.call('POST', '/v1/orders/search', { payableOnly: true, cursor: { limit: 100 } });
  const ids = res.body.data.map((o: any) => o.id);
  assert.ok(!ids.includes('ord_0027') && !ids.includes('ord_0028'));
  assert.ok(res.body.data.every((o: any) => o.payable === true));
  assert.equal(ids.length, 26);
});

test('dine-in filters select by table, party and waiter', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const byTable = (await h.call('POST', '/v1/orders/search', { dineIn: { tableId: 'tbl_03' } })).body.data;
  assert.deepEqual(byTable.map((o: any) => o.id), ['ord_0003', 'ord_0015']);
  const byParty = (await h.call('POST', '/v1/orders/search', { dineIn: { partyId: 'pty_0001' } })).body.data;
  assert.ok(byParty.length > 0 && byParty.every((o: any) => ['tbl_02', 'tbl_03'].includes(o.details.dineIn.tableId)));
  const byWaiter = (await h.call('POST', '/v1/orders/search', { dineIn: { waiterId: WAITERS.cara } })).body.data;
  assert.ok(byWaiter.length > 0 && byWaiter.every((o: any) => o.details.dineIn.waiterId === WAITERS.cara));
  const none = (await h.call('POST', '/v1/orders/search', { dineIn: { tableId: 'tbl_99' } })).body;
  assert.deepEqual(none, { data: [] });
});

test('a known waiter-id header shows that waiter their orders; an unknown one sees all', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const mine = (await h.call('POST', '/v1/orders/search', { cursor: { limit: 100 } }, { 'waiter-id': WAITERS.alice })).body.data;
  assert.ok(mine.length > 0);
  assert.ok(mine.every((o: any) => o.details.dineIn?.waiterId === WAITERS.alice));
  const stranger = (await h.call('POST', '/v1/orders/search', { cursor: { limit: 100 } }, { 'waiter-id': '42' })).body.data;
  assert.equal(stranger.length, 28);
});

test('tables filter by area and waiter; areas list their waiters', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const areas = await h.call('GET', '/v1/areas');
  assertContract('ListAreas', areas.body);
  assert.deepEqual(areas.body.map((a: any) => a.id), ['area_main', 'area_terrace', 'area_bar']);
  const terrace = await h.call('POST', '/v1/tables/search', { areaId: 'area_terrace' });
  assertContract('SearchTables', terrace.body);
  assert.deepEqual(terrace.body.data.map((x: any) => x.id), ['tbl_07', 'tbl_08', 'tbl_09', 'tbl_10']);
  const ben = (await h.call('POST', '/v1/tables/search', { waiterId: WAITERS.ben })).body.data;
  assert.ok(ben.every((x: any) => x.waiterIds.includes(WAITERS.ben)));
  assert.equal((await h.call('POST', '/v1/tables/search', { areaId: 'area_nowhere' })).status, 404);
});

test('parties: active by default, completedOnly shows those who left, tableId filters', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const active = await h.call('POST', '/v1/parties/search', {});
  assertContract('SearchParties', active.body);
  assert.deepEqual(active.body.data.map((p: any) => p.id), ['pty_0001', 'pty_0002', 'pty_0003']);
  const done = (await h.call('POST', '/v1/parties/search', { completedOnly: true })).body.data;
  assert.deepEqual(done.map((p: any) => p.id), ['pty_0004']);
  assert.ok(done[0].endTime);
  const atTable = (await h.call('POST', '/v1/parties/search', { tableId: 'tbl_03' })).body.data;
  assert.deepEqual(atTable.map((p: any) => p.id), ['pty_0001']);
});

test('reservations filter by table and by an overlapping time window', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const now = h.clock.now().getTime();
  const at = (min: number) => new Date(now + min * 60_000).toISOString();
  const all = await h.call('POST', '/v1/reservations/search', {});
  assertContract('SearchReservations', all.body);
  assert.equal(all.body.data.length, 4);
  const tonight = (await h.call('POST', '/v1/reservations/search', { fromTime: at(0), toTime: at(5 * 60) })).body.data;
  assert.deepEqual(tonight.map((r: any) => r.name), ['Sasha J.', 'Priya K.', 'Martin B.']);
  const tomorrow = (await h.call('POST', '/v1/reservations/search', { fromTime: at(24 * 60) })).body.data;
  assert.deepEqual(tomorrow.map((r: any) => r.name), ['Tom W.']);
  const t6 = (await h.call('POST', '/v1/reservations/search', { tableId: 'tbl_06' })).body.data;
  assert.deepEqual(t6.map((r: any) => r.name), ['Priya K.']);
});
