// The store suite against PostgreSQL (127.0.0.1:5432, or $EPOSGATE_TEST_DATABASE_URL): each store
// gets a fresh schema of the test database, dropped at the end; a peer is a second pool on it.
import pg from 'pg';
import { PostgresStore } from '../../../packages/eposgate/src/platform/store/postgres/index.ts';
import type { Store } from '../../../packages/eposgate/src/platform/store/store.ts';
import { storeSuite } from './suite.ts';

export const TEST_DATABASE = process.env.EPOSGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const schemas: string[] = [];
const urls = new Map<Store, string>();

function freshUrl(): string {
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
  schemas.push(schema);
  const u = new URL(TEST_DATABASE);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function openAt(url: string): Promise<Store> {
  const s = await PostgresStore.open(url);
  urls.set(s, url);
  return s;
}

storeSuite('PostgreSQL', {
  open: () => openAt(freshUrl()),
  peer: (s) => openAt(urls.get(s)!),
  openMany(n) {
    const url = freshUrl();
    return Promise.all(Array.from({ length: n }, () => openAt(url)));
  },
  async cleanup() {
    const c = new pg.Client({ connectionString: TEST_DATABASE });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.end();
  },
});
