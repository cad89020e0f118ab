// B8: idle EPOS sockets spread over 4 cluster nodes (child processes sharing one PostgreSQL store, in
// a fresh schema, joined by NATS), each EPOS on one node; then 1% probes, each an HTTP GET order
// sent to a random node with that EPOS's key, whose answer must name that EPOS's account. Per-node
// RSS per socket is judged like B3's: against a bare `ws` server holding one node's share, same run.
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { PostgresStore } from '../packages/eposgate/src/platform/store/postgres/index.ts';
import { generateKey, hashKey, keyHint } from '../packages/eposgate/src/platform/auth/apiKey.ts';
import { median, round, sleep, startChild, summarise, type Child } from './lib.ts';
import type { Result } from './run.ts';

type Report = (r: Omit<Result, 'met'> & { met?: boolean | null }) => void;
interface Mem { rss: number; heapUsed: number; external: number }
interface Opened { opened: number; failed: number; ms: number; connectMs: { p50: number; p99: number; max: number }; firstError?: string }

const NODES = 4;
const NATS_URL = process.env.EPOSGATE_NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env.EPOSGATE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Per process: 10,000 sockets of one node's share, plus what the process opens itself. */
const FD_LIMIT = 20_000;

export async function runB8(quick: boolean, result: Report, log: (s: string) => void): Promise<void> {
  const n = quick ? 4000 : 40_000;
  const share = n / NODES;
  const schema = `b8_${randomBytes(4).toString('hex')}`;
  const database = `${PG_URL}?schema=${schema}`;
  const dir = mkdtempSync(join(tmpdir(), 'eposgate-bench-b8-'));
  const keysFile = join(dir, 'keys.json');
  const children: Child[] = [];
  try {
    await seed(database, n, keysFile, log);
    const bareBytes = await bareShare(keysFile, share);
    log(`  B8: bare ws holds ${share} sockets at ${round(bareBytes / 1024, 1)} KiB each`);

    const prefix = `b8${randomBytes(3).toString('hex')}`;
    const secretKey = randomBytes(32).toString('base64');
    const nodes = Array.from({ length: NODES }, (_, i) => startChild('holder.ts', {
      MODE: 'platform', DATABASE: database, NATS_URL, NATS_PREFIX: prefix, NODE_ID: `n${i}`, SECRET_KEY: secretKey,
    }, { fdLimit: FD_LIMIT, nodeArgs: ['--expose-gc'] }));
    children.push(...nodes);
    const urls = (await Promise.all(nodes.map((c) => c.wait<{ url: string }>('ready')))).map((r) => r.url);
    const mem0 = await Promise.all(nodes.map(async (c) => (await c.ask<{ mem: Mem }>({ cmd: 'mem' })).mem));

    // One client process per node, each opening that node's share of the EPOS sockets.
    const clients = urls.map((url, i) => startChild('epos-many.ts', {
      URL: url, MODE: 'sdk', KEYS_FILE: keysFile, FROM: String(i * share), TO: String((i + 1) * share), CONCURRENCY: '32',
    }, { fdLimit: FD_LIMIT }));
    children.push(...clients);
    await Promise.all(clients.map((c) => c.wait('ready')));
    const t0 = performance.now();
    const outs = await Promise.all(clients.map((c) => c.ask<Opened>({ cmd: 'go' }, 900_000)));
    const connectMs = performance.now() - t0;
    const opened = outs.reduce((a, o) => a + o.opened, 0);
    log(`  B8: ${opened}/${n} sockets opened in ${Math.round(connectMs)} ms; per connect p50 ${outs.map((o) => round(o.connectMs.p50, 0)).join('/')} p99 ${outs.map((o) => round(o.connectMs.p99, 0)).join('/')} ms`);

    // Presence: until every node sees all n accounts held (here or on a peer).
    const whole = async (what: string): Promise<number> => {
      const since = performance.now();
      for (;;) {
        const known = await Promise.all(nodes.map(async (c) => (await c.ask<{ known: number }>({ cmd: 'known', from: 0, to: n })).known));
        if (known.every((k) => k === opened)) return round(performance.now() - since, 0);
        if (performance.now() - since > 60_000) { log(`  B8: presence still incomplete 60 s ${what}: ${known.join(', ')}`); return NaN; }
        await sleep(50);
      }
    };
    const syncMs = await whole('after the last connect');

    const perNode = await Promise.all(nodes.map(async (c, i) => {
      const { mem, sockets } = await c.ask<{ mem: Mem; sockets: number }>({ cmd: 'mem' });
      return { node: `n${i}`, sockets, rssPerSocket: Math.round((mem.rss - mem0[i]!.rss) / Math.max(1, sockets)), heapPerSocket: Math.round((mem.heapUsed - mem0[i]!.heapUsed) / Math.max(1, sockets)), rssMiB: round(mem.rss / 2 ** 20, 0) };
    }));
    const prober = await Prober.start(urls, keysFile, n);
    // The first call on a node compiles the contract's validators (seconds on a loaded machine),
    // as in B7: one call per node, forwarded to the next node, made first and not counted. Nodes
    // blocked that long may have been dropped by their peers' presence: probes wait until whole.
    const warmMs = await prober.warm();
    const wholeAgainMs = await whole('after the warm-up');
    log(`  B8: warm-up calls took ${warmMs} ms; presence whole again ${wholeAgainMs} ms later`);
    const probe = await prober.probe();
    if (probe.wrongCount > 0) log(`  B8: ${probe.wrongCount} probes wrong, e.g. ${probe.wrong.join(' | ')}`);

    const held = perNode.reduce((a, p) => a + p.sockets, 0);
    const worst = Math.max(...perNode.map((p) => p.rssPerSocket));
    const allRight = probe.right === probe.probed;
    const firstError = outs.find((o) => o.firstError)?.firstError;
    const detail = { sockets: n, nodes: NODES, store: 'postgresql (fresh schema)', connectMs: Math.round(connectMs), perConnectMs: outs.map((o) => o.connectMs), presenceSyncMs: syncMs, warmUpMs: warmMs, presenceWholeAfterWarmUpMs: wholeAgainMs, perNode, bareBytesPerSocket: bareBytes, probe, ...(firstError ? { firstError } : {}) };
    result({
      id: 'B8', title: `${n} idle EPOS sockets over ${NODES} nodes, 1% probes through a random node`, target: n, better: 'higher',
      figure: held, met: held >= n && allRight,
      summary: `${held}/${n} held (${perNode.map((p) => p.sockets).join(' + ')}); presence synced ${syncMs} ms after the last connect; probes ${probe.right}/${probe.probed} right, p50 ${probe.latencyMs.p50} p99 ${probe.latencyMs.p99} ms`,
      detail,
    });
    result({
      id: 'B8-memory', title: 'worst node: RSS per socket held vs bare ws holding one node\'s share', target: 2, better: 'lower',
      figure: round(worst / bareBytes),
      summary: `${perNode.map((p) => `${p.node} ${round(p.rssPerSocket / 1024, 1)}`).join(', ')} vs ${round(bareBytes / 1024, 1)} KiB/socket`,
      detail: { perNode, bareBytesPerSocket: bareBytes, medianNodeBytes: median(perNode.map((p) => p.rssPerSocket)) },
    });
  } finally {
    for (const c of children.reverse()) await c.stop();
    await dropSchema(schema).catch((e: Error) => log(`  B8: could not drop schema ${schema}: ${e.message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keys and WS registrations of acct-0 … acct-(n-1), through the store, many at a time. */
async function seed(database: string, n: number, keysFile: string, log: (s: string) => void): Promise<void> {
  const t0 = performance.now();
  const store = await PostgresStore.open(database, { poolSize: 16 });
  const keys: { accountId: string; key: string }[] = [];
  const at = new Date().toISOString();
  let next = 0;
  try {
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        const accountId = `acct-${i}`;
        const key = generateKey('sandbox');
        keys[i] = { accountId, key };
        await store.keys.insert({ id: `key_b8_${i}`, accountId, env: 'sandbox', hash: hashKey(key), hint: keyHint(key), createdAt: at });
        await store.integrations.put({
          tenant: { accountId, env: 'sandbox' }, transport: 'ws', createdAt: at, softwareHouseId: 'bench-many',
          capabilities: [{ name: 'GetOrderById', version: 'v1', updatedAt: at }],
        });
      }
    }));
  } finally {
    await store.close();
  }
  writeFileSync(keysFile, JSON.stringify(keys));
  log(`  B8: ${n} keys and registrations stored in PostgreSQL in ${Math.round(performance.now() - t0)} ms`);
}

/** RSS per socket of a bare `ws` server holding `share` sockets (B3's baseline, one node's share). */
async function bareShare(keysFile: string, share: number): Promise<number> {
  const holder = startChild('holder.ts', { MODE: 'bare' }, { fdLimit: FD_LIMIT, nodeArgs: ['--expose-gc'] });
  let client: Child | undefined;
  try {
    const { url } = await holder.wait<{ url: string }>('ready');
    const mem0 = (await holder.ask<{ mem: Mem }>({ cmd: 'mem' })).mem;
    client = startChild('epos-many.ts', { URL: url, MODE: 'bare', KEYS_FILE: keysFile, FROM: '0', TO: String(share), CONCURRENCY: '32' }, { fdLimit: FD_LIMIT });
    await client.wait('ready');
    await client.ask<Opened>({ cmd: 'go' }, 600_000);
    await sleep(1000);
    const { mem, sockets } = await holder.ask<{ mem: Mem; sockets: number }>({ cmd: 'mem' });
    return Math.round((mem.rss - mem0.rss) / Math.max(1, sockets));
  } finally {
    await client?.stop();
    await holder.stop();
  }
}

/** 1% of the accounts, each asked for an order through a random node with its own key. */
class Prober {
  private readonly pools: Pool[];
  private constructor(private readonly urls: string[], private readonly keys: { accountId: string; key: string }[], private readonly n: number) {
    this.pools = urls.map((u) => new Pool(u, { connections: 4 }));
  }

  static async start(urls: string[], keysFile: string, n: number): Promise<Prober> {
    return new Prober(urls, JSON.parse(await readFile(keysFile, 'utf8')) as { accountId: string; key: string }[], n);
  }

  private get(node: number, key: string) {
    return this.pools[node]!.request({ method: 'GET', path: '/epos/data/v1/orders/ord-1', headers: { authorization: `Basic ${key}`, 'software-house-id': 'bench-product' } });
  }

  /** One call per node, for an EPOS on the next node; answers how long they took. */
  async warm(): Promise<number> {
    const t0 = performance.now();
    const share = this.n / this.urls.length;
    await Promise.all(this.urls.map(async (_, node) => (await this.get(node, this.keys[((node + 1) % this.urls.length) * share]!.key)).body.text()));
    return round(performance.now() - t0, 0);
  }

  async probe() {
    const { n, keys, urls } = this;
    const picked = new Set<number>();
    while (picked.size < Math.max(10, Math.round(n / 100))) picked.add(Math.floor(Math.random() * n));
    const list = [...picked];
    const lat: number[] = [];
    const wrong: string[] = [];
    let right = 0;
    let forwarded = 0;
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < list.length) {
        const i = list[next++]!;
        const { accountId, key } = keys[i]!;
        const node = Math.floor(Math.random() * urls.length);
        if (node !== Math.floor(i / (n / urls.length))) forwarded += 1;
        const t0 = performance.now();
        try {
          const res = await this.get(node, key);
          const body = await res.body.text();
          lat.push(performance.now() - t0);
          const id = res.statusCode === 200 ? (JSON.parse(body) as { id?: string }).id : undefined;
          if (id === accountId) right += 1;
          else wrong.push(`${accountId} via n${node}: ${res.statusCode} ${body.slice(0, 160)}`);
        } catch (e) {
          wrong.push(`${accountId} via n${node}: ${(e as Error).message}`);
        }
      }
    }));
    await Promise.all(this.pools.map((p) => p.close()));
    return { probed: list.length, right, forwarded, wrong: wrong.slice(0, 5), wrongCount: wrong.length, latencyMs: summarise(lat) };
  }
}

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}
