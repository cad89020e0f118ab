// The store suite against PostgreSQL (pg.ts): each store gets a fresh schema of the test database,
// dropped at the end; a peer is a second pool on the same schema.
import { PostgresStore } from '../../../packages/eposgate/src/platform/store/postgres/index.ts';
import type { Store } from '../../../packages/eposgate/src/platform/store/store.ts';
import { dropSchemas, schemaUrl } from './pg.ts';
import { storeSuite } from './suite.ts';

const schemas: string[] = [];
const urls = new Map<Store, string>();

function freshUrl(): string {
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
  schemas.push(schema);
  return schemaUrl(schema);
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
  cleanup: () => dropSchemas(...schemas),
});
