// The store suite against the embedded store: SQLite in a temporary data directory per store.
import { rmSync } from 'node:fs';
import { SqliteStore } from '../../../packages/eposgate/src/platform/store/sqlite/index.ts';
import { tempDir } from '../../helpers/platform.ts';
import { storeSuite } from './suite.ts';

const dirs: string[] = [];
storeSuite('SQLite', {
  async open() {
    const dir = tempDir('eposgate-store-');
    dirs.push(dir);
    return new SqliteStore(dir);
  },
  async cleanup() {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  },
});
