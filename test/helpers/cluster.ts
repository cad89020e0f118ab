// Several real platforms in this process, joined by the real NATS on 127.0.0.1:4222 under a
// subject prefix of their own (so parallel runs do not hear each other), each with its own SQLite
// data dir holding the same API key (until the shared PostgreSQL store is wired in).
import { randomBytes } from 'node:crypto';
import { NatsBus } from '../../packages/eposgate/src/platform/bus/index.ts';
import type { ApiKeyRecord } from '../../packages/eposgate/src/platform/store/store.ts';
import type { StartPlatformOptions } from '../../packages/eposgate/src/platform/platform.ts';
import { testPlatform, type TestPlatform } from './platform.ts';

export const NATS_URL = process.env.EPOSGATE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface ClusterNode extends TestPlatform {
  nodeId: string;
  natsBus: NatsBus;
}

export interface TestCluster {
  nodes: ClusterNode[];
  prefix: string;
  /** One key, the same record in every node's store. */
  key: string;
  keyRecord: ApiKeyRecord;
  destroy(): Promise<void>;
}

export async function testCluster(ids: string[], opts: Partial<StartPlatformOptions> & { natsUrl?: (id: string) => string; heartbeatMs?: number; ttlMs?: number } = {}, accountId = 'cluster-acct'): Promise<TestCluster> {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const nodes: ClusterNode[] = [];
  for (const nodeId of ids) {
    const natsBus = await NatsBus.connect({
      url: opts.natsUrl?.(nodeId) ?? NATS_URL, nodeId, prefix, heartbeatMs: opts.heartbeatMs ?? 200, ttlMs: opts.ttlMs ?? 800,
    });
    const p = await testPlatform({ ...opts, bus: natsBus });
    nodes.push(Object.assign(p, { nodeId, natsBus }));
  }
  const { key, record } = await nodes[0]!.keys.create(accountId, 'sandbox');
  for (const n of nodes.slice(1)) await n.store.keys.insert(record);
  return {
    nodes, prefix, key, keyRecord: record,
    async destroy() {
      for (const n of nodes) await n.destroy().catch(() => {});
    },
  };
}
