// A PostgreSQL backend that dies in the middle of a transaction (a restart, pg_terminate_backend):
// the checked-out client emits 'error' besides failing its query, and with nobody listening that
// event ends the process. tx() must answer STORE_UNAVAILABLE and nothing may escape it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Pg } from '../../../packages/eposgate/src/platform/store/postgres/db.ts';
import { isPlatformError } from '../../../packages/eposgate/src/platform/errors.ts';
import { TEST_DATABASE } from './pg.ts';

/** Terminates the backend whose last query matches `pattern`, once it is in `state`. */
async function terminateWhere(pattern: string, state: 'active' | 'idle in transaction'): Promise<number> {
  const c = new pg.Client({ connectionString: TEST_DATABASE });
  await c.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const r = await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE $1 AND state = $2 AND pid <> pg_backend_pid()`, [pattern, state]);
      if (r.rowCount) return r.rowCount;
      await sleep(10);
    }
    return 0;
  } finally {
    await c.end();
  }
}

for (const when of ['during a query', 'between two queries'] as const) {
  test(`a backend terminated ${when} of a transaction fails it with STORE_UNAVAILABLE, and no 'error' event escapes`, async (t) => {
    const db = new Pg(TEST_DATABASE, { connectTimeoutMs: 1000 });
    t.after(() => db.close());
    const marker = `tx_outage_${when.replace(/ /g, '_')}_${process.pid}`;
    const tx = db.tx(async (q) => {
      if (when === 'during a query') return q.rows(`SELECT pg_sleep(5), '${marker}'`);
      await q.rows(`SELECT '${marker}'`);
      await sleep(1000); // the backend dies while this transaction holds its client and runs nothing
      return q.rows('SELECT 1');
    });
    const settled = tx.then(() => undefined, (err: unknown) => err);
    const state = when === 'during a query' ? 'active' : 'idle in transaction';
    assert.equal(await terminateWhere(`%${marker}%`, state), 1, `the transaction's backend was found (${state}) and terminated`);
    const err = await settled;
    assert.ok(isPlatformError(err) && err.code === 'STORE_UNAVAILABLE', `tx rejected with ${String(err)}`);
    await sleep(50); // an 'error' emitted with no listener would fail this test as an uncaught exception
    // The pool dropped the dead connection: the next transaction gets a working one.
    assert.deepEqual(await db.tx((q) => q.rows('SELECT 1 AS one')), [{ one: 1 }]);
  });
}
