// Several real platforms in this process, joined by the real NATS on 127.0.0.1:4222 under a
// subject prefix of their own (so parallel runs do not hear each other), all on one fresh schema of
// the real PostgreSQL (test/platform/store/pg.ts), as a cluster's nodes share one store. The API key
// is created once, in that store.
import { randomBytes } from 'node:crypto';
import { NatsBus } from '../../packages/eposgate/src/platform/bus/nats.ts';
import type { ApiKeyRecord } from '../../packages/eposgate/src/platform/store/store.ts';
import { startPlatform, type Platform, type StartPlatformOptions } from '../../packages/eposgate/src/platform/platform.ts';
import { dropSchemas, schemaUrl } from '../platform/store/pg.ts';
import { tcpRelay } from './relay.ts';

export const NATS_URL = process.env.EPOSGATE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface ClusterNode extends Platform {
  nodeId: string;
  natsBus: NatsBus;
  /** Drains and closes the node (the shared store stays). */
  stop(): Promise<void>;
}

export type ClusterOptions = Partial<StartPlatformOptions> & {
  natsUrl?: (id: string) => string; heartbeatMs?: number; ttlMs?: number;
  /** The PostgreSQL database the cluster's schema is made in (default: the test database). */
  databaseBase?: string;
};

export interface TestCluster {
  nodes: ClusterNode[];
  prefix: string;
  /** The shared store's URL (a schema of its own). */
  database: string;
  /** One key, created once in the shared store. */
  key: string;
  keyRecord: ApiKeyRecord;
  /** Starts one more node on the same store and bus (it joins `nodes`). */
  addNode(id: string, extra?: ClusterOptions): Promise<ClusterNode>;
  destroy(): Promise<void>;
}

export async function testCluster(ids: string[], opts: ClusterOptions = {}, accountId = 'cluster-acct'): Promise<TestCluster> {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const schema = `c_${prefix}`;
  const database = schemaUrl(schema, opts.databaseBase);
  const secretKey = randomBytes(32).toString('base64');
  const nodes: ClusterNode[] = [];
  const addNode = async (nodeId: string, extra: ClusterOptions = {}): Promise<ClusterNode> => {
    const o = { ...opts, ...extra };
    const natsBus = await NatsBus.connect({
      url: o.natsUrl?.(nodeId) ?? NATS_URL, nodeId, prefix, heartbeatMs: o.heartbeatMs ?? 200, ttlMs: o.ttlMs ?? 800,
    });
    const { natsUrl: _n, heartbeatMs: _h, ttlMs: _t, databaseBase: _d, ...platformOpts } = o;
    const p = await startPlatform({ port: 0, secretKey, ...platformOpts, database, bus: natsBus });
    const node = Object.assign(p, { nodeId, natsBus, stop: () => p.close() });
    nodes.push(node);
    return node;
  };
  try {
    for (const id of ids) await addNode(id);
  } catch (err) {
    for (const n of nodes) await n.close().catch(() => {});
    await dropSchemas(schema).catch(() => {});
    throw err;
  }
  const { key, record } = await nodes[0]!.keys.create(accountId, 'sandbox');
  return {
    nodes, prefix, database, key, keyRecord: record, addNode,
    async destroy() {
      for (const n of nodes) await n.close().catch(() => {});
      await dropSchemas(schema);
    },
  };
}

/** A NATS bus of its own (a random subject prefix), for a single PostgreSQL node started by hand. */
export function testBus(nodeId?: string, prefix = `t${randomBytes(4).toString('hex')}`): Promise<NatsBus> {
  return NatsBus.connect({ url: NATS_URL, prefix, heartbeatMs: 200, ttlMs: 800, ...(nodeId !== undefined ? { nodeId } : {}) });
}

/** A TCP relay to NATS that the test can cut, as a network failure would. */
export async function natsRelay(): Promise<{ url: string; cut(): void; freeze(): void }> {
  const relay = await tcpRelay(4222);
  return { url: `nats://127.0.0.1:${relay.port}`, cut: () => relay.cut(), freeze: () => relay.freeze() };
}
