// The platform under fuzz, in its own process (forked by fuzz/run.ts) so a crash is observed, not
// fatal to the fuzzer. It starts the platform on port 0 with a temp data dir, connects the
// reference EPOS over WebSocket for the DATA account, makes the keys the fuzzer uses, then tells
// the parent over IPC: {type:'ready', url, keys}. It answers {type:'rss'} with {type:'rss', rss}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceEpos } from '../packages/eposgate/src/epos/index.ts';
import { UNLIMITED_RATES, type Limits } from '../packages/eposgate/src/platform/limits.ts';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { connect, register } from '../packages/sdk/src/index.ts';

export interface FuzzKeys {
  /** Account with the reference EPOS on WS: /epos/data, events, tester. */
  data: string;
  /** Account whose registrations the fuzzer rewrites at will. */
  reg: string;
  /** Account whose EPOS is the fuzzer's mutating WS client. */
  ws: string;
  /** A production key, and a revoked one, for the auth surface. */
  prod: string;
  revoked: string;
}

export type ChildMessage = { type: 'ready'; url: string; keys: FuzzKeys } | { type: 'rss'; rss: number };

/** The fuzz platform's limits: the defaults, with rates out of the way (the fuzzer is one busy client). */
export const FUZZ_LIMITS: Partial<Limits> = { ...UNLIMITED_RATES };

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eposgate-fuzz-'));
  const p = await startPlatform({ dataDir, port: 0, limits: FUZZ_LIMITS, callTimeoutMs: Number(process.env.FUZZ_CALL_TIMEOUT_MS ?? 500), connectGraceMs: 100 });
  const keys: FuzzKeys = {
    data: (await p.keys.create('fuzz-data', 'sandbox')).key,
    reg: (await p.keys.create('fuzz-reg', 'sandbox')).key,
    ws: (await p.keys.create('fuzz-ws', 'sandbox')).key,
    prod: (await p.keys.create('fuzz-prod', 'production')).key,
    revoked: '',
  };
  const rev = await p.keys.create('fuzz-revoked', 'sandbox');
  await p.keys.revoke(rev.record.id);
  keys.revoked = rev.key;

  const ref = createReferenceEpos({ dbPath: ':memory:' });
  const opts = { platformUrl: p.url, apiKey: keys.data, softwareHouseId: 'fuzz-till' };
  await register(ref.epos, { ...opts, transport: 'ws' });
  const conn = connect(ref.epos, { url: p.url.replace(/^http/, 'ws') + '/epos', apiKey: keys.data, softwareHouseId: 'fuzz-till', reconnect: { minMs: 20, maxMs: 200 } });
  conn.on('error', () => {});
  const deadline = Date.now() + 5000;
  while (!p.gateway.isConnected({ accountId: 'fuzz-data', env: 'sandbox' })) {
    if (Date.now() > deadline) throw new Error('the reference EPOS did not connect');
    await new Promise((r) => setTimeout(r, 10));
  }

  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'rss') process.send!({ type: 'rss', rss: process.memoryUsage().rss } satisfies ChildMessage);
  });
  process.on('disconnect', () => {
    void (async () => {
      await conn.close();
      await p.close();
      ref.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
  process.send!({ type: 'ready', url: p.url, keys } satisfies ChildMessage);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
