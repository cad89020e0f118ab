// Cluster nodes as an operator runs them: `eposgate serve` processes (the compiled CLI: `npm run
// build` first) on one fresh PostgreSQL schema and the real NATS, a key made with `keys create`,
// and HAProxy in front of them with deploy/haproxy.cfg (its ports replaced).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, eposgate, spawnEposgate, stop } from '../helpers/cli.ts';
import { NATS_URL } from '../helpers/cluster.ts';
import { freePort } from '../helpers/processGroup.ts';
import { tempDir } from '../helpers/platform.ts';
import { dropSchemas, schemaUrl } from '../platform/store/pg.ts';

type TestContext = { after(fn: () => Promise<void> | void): void };

export interface ServeNode {
  id: string;
  port: number;
  url: string;
  child: ChildProcess;
  output(): string;
}

export interface ClusterRun {
  /** Unique to this run: node ids, the account and the schema carry it, so runs sharing NATS do not mix. */
  run: string;
  database: string;
  account: string;
  key: string;
  env: NodeJS.ProcessEnv;
  /** Starts `serve` as node `id` on `port` (0: any) and resolves once it answers /healthz. */
  start(id: string, port?: number): Promise<ServeNode>;
}

export async function clusterRun(t: TestContext): Promise<ClusterRun> {
  const run = randomBytes(3).toString('hex');
  const schema = `cluster_${run}`;
  const database = schemaUrl(schema);
  const account = `acct-${run}`;
  const env = { EPOSGATE_SECRET_KEY: randomBytes(32).toString('base64') };
  t.after(() => dropSchemas(schema));
  const created = await eposgate(['keys', 'create', '--database', database, '--account', account, '--env', 'sandbox'], env);
  if (created.code !== 0) throw new Error(`keys create failed: ${created.stderr}`);
  const key = created.stdout.trim().split('\n').at(-1)!;
  const started: ChildProcess[] = [];
  t.after(async () => { await Promise.all(started.map((c) => stop(c))); });
  return {
    run, database, account, key, env,
    async start(id, port = 0) {
      const { child, output, match } = await spawnEposgate(
        ['serve', '--port', String(port), '--database', database, '--nats', NATS_URL, '--node-id', `${id}-${run}`, '--log-level', 'warn'],
        /listening on (http:\/\/\S+)/, env);
      started.push(child);
      const url = match[1]!;
      await untilOk(`${url}/healthz`, 10_000);
      return { id, port: Number(new URL(url).port), url, child, output };
    },
  };
}

/** SIGTERM, then the exit code (null when a signal ended it). */
export async function sigterm(node: ServeNode): Promise<number | null> {
  const exited = once(node.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  node.child.kill('SIGTERM');
  return (await exited)[0];
}

export async function sigkill(node: ServeNode): Promise<void> {
  const exited = once(node.child, 'exit');
  node.child.kill('SIGKILL');
  await exited;
}

/** Polls `url` until it answers 200. */
export async function untilOk(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { if ((await fetch(url)).status === 200) return; } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const HAPROXY_CFG = join(ROOT, 'deploy', 'haproxy.cfg');

/** The committed config with its front port and its three node ports replaced. */
export function haproxyConfig(frontPort: number, nodePorts: readonly number[]): string {
  let cfg = readFileSync(HAPROXY_CFG, 'utf8').replace('bind 127.0.0.1:8080', `bind 127.0.0.1:${frontPort}`);
  nodePorts.forEach((p, i) => { cfg = cfg.replace(`127.0.0.1:${8081 + i}`, `127.0.0.1:${p}`); });
  return cfg;
}

/** HAProxy in the foreground on a free port, in front of `nodePorts`; resolves once it routes /healthz. */
export async function haproxy(t: TestContext, nodePorts: readonly number[]): Promise<{ url: string; log(): string }> {
  const port = await freePort();
  const dir = tempDir('eposgate-haproxy-');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(port, nodePorts));
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let log = '';
  child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  t.after(async () => { await stop(child); rmSync(dir, { recursive: true, force: true }); });
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, 'exit').then(([code]) => { throw new Error(`haproxy exited with ${code}: ${err}`); });
  await Promise.race([untilOk(`${url}/healthz`, 10_000), exited]).catch((e: Error) => { throw new Error(`${e.message}; haproxy said: ${err}`); });
  exited.catch(() => {});
  return { url, log: () => log };
}
