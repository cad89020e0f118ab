// Profiling aid for B3: heap snapshots of the socket holder (platform or bare ws server) before
// and after N idle sockets connect; compare them with bench/heap-top.ts --diff.
//   node --import tsx bench/heap-b3.ts [N=2000] [platform|bare]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../packages/eposgate/src/platform/store/sqlite/index.ts';
import { generateKey, hashKey, keyHint } from '../packages/eposgate/src/platform/auth/apiKey.ts';
import { startChild, sleep } from './lib.ts';
const n = Number(process.argv[2] ?? 2000); const mode = process.argv[3] ?? 'platform';
const dataDir = mkdtempSync(join(tmpdir(), 'heap-'));
const store = new SqliteStore(dataDir); const keys: any[] = []; const at = new Date().toISOString();
store.db.transaction(() => { for (let i = 0; i < n; i++) { const accountId = `acct-${i}`; const key = generateKey('sandbox'); keys.push({ accountId, key });
  void store.keys.insert({ id: `k${i}`, accountId, env: 'sandbox', hash: hashKey(key), hint: keyHint(key), createdAt: at }); } })();
await store.close(); writeFileSync(join(dataDir, 'keys.json'), JSON.stringify(keys));
const holder = startChild('holder.ts', { MODE: mode, DATA_DIR: dataDir }, { fdLimit: 20000, nodeArgs: ['--expose-gc'] });
const { url } = await holder.wait<{ url: string }>('ready');
await holder.ask({ cmd: 'snapshot', file: `/tmp/heap-${mode}-0.heapsnapshot` });
const c = startChild('epos-many.ts', { URL: url, MODE: mode === 'platform' ? 'sdk' : 'bare', KEYS_FILE: join(dataDir, 'keys.json'), FROM: '0', TO: String(n), CONCURRENCY: '64' }, { fdLimit: 20000 });
await c.wait('ready'); console.log(await c.ask({ cmd: 'go' })); await sleep(500);
console.log(await holder.ask({ cmd: 'mem' }));
await holder.ask({ cmd: 'snapshot', file: `/tmp/heap-${mode}-1.heapsnapshot` });
await c.stop(); await holder.stop(); process.exit(0);
